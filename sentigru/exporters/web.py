"""``sentigru export --format web``: a static web page that runs a phone file in a browser.

The page is plain HTML, CSS and one ES module, no build step. It runs the ``.tflite``
with MediaPipe Tasks for Web (``@mediapipe/tasks-text`` from npm: a JavaScript bundle and
a WebAssembly build of the same C++ ``TextClassifier`` that runs on Android and iOS), so
the text is tokenized by the metadata inside the file and never leaves the browser.

MediaPipe's files either come from the unpacked npm package (``mediapipe_dir``, copied
into the site, which then loads nothing from any other origin) or from a public CDN at
the version pinned in :data:`MEDIAPIPE_WEB_VERSION`. A Content-Security-Policy meta tag
lets the page connect only to its own origin (and that CDN), which also blocks the usage
metrics the bundle posts to Google (its README asks sites to get consent first).

This module must not import TensorFlow: it only copies files and fills templates.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
from importlib import resources
from pathlib import Path
from typing import Any

from sentigru import __version__, contract, limits, outputs
from sentigru.atomic import current_umask, replace_path, staging_folder
from sentigru.errors import SentigruError, missing
from sentigru.modelfile import check_mediapipe_compatible, check_model

__all__ = [
    "CDN_ORIGIN",
    "LOAD_TIMEOUT_MS",
    "MAX_MODEL_BYTES",
    "MEDIAPIPE_WEB_PACKAGE",
    "MEDIAPIPE_WEB_VERSION",
    "START_TIMEOUT_MS",
    "cdn_base",
    "find_mediapipe_package",
    "write_site",
]

MEDIAPIPE_WEB_PACKAGE = "@mediapipe/tasks-text"
MEDIAPIPE_WEB_VERSION = "1.0.1"
"""The one pinned version of MediaPipe Tasks for Web: the CDN URL, CI's ``npm install``
and the tests all read it from here."""

CDN_ORIGIN = "https://cdn.jsdelivr.net"
MAX_MODEL_BYTES = 64 * 1024 * 1024
"""The page refuses a model file larger than this before handing it to WebAssembly."""
LOAD_TIMEOUT_MS = 30_000
"""``window.sentigru.ready`` rejects when the model's download makes no progress for this
long (a slow download that keeps arriving is waited for), or when MediaPipe's script is
not in this long after the model."""
START_TIMEOUT_MS = 180_000
"""Once the model and MediaPipe's script are in, ``window.sentigru.ready`` rejects if
MediaPipe has not started within this: the page cannot follow that part (MediaPipe
downloads its 6.9 MB WebAssembly build, compiles it and starts the graph), so the limit
is one a slow phone on a slow network meets (about 40 s of download at 1.44 Mbit/s,
140 s at 0.4 Mbit/s)."""

MODEL_FILE = "model.tflite"
MEDIAPIPE_FOLDER = "mediapipe"
BUNDLE = "text_bundle.mjs"
# What FilesetResolver.forTextTasks(dir) loads: a SIMD build, and a build for browsers
# without WebAssembly SIMD. The ES-module build (``text_wasm_module_*``) is not used.
WASM_FILES = (
    "text_wasm_internal.js",
    "text_wasm_internal.wasm",
    "text_wasm_nosimd_internal.js",
    "text_wasm_nosimd_internal.wasm",
)
TEMPLATES = ("index.html", "app.js", "style.css")
GENERATOR = "sentigru web export"
"""Written into index.html; ``force`` replaces only a folder that carries it."""
SITE_RECORD = ".sentigru-site.json"
"""The sha256 of each file of the page as written: a file changed since (a rule added to
``style.css``, as the docs suggest) is the user's work, which ``force`` does not replace."""
SITE_NAMES = frozenset({*TEMPLATES, MODEL_FILE, MEDIAPIPE_FOLDER, SITE_RECORD})
"""What a site holds; ``force`` refuses a site holding anything else (the user's)."""


def cdn_base(version: str = MEDIAPIPE_WEB_VERSION) -> str:
    """The CDN folder of the pinned npm package (its ``text_bundle.mjs`` and ``wasm/``)."""
    return f"{CDN_ORIGIN}/npm/{MEDIAPIPE_WEB_PACKAGE}@{version}"


def find_mediapipe_package(folder: Path) -> Path:
    """The unpacked ``@mediapipe/tasks-text`` folder, given it or an ``npm install
    --prefix`` folder above it; a one-line error naming what is missing otherwise."""
    folder = Path(folder)
    for candidate in (folder, folder / "node_modules" / "@mediapipe" / "tasks-text"):
        if (candidate / BUNDLE).is_file():
            missing = [name for name in WASM_FILES if not (candidate / "wasm" / name).is_file()]
            if missing:
                raise SentigruError(
                    f"{candidate}: not a complete {MEDIAPIPE_WEB_PACKAGE} package: "
                    f"wasm/{missing[0]} is missing"
                )
            return candidate
    raise SentigruError(
        f"{folder}: no {BUNDLE} here; give the folder of the npm package {MEDIAPIPE_WEB_PACKAGE} "
        f"(npm install --prefix DIR {MEDIAPIPE_WEB_PACKAGE}@{MEDIAPIPE_WEB_VERSION} puts it in "
        "DIR/node_modules/@mediapipe/tasks-text)"
    )


def _package_version(package: Path) -> str:
    """The npm package's own version, shown on the page; "unknown" if it does not say."""
    try:
        return str(json.loads((package / "package.json").read_text("utf-8"))["version"])
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return "unknown"


def _read_model(model_file: Path) -> tuple[bytes, dict[str, Any]]:
    """The model's bytes and metadata, or a one-line error for anything the page would
    refuse anyway."""
    model_file = Path(model_file)
    if not model_file.is_file():
        raise missing(model_file, "model file (give a sentigru .tflite)")
    size = model_file.stat().st_size
    if size > MAX_MODEL_BYTES:
        raise SentigruError(
            f"{model_file}: {size:,} bytes; the page refuses models over "
            f"{MAX_MODEL_BYTES // 2**20} MiB"
        )
    content = limits.read_file(model_file, MAX_MODEL_BYTES)  # it may grow after the stat
    try:  # the checks predict makes of a file from elsewhere: the page runs it for visitors
        meta = check_model(content)
    except ValueError as exc:
        reason = (str(exc).strip().splitlines() or ["unreadable metadata"])[0]
        kind = "" if reason.startswith(("unsafe", "unsupported")) else "not a sentigru .tflite: "
        raise SentigruError(f"{model_file}: {kind}{reason}") from None
    if not meta.get("labels"):
        raise SentigruError(f"{model_file}: not a sentigru .tflite: its label file is empty")
    try:  # a WHILE loop (--runtime litert) or a batch above 1: the page could never load it
        check_mediapipe_compatible(content)
    except ValueError as exc:
        raise SentigruError(
            f"{model_file}: {exc}; export it again with --runtime mediapipe and --batch 1"
        ) from None
    return content, meta


def _human_size(size: int) -> str:
    if size >= 2**20:
        return f"{size / 2**20:.1f} MiB"
    return f"{size / 2**10:.0f} KiB"


def _csp(remote: str | None) -> str:
    """The page's Content-Security-Policy: its own origin only (plus the CDN when
    MediaPipe comes from there). ``connect-src`` is what blocks the usage-metrics POST;
    ``'wasm-unsafe-eval'`` lets it compile WebAssembly and nothing else."""
    extra = f" {remote}" if remote else ""
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src 'self' 'wasm-unsafe-eval'{extra}",
            f"connect-src 'self'{extra}",
            "style-src 'self'",
            "img-src 'self' data:",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )


def _fill(template: str, values: dict[str, str]) -> str:
    """The template's ``{{KEY}}`` fields in one pass, so that a field's value (a model's
    name holding ``{{CONFIG}}``) is never filled in turn."""
    return re.sub(r"\{\{(\w+)\}\}", lambda m: values.get(m[1], m[0]), template)


def _word_counting(meta: dict[str, Any]) -> dict[str, Any] | None:
    """What the page needs to count the words of a text the model knows, as
    :meth:`sentigru.tokenizer.Tokenizer.known` does: only for the contract's regex
    tokenizer, whose split JavaScript's ASCII ``\\w`` reproduces; the page reads
    ``vocab.txt`` from the zip packed in the model file. None for SentencePiece."""
    if meta.get("tokenizer") != "regex" or meta.get("delim_regex") not in contract.DELIM_SPELLINGS:
        return None
    from sentigru.tokenizer import (
        FACE,
        PART_RATIO,
        READ_CHARS,
        cut_table,
        hidden_table,
        unread_table,
        unspaced_table,
    )

    return {
        "vocab": contract.VOCAB_FILE,
        "seqLen": int(meta["seq_len"]),
        "token": contract.TOKEN_REGEX,  # JavaScript's \w (no u flag) is ASCII, as RE2's
        "unknownId": contract.UNKNOWN_ID,  # ids above it are words the model knows
        "nulBlanks": contract.NUL_BLANKS,  # sentigru.contract.cut_at_nul
        "partRatio": PART_RATIO,  # the rule of sentigru.tokenizer.reads_part
        "cutting": list(cut_table()),  # this Python's letters, not the browser's
        "hidden": list(hidden_table()),  # invisible characters that cut a word inside it
        "unread": list(unread_table()),  # other scripts' letters, emoji
        "unspaced": list(unspaced_table()),  # letters of scripts without spaces: words_in_run
        "emoticon": FACE,  # ASCII: the same regex in JavaScript, its look behind in code
        "readChars": READ_CHARS,  # where the counts of unread words stop looking
    }


def _piece_counting(meta: dict[str, Any]) -> dict[str, Any] | None:
    """What the page needs to tell that a SentencePiece model knows no piece of a text,
    as :meth:`sentigru.pieces.SentencePieceTokenizer.known` is 0: the characters of its
    learnt pieces (:meth:`sentigru.pieces.Pieces.characters`) and its length. None for
    the regex tokenizer."""
    if meta.get("tokenizer") != "sentencepiece" or not meta.get("sentencepiece"):
        return None
    from sentigru.pieces import Pieces

    counted, other = Pieces(meta["sentencepiece"], "the packed sentencepiece.model").characters()
    return {"counted": counted, "other": other, "seqLen": int(meta["seq_len"])}


def _render_index(
    meta: dict[str, Any],
    size: int,
    mediapipe: dict[str, str],
    title: str | None,
    versions: dict[str, str],
) -> str:
    """index.html headed by ``title`` (or the model's name), with the model's name,
    labels and size, the CSP, and the page config (a JSON data block the script reads:
    not executed, so the CSP needs no hash). ``versions`` (a file's name → a short hash
    of its content) go into the URLs of the script, the style and the model: a browser
    kept the old ones from its cache after an export again, and ran the old model under
    the new page's name and labels."""
    labels = [str(label) for label in meta["labels"]]
    name = meta.get("name") or "sentigru text classifier"
    heading = title or name
    model_url = f"{MODEL_FILE}?v={versions[MODEL_FILE]}"
    config = {
        "model": {"url": model_url, "name": name, "labels": labels, "bytes": size},
        "mediapipe": mediapipe,
        "maxModelBytes": MAX_MODEL_BYTES,
        "loadTimeoutMs": LOAD_TIMEOUT_MS,
        "startTimeoutMs": START_TIMEOUT_MS,
        "words": _word_counting(meta),
        "pieces": _piece_counting(meta),
    }
    # "<" escaped so that no text in the metadata can close the data block early.
    config_json = json.dumps(config, ensure_ascii=False).replace("<", "\\u003c")
    template = (resources.files(__package__) / "web" / "index.html").read_text("utf-8")
    return _fill(
        template,
        {
            "CSP": html.escape(_csp(mediapipe.get("origin")), quote=False).replace('"', "&quot;"),
            "GENERATOR": html.escape(f"{GENERATOR} {__version__}"),
            "TITLE": html.escape(heading),
            "TITLE_LANG": _language_unknown(heading),
            "NAME": html.escape(name),
            "NAME_LANG": _language_unknown(name),
            "LABELS": html.escape(", ".join(labels)),
            "LABELS_LANG": _language_unknown(", ".join(labels)),
            "SIZE": html.escape(f"{_human_size(size)} ({size:,} bytes)"),
            "MEDIAPIPE": html.escape(f"MediaPipe Tasks for Web {mediapipe['version']}"),
            "CONFIG": config_json,
            "APP_V": versions["app.js"],
            "STYLE_V": versions["style.css"],
        },
    )


def _short_hash(content: bytes) -> str:
    """Twelve hex digits of the sha256 of a page file: its version in the page's URLs."""
    return hashlib.sha256(content).hexdigest()[:12]


def _sha256(path: Path) -> str | None:
    """The sha256 of a page file, read in pieces; None for what is not a regular file
    of its own (a link put in its place is the user's, and may be anything)."""
    if path.is_symlink() or not path.is_file():
        return None
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while piece := stream.read(1 << 20):
            digest.update(piece)
    return digest.hexdigest()


def _check_unchanged(out: Path) -> None:
    """Refuse to replace a site whose page files were changed since they were written
    (by :data:`SITE_RECORD`; a site written before it was kept has none to tell by)."""
    path = out / SITE_RECORD
    if not os.path.lexists(path):
        return
    record = _read_record(path)
    changed = [] if isinstance(record, dict) else [SITE_RECORD]  # its file was replaced
    record = record if isinstance(record, dict) else {}
    changed += [
        name
        for name, digest in record.items()
        if name in SITE_NAMES and os.path.lexists(out / name) and _sha256(out / name) != digest
    ]
    if changed:
        them = "them" if len(changed) > 1 else "it"
        raise SentigruError(
            f"{out}: {', '.join(changed)} changed since sentigru wrote {them}, and --force "
            f"would replace the changes: copy {them} aside and remove {out}, or choose "
            "another --out"
        )


RECORD_BYTES = 64 << 10
"""Far more than the record of a site's few files takes."""


def _read_record(path: Path) -> object:
    """The site record as written: a small regular file of JSON, else None (a link or a
    large file put in its place is never read: one to 1 GB took 2 GB of memory)."""
    if path.is_symlink() or not path.is_file() or path.stat().st_size > RECORD_BYTES:
        return None
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError, RecursionError):
        return None


def _is_text(text: str) -> bool:
    """Whether ``text`` can be written as UTF-8 (no lone surrogate)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _language_unknown(text: str) -> str:
    """`` lang=""`` for a name or labels beyond ASCII (*商品レビュー*): the page's own
    words are English, but a screen reader told so would read those in an English
    voice; an empty ``lang`` says the language is unknown, so it uses the reader's own."""
    return "" if text.isascii() else ' lang=""'


def _is_replaceable(out: Path) -> bool:
    """``force`` replaces an empty folder or a site this module wrote, never anything
    else (so that ``--out . --force`` cannot wipe a project)."""
    if not out.is_dir():
        return False
    if not any(out.iterdir()):
        return True
    # the page's head names its generator; anything but a regular file is not ours
    return GENERATOR.encode() in limits.head_of(out / "index.html", 4096)


def write_site(
    model_file: Path,
    out: Path,
    *,
    mediapipe_dir: Path | None = None,
    force: bool = False,
    title: str | None = None,
) -> Path:
    """Write a static site that classifies text with ``model_file`` in the browser,
    headed by ``title`` (default: the name in the model's metadata).

    ``out`` gets ``index.html``, ``app.js``, ``style.css`` and ``model.tflite``; with
    ``mediapipe_dir`` (the unpacked npm package ``@mediapipe/tasks-text``) also
    ``mediapipe/`` (its bundle and WebAssembly builds), so the page loads nothing from
    another origin; without it the page loads MediaPipe from the pinned CDN URL.

    The site is built in a temporary folder beside ``out`` and renamed into place; an
    existing ``out`` is replaced only with ``force``, and only if it is empty or a site
    written by this function. Returns ``out``.

    Raises:
        SentigruError: a missing or non-sentigru model file, an incomplete
            ``mediapipe_dir``, or an ``out`` that may not be replaced.
    """
    out = Path(out)
    outputs.check_not_quoted_home(out)
    if title is not None and (not isinstance(title, str) or not title.strip()):
        raise SentigruError(f"the page's title is a line of text, not {title!r:.60}")
    if title is not None and not _is_text(title):
        raise SentigruError(
            f"the page's title {title!r:.60} holds bytes that are not UTF-8 text (typed "
            "in a terminal not set to UTF-8?)"
        )
    if out.is_dir() and _is_replaceable(out):  # the user's files in a site: said first,
        outputs.check_no_foreign(out, SITE_NAMES)  # as --force would not help
        _check_unchanged(out)
    outputs.check_replaceable(out, force, _is_replaceable, "a site sentigru wrote")
    content, meta = _read_model(model_file)
    package = find_mediapipe_package(mediapipe_dir) if mediapipe_dir is not None else None
    if package is not None:
        mediapipe = {
            "bundle": f"./{MEDIAPIPE_FOLDER}/{BUNDLE}",
            "wasm": f"./{MEDIAPIPE_FOLDER}/wasm",
            "version": _package_version(package),
        }
    else:
        base = cdn_base()
        mediapipe = {
            "bundle": f"{base}/{BUNDLE}",
            "wasm": f"{base}/wasm",
            "version": MEDIAPIPE_WEB_VERSION,
            "origin": CDN_ORIGIN,
        }

    staged = staging_folder(out)
    try:
        _write_files(staged, content, meta, mediapipe, package, title and title.strip())
        replace_path(staged, out, force)
    except OSError as exc:  # a full disk: the site named, nothing half-written left
        shutil.rmtree(staged, ignore_errors=True)
        raise SentigruError(f"cannot write {out}: {limits.os_reason(exc)}") from None
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    return out


def _write_files(
    staged: Path,
    content: bytes,
    meta: dict[str, Any],
    mediapipe: dict[str, str],
    package: Path | None,
    title: str | None = None,
) -> None:
    """Fill the staged folder: page, model, and MediaPipe's files when copied."""
    templates = resources.files(__package__) / "web"
    texts = {name: (templates / name).read_text("utf-8") for name in ("app.js", "style.css")}
    versions = {name: _short_hash(text.encode("utf-8")) for name, text in texts.items()}
    versions[MODEL_FILE] = _short_hash(content)
    texts["index.html"] = _render_index(meta, len(content), mediapipe, title, versions)
    for name in TEMPLATES:
        (staged / name).write_text(texts[name], "utf-8", newline="\n")
    (staged / MODEL_FILE).write_bytes(content)
    if package is not None:
        target = staged / MEDIAPIPE_FOLDER
        (target / "wasm").mkdir(parents=True)
        # package.json travels along: it names the version and the licence (Apache-2.0).
        for name in (BUNDLE, "package.json"):
            if (package / name).is_file():
                shutil.copyfile(package / name, target / name)
        for name in WASM_FILES:
            shutil.copyfile(package / "wasm" / name, target / "wasm" / name)
    record = {name: _sha256(staged / name) for name in (*TEMPLATES, MODEL_FILE)}  # written
    (staged / SITE_RECORD).write_text(json.dumps(record, indent=1) + "\n", "utf-8", newline="\n")
    mode = 0o666 & ~current_umask()
    for path in staged.rglob("*"):
        path.chmod(mode | 0o111 if path.is_dir() else mode)
