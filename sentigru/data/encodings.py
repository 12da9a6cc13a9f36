"""Which encoding a file or stdin line that did not decode was likely written in, and
the fix to name: Excel's code pages (cp1252, cp932, cp949, gb18030), the code pages
that extend a named standard, UTF-16 and UTF-32 from PowerShell and Notepad."""

from __future__ import annotations

import codecs
from collections.abc import Callable


def undecodable(
    raw: bytes, encoding: str, utf8_before: bool, unit: str = "line", skip_hint: str | None = ""
) -> str:
    """Why a line does not decode, and the fix: UTF-8 asked of a line that reads as
    Windows-1252 (Excel's plain CSV) where no UTF-8 text came before is a file in
    cp1252; after UTF-8 text, one bad line in a UTF-8 file, to mend (or skip, where
    ``skip_hint`` names how)."""
    utf8 = codecs.lookup(encoding).name in ("utf-8", "utf-8-sig")
    skip = f"or {skip_hint} to skip such {unit}s" if skip_hint else "or mend it"
    if utf8 and utf8_before:
        return f"not valid {encoding}, though the text before it is: mend this {unit}, {skip}"
    guess = likely_encoding(raw) if utf8 else None
    if guess == "cp1252":
        return (
            f"not valid {encoding}; it reads as Windows-1252 (Excel's plain CSV): "
            f"--encoding cp1252, {skip}"
        )
    if guess is not None:
        language, more = EAST_ASIAN[guess][0], EAST_ASIAN[guess][3]
        return f"not valid {encoding}; it reads as {language} in {guess}{more}, {skip}"
    if not utf8 and decodes_as_utf8(raw):
        return f"not valid {encoding}, but valid UTF-8: drop --encoding, {skip}"
    wider = None if utf8 else extended_encoding(raw, encoding)
    if wider is not None:
        return (
            f"not valid {encoding}; it reads as {wider}, which extends {encoding} (as "
            f"software often writes it): --encoding {wider}, {skip}"
        )
    return f"not valid {encoding}: give the file's encoding with --encoding, {skip}"


def is_utf8(encoding: str) -> bool:
    """Whether ``encoding`` names UTF-8, however spelt (``UTF-8``, ``utf8``, ``utf-8-sig``)."""
    try:
        return codecs.lookup(encoding).name in ("utf-8", "utf-8-sig")
    except (LookupError, ValueError):
        return False


def decodes_as_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _syllable(char: str) -> bool:
    return "\uac00" <= char <= "\ud7a3"


def _korean(char: str) -> bool:
    return _syllable(char) or "\u3131" <= char <= "\u318e"


def _kana(char: str) -> bool:
    return "\u3040" <= char <= "\u30ff"


def _han(char: str) -> bool:
    """A CJK ideograph, CJK punctuation or a full-width form (not half-width kana)."""
    return (
        "\u4e00" <= char <= "\u9fff" or "\u3000" <= char <= "\u303f" or "\uff01" <= char <= "\uff5e"
    )


EAST_ASIAN: dict[str, tuple[str, Callable[[str], bool], str, str]] = {
    "cp949": ("Korean", _korean, "euc_kr", " (as Excel saves CSV there): --encoding cp949"),
    "cp932": (
        "Japanese",
        lambda c: _kana(c) or _han(c),
        "euc_jp",
        " (as Excel saves CSV there): --encoding cp932",
    ),
    "euc_jp": ("Japanese", lambda c: _kana(c) or _han(c), "euc_jp", ": --encoding euc_jp"),
    "gb18030": (
        "Chinese",
        _han,
        "gb2312",
        " (as Excel saves CSV there): --encoding gb18030 (big5 for traditional characters)",
    ),
}
"""Where a CSV is not UTF-8 but a region's code page (Excel's, older software's): the
language, its letters, the codec of its common characters, the fix. Their bytes
decode as Windows-1252 too, into nonsense, so they are tried first, in this order
(Korean text reads as Chinese characters in gb18030)."""


def likely_encoding(raw: bytes) -> str | None:
    """The encoding a text that is not UTF-8 was likely written in: a region's code page
    in which at least 90 % of its non-ASCII characters are that language's letters and
    80 % are among its common characters (other bytes decode to rare ones: German
    *für* in cp1252 reads as a rare ideograph in gb18030), Japanese with some kana;
    else cp1252 where it decodes, else None."""
    sample = raw[:65536]
    for name, (_, letters, common, _) in EAST_ASIAN.items():
        text = _decode_some(sample, name)
        wide = [c for c in text or "" if not c.isascii() and not c.isspace()]
        if not wide or sum(map(letters, wide)) < 0.9 * len(wide):
            continue
        if sum(_encodes_in(c, common) for c in wide) < 0.8 * len(wide):
            continue
        if "Japanese" in EAST_ASIAN[name][0] and not any(map(_kana, wide)):
            continue  # Chinese bytes read as kanji alone
        if name == "cp949" and 2 * sum(map(_syllable, wide)) < len(wide):
            continue  # EUC-JP's kana read as Korean letters (ㄱ) without syllables
        return name
    return "cp1252" if _decode_some(sample, "cp1252") is not None else None


EXTENDED = {"shift_jis": "cp932", "euc_kr": "cp949", "gb2312": "gb18030", "gbk": "gb18030"}
"""The encodings software writes where a user names the standard they extend: a
Japanese file "in Shift-JIS" holding ① or ㈱ is Windows' cp932, a Korean one "in EUC-KR"
holding 똠 is cp949, a Chinese one "in GBK" with rarer characters gb18030."""


def extended_encoding(raw: bytes, encoding: str) -> str | None:
    """The code page that extends ``encoding`` (:data:`EXTENDED`), where ``raw``, not
    valid in ``encoding`` nor UTF-8 (UTF-8 read as gbk decodes in gb18030, to
    nonsense), decodes in it; else None."""
    try:
        wider = EXTENDED.get(codecs.lookup(encoding).name)
    except LookupError:
        return None
    if not wider or decodes_as_utf8(raw):
        return None
    return wider if _decode_some(raw, wider) is not None else None


def _encodes_in(char: str, codec: str) -> bool:
    """Whether ``char`` is one of ``codec``'s two-byte characters (Python's euc_kr also
    spells rarer syllables in eight bytes)."""
    try:
        return len(char.encode(codec)) == 2
    except UnicodeEncodeError:
        return False


def _decode_some(raw: bytes, encoding: str) -> str | None:
    """``raw`` decoded, a character cut at its end left out; None if it does not decode."""
    try:
        return codecs.getincrementaldecoder(encoding)().decode(raw, final=False)
    except UnicodeDecodeError:
        return None


def archive(first_line: bytes) -> str | None:
    """``gzip`` or ``zip`` where a file's first bytes are that archive's, else None (a
    text reader would read the archive's bytes as text in some encoding)."""
    if first_line.startswith(b"\x1f\x8b"):
        return "gzip"
    return "zip" if first_line.startswith(b"PK\x03\x04") else None


def wide_unicode(first_line: bytes) -> str | None:
    """``UTF-32`` or ``UTF-16`` where the first line is written in one (a UTF-32 mark
    begins with UTF-16's), else None."""
    if first_line.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    quads = first_line[: len(first_line) // 4 * 4]  # without a mark: ASCII as 3 NULs and a byte
    if (
        len(quads) >= 8
        and quads.count(0) < len(quads)  # NULs alone (/dev/zero) are no text
        and any(all(quads[i::4].count(0) == len(quads) // 4 for i in z) for z in _QUAD_NULS)
    ):
        return "UTF-32"
    return "UTF-16" if looks_utf16(first_line) else None


_QUAD_NULS = ((1, 2, 3), (0, 1, 2))
"""Where UTF-32's NULs fall in each 4 bytes of ASCII text: little-endian, big-endian."""


def looks_utf16(first_line: bytes) -> bool:
    """Whether the first line of a file or stream is UTF-16 (PowerShell's pipes, Notepad's
    "Unicode"): a byte-order mark, or without one a NUL in every other byte, as ASCII
    letters are written in it. Read as UTF-8 it is a string of NULs and letters, which
    the phone's tokenizers stop reading at the first NUL."""
    if first_line.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    pairs = first_line[: len(first_line) // 2 * 2]
    return (
        len(pairs) >= 4
        and pairs.count(0) < len(pairs)  # NULs alone (/dev/zero) are no text
        and (pairs[1::2].count(0) == len(pairs) // 2 or pairs[::2].count(0) == len(pairs) // 2)
    )
