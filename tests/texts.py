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


WORD_COUNT_CORNERS = [
    "' '",  # quote marks alone: words with ids, but of nothing
    "'これは最悪です' great '' ok :'( ' x",  # quotes round text the model cannot read
    "Great product, fast shipping 质量很差用了两天就坏了非常失望",  # a run by its length
    "great 最悪だ 별로예요 ｶﾀｶﾅ ok",  # Japanese, Korean (spaced), half-width kana
    "I didn't la\u00adugh, la\u200bugh \ufeffgreat \u200eok",  # invisible cuts; a BOM
    "Excellent\u200e \u2068great\u2069 ok\u200b great la\u200b\u200bugh\u00ad",  # at edges
    "GREAT Great great gREAT",
    "don't DON'T dont 'quoted' it's",
    "4 stars, 10/10, 2nd_best",
    "It was xqzvy wnoderful.",
    "Très décevant, je déteste ce café, naïve great",  # words cut at a letter
    "great cafe\u0301 great\u00b2 great𝐀 𝐀great Ωgreat great😀",  # NFD, ², astral
    "great\u0ecegreat great\U00031350 great\u1acf",  # letters of Unicode 15 and 16
    "この映画はgreatでした、١٢great",  # an English word in text written without spaces
    "❤️great หนังนี้greatมาก",  # an emoji's variation selector, a Thai vowel sign
    "10점 만점에 10점!! ١٢great café",  # digits read, the words around them not
    "ok 👎👎 great ⭐⭐⭐⭐⭐ 👨\u200d👩\u200d👧 ™ ° →",  # emoji runs; symbols, not emoji
    "great :( :-) :'( ok <3 :D at 10:30 C:/x x=(1) \0 :(",  # emoticons and look-alikes
    "great " + ":( " * 1100 + "😀" * 70000 + " 最悪",  # counted to 1,023, in 65,536 chars
    ":D " * 1100 + ":(",  # faces with a word and without, past the count's end
]
"""Where counting the words a model knows is hard: cut words, invisible characters,
emoji and emoticons, other scripts, and texts past the count's end (the last two)."""
