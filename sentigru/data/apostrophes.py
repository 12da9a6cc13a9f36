"""Contractions taught as phone keyboards type them.

iOS types ``isn’t`` with a right single quotation mark (U+2019) unless Smart
Punctuation is off, and many sites store text so. The phone's regex tokenizer splits on
it (RE2's ``\\w`` is ASCII, and the contract keeps only ``'``), so ``isn’t`` reaches the
model as ``isn`` and ``t``. Python must tokenize it the same way, so the fix is in what
the model learns: a seeded share of the training texts that hold a contraction are
written with ’, and the model learns both forms.

The choice of text is a hash of the seed and the text, not of its position, so the
in-memory and streamed paths, every worker of a distributed run, and a resumed run pick
the same texts. Validation texts are left as written.
"""

from __future__ import annotations

import hashlib
import re

CURLY = "\u2019"
"""The apostrophe phone keyboards type."""
CONTRACTED = re.compile(r"[A-Za-z]'[A-Za-z]")
"""A contraction as people type it: ``isn't``, ``it's``, ``I'm``."""
PENN_TREEBANK = re.compile(r"\s(?:n't|'s|'re|'ve|'ll|'d|'m)\b")
"""A contraction split the Penn Treebank way (SST-2's ``is n't``): nobody types it, so
such texts are left alone."""


def _draw(text: str, seed: int) -> float:
    """A number in [0, 1) fixed by the seed and the text (a lone surrogate, which Python
    text may hold, included)."""
    digest = hashlib.blake2b(
        f"{seed}\0{text}".encode("utf-8", "surrogatepass"), digest_size=8
    ).digest()
    return int.from_bytes(digest, "big") / 2**64


def typed_on_phones(text: str, share: float, seed: int) -> str:
    """``text`` with every ``'`` written as :data:`CURLY` when it holds a contraction
    and the seeded draw for it falls within ``share``; otherwise ``text`` itself."""
    if share <= 0 or not CONTRACTED.search(text) or PENN_TREEBANK.search(text):
        return text
    return text.replace("'", CURLY) if _draw(text, seed) < share else text
