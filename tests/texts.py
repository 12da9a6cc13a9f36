"""Varied texts for parity tests: the corners where tokenizers disagree."""

from __future__ import annotations

import random

FRAGMENTS = [
    "great movie",
    "TERRIBLE acting",
    "Mixed CaSe Words",
    "don't",
    "wasn't it",
    "'quoted'",
    "it’s curly",
    "I didn’t like it, it wasn’t good",
    "café",
    "naïve",
    "Straße",
    "crème brûlée",
    "Привет мир",
    "最高の映画",
    "فيلم رائع",
    "١٢٣",
    "😀",
    "🎉🎉",
    "👍🏽",
    "<br /><br />",
    "<b>bold</b>",
    "&amp; &lt;",
    "10/10",
    "$12.50",
    "2 hours",
    "1st",
    "snake_case",
    "__init__",
    "e\u0301cole",
    "tab\there",
    "new\nline",
    "...",
    "!!!",
    "?!",
    "(parens)",
    "[x]",
    "a-b-c",
    "semi;colon",
    "email@example.com",
    "http://x.y/z?q=1",
    "#hashtag",
    "@user",
    "ALL CAPS SHOUTING",
    "loved it",
    "hated it",
    "not bad at all",
]


def varied_texts(n: int = 200, seed: int = 0) -> list[str]:
    """``n`` texts mixing the fragments above, plus fixed corner cases (empty text,
    whitespace only, a text far longer than any sequence length)."""
    rng = random.Random(seed)
    texts = ["", "   ", "a", "'", "''", "great " * 400, " ".join(FRAGMENTS)]
    while len(texts) < n:
        k = rng.randint(1, 12)
        separator = rng.choice([" ", ", ", "  ", "\t", "-", ""])
        texts.append(separator.join(rng.choice(FRAGMENTS) for _ in range(k)))
    return texts
