"""The tokenizer contract: what the phone's regex tokenizer does, and nothing more."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sentigru.errors import SentigruError
from sentigru.tokenizer import (
    PAD_ID,
    START_ID,
    UNKNOWN_ID,
    Tokenizer,
    Vocabulary,
    WordCounter,
    split,
)


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("Hello, world!", ["Hello", "world"]),
        ("don't stop", ["don't", "stop"]),
        ("'quoted'", ["'quoted'"]),
        ("THIS Movie", ["THIS", "Movie"]),  # no lowercasing, as on the phone
        ("great<br /><br />fun", ["great", "br", "br", "fun"]),
        ("5 stars, 10/10", ["5", "stars", "10", "10"]),
        ("snake_case words", ["snake_case", "words"]),
        ("café naïve", ["caf", "na", "ve"]),  # RE2's \w is ASCII: accents split words
        ("Straße", ["Stra", "e"]),
        ("фильм хороший", []),  # no ASCII word characters at all
        ("good 😀 fun", ["good", "fun"]),
        ("it’s", ["it", "s"]),  # the curly apostrophe is not "'"
        ("", []),
        ("   \t\n ", []),
        ("a--b", ["a", "b"]),
        ("١٢٣ 123", ["123"]),  # Arabic-Indic digits are not RE2 digits
        ("before\0after", ["before"]),  # MediaPipe passes a C string: it ends at NUL
    ],
)
def test_split_matches_the_phone(text: str, tokens: list[str]) -> None:
    assert split(text) == tokens


def test_split_limit_stops_early() -> None:
    assert split("a b c d e", limit=2) == ["a", "b"]


def _vocab(*words: str) -> Vocabulary:
    return Vocabulary(("<PAD>", "<START>", "<UNKNOWN>", *words))


def test_encode_start_ids_unknown_and_padding() -> None:
    tok = Tokenizer(_vocab("good", "movie"), seq_len=6)
    row = tok.encode(["good movie, BAD"])[0]
    assert row.dtype == np.int32
    assert row.tolist() == [START_ID, 3, 4, UNKNOWN_ID, PAD_ID, PAD_ID]


def test_encode_truncates_to_seq_len() -> None:
    tok = Tokenizer(_vocab("a"), seq_len=4)
    assert tok.encode(["a a a a a a a"])[0].tolist() == [1, 3, 3, 3]


def test_empty_text_is_start_only() -> None:
    tok = Tokenizer(_vocab("a"), seq_len=3)
    assert tok.encode([""])[0].tolist() == [1, 0, 0]


def test_huge_text_reads_only_what_it_needs() -> None:
    tok = Tokenizer(_vocab("w"), seq_len=8)
    text = "w " * 5_000_000  # 10 MB; splitting it all would take seconds and memory
    assert tok.ids(text) == [1] + [3] * 7


def test_vocabulary_order_is_frequency_then_alphabetical() -> None:
    vocab = Vocabulary.build(["b a c", "a b", "a d"], size=3)
    assert vocab.tokens == ("<PAD>", "<START>", "<UNKNOWN>", "a", "b", "c")


def test_vocabulary_by_texts_counts_a_word_once_per_text() -> None:
    texts = ["rochester rochester rochester loved it", "overpriced", "overpriced food"]
    assert Vocabulary.build(texts, size=1).tokens[3:] == ("rochester",)
    assert Vocabulary.build(texts, size=1, per_text=True).tokens[3:] == ("overpriced",)
    counter = WordCounter(per_text=True)
    counter.add("a a b")
    counter.add("a")
    assert counter.counts == {"a": 2, "b": 1} and counter.words == 4


def test_vocabulary_min_count_and_case() -> None:
    vocab = Vocabulary.build(["Good good GOOD good"], size=10, min_count=2)
    assert vocab.tokens[3:] == ("good",)


def test_vocab_file_round_trip(tmp_path) -> None:
    vocab = Vocabulary.build(["x y z y"], size=10)
    vocab.save(tmp_path / "vocab.txt")
    text = (tmp_path / "vocab.txt").read_text()
    assert text.splitlines()[:4] == ["<PAD> 0", "<START> 1", "<UNKNOWN> 2", "y 3"]
    assert Vocabulary.load(tmp_path / "vocab.txt") == vocab


@pytest.mark.parametrize(
    "content",
    ["<PAD> 0\n<START> 1\n", "<PAD> 0\n<START> 1\n<UNKNOWN> 2\nx 9\n", "a 0\nb 1\nc 2\n"],
)
def test_bad_vocab_files_are_refused(content: str) -> None:
    with pytest.raises(SentigruError):
        Vocabulary.from_text(content)


@settings(max_examples=200, deadline=None)
@given(st.text(), st.integers(min_value=2, max_value=40))
def test_any_text_encodes_within_contract(text: str, seq_len: int) -> None:
    tok = Tokenizer(_vocab("a", "b", "The"), seq_len=seq_len)
    row = tok.encode([text])[0]
    assert row.shape == (seq_len,)
    assert row[0] == START_ID
    assert row.min() >= 0 and row.max() < 6
    real = int((row != PAD_ID).sum())
    assert (row[real:] == PAD_ID).all()  # padding only at the end
    assert real == min(seq_len, 1 + len(split(text)))


def test_case_aliases_share_ids_without_lowercasing() -> None:
    counts = {"great": 2, "Great": 5, "GREAT": 2, "gReAt": 1, "Paris": 3, "movie": 4}
    vocab = Vocabulary.from_counts(counts, 10, alias_min_count=2)
    # Counted regardless of case (great: 10), ids go to the lowercase forms.
    assert vocab.tokens[3:] == ("great", "movie", "paris")
    assert dict(vocab.aliases) == {"GREAT": 3, "Great": 3, "Paris": 5}
    ids = Tokenizer(vocab, 8).ids("Great GREAT great gReAt PARIS Paris")
    assert ids == [1, 3, 3, 3, 2, 2, 5]  # unseen spellings stay unknown
    assert Vocabulary.from_text(vocab.to_text()) == vocab
    assert len(vocab) == 6  # aliases add words, not ids
    # Without aliases, case is kept apart as before.
    plain = Vocabulary.from_counts(counts, 10)
    assert plain.aliases == () and "Great" in plain.tokens


def test_vocabulary_text_refuses_aliases_that_point_nowhere() -> None:
    with pytest.raises(SentigruError, match="points to no word"):
        Vocabulary.from_text("<PAD> 0\n<START> 1\n<UNKNOWN> 2\nword 3\nWord 1\n")
    with pytest.raises(SentigruError, match="twice"):
        Vocabulary.from_text("<PAD> 0\n<START> 1\n<UNKNOWN> 2\nword 3\nword 3\n")


def test_contraction_heads_read_a_curly_apostrophe_as_the_contraction() -> None:
    """Phones type ’, which the tokenizer splits on: *wasn’t* is ``wasn`` and ``t``. The
    head gets the contracted word's id, in the case spellings the vocabulary has, unless
    it is a word of its own (``don``) or a spelling of one (``WON`` of ``won``)."""
    counts = {"wasn't": 5, "Wasn't": 3, "don't": 4, "don": 3, "won't": 3, "won": 3,
              "WON'T": 2, "t": 2, "good": 6, "food": 4}  # fmt: skip
    vocab = Vocabulary.from_counts(counts, 20, alias_min_count=2)
    index = vocab.index
    assert index["wasn"] == index["Wasn"] == index["wasn't"]
    assert index["don"] != index["don't"] and "WON" not in index
    tokenizer = Tokenizer(vocab, 16)
    curly = tokenizer.ids("The food wasn\u2019t good")
    straight = tokenizer.ids("The food wasn't good")
    assert curly == [*straight[:4], index["t"], straight[4]]
    # Text typed with ' holds no head: its ids are those of the vocabulary without them.
    heads = {"wasn", "Wasn"}
    without = Vocabulary(vocab.tokens, tuple(a for a in vocab.aliases if a[0] not in heads))
    assert set(vocab.aliases) - set(without.aliases) == {
        ("wasn", index["wasn't"]),
        ("Wasn", index["wasn't"]),
    }
    text = "The food wasn't good, don't go; WON'T, won"
    assert Tokenizer(without, 16).ids(text) == tokenizer.ids(text)


def test_a_word_cut_at_a_letter_the_tokenizer_drops_is_not_a_known_word() -> None:
    """The phone reads *café* as *caf*: the ids stay the phone's, but the counts that say
    how much of a text the model read take such fragments as unknown. An English word
    inside text written without spaces (Japanese, Thai), or beside an emoji, is whole."""
    from sentigru.tokenizer import Tokenizer, Vocabulary, cuts_word

    vocab = Vocabulary.build(["great caf f r film je ce"] * 3, 100, 1)
    tokenizer = Tokenizer(vocab, 16)
    cases = {
        "great café": 1,  # caf
        "great cafe\u0301": 0,  # cafe: unknown anyway
        "great caf\u0301e": 1,  # caf, cut by an accent typed as a mark
        "für great": 2,  # f and r
        "この映画はgreatでした": 0,
        "หนังนี้greatมาก": 0,  # Thai, and a Thai vowel sign before great
        "❤️great great😀": 0,  # the emoji's variation selector is a mark, not an accent
        "Ωgreat жgreat": 2,
        "great²": 0,
    }
    assert {text: tokenizer.cut_known(text) for text in cases} == cases
    assert tokenizer.ids("great café") == tokenizer.ids("great caf")  # the phone's ids
    assert [cuts_word(c) for c in "éΩж\u0301"] == [True] * 4
    assert not any(cuts_word(c) for c in "a1'が\ufe0f\u0e49\u20e3²ª")


def test_quote_marks_alone_are_no_word_the_model_reads() -> None:
    """The phone keeps ' in words, so a vocabulary may hold ``'`` and ``''``: a text of
    quote marks alone, or quotes round text in another script, read all (``' '``:
    positive 0.89 from the bundled model). Their ids stay the phone's; the counts take
    them as unknown, as fragments, in ASCII text and beside other scripts alike, within
    the model's length only and not twice inside an emoticon."""
    from sentigru.tokenizer import Tokenizer, Vocabulary

    vocab = Vocabulary.build(["' '' great film don't 'quoted'"] * 3, 100, 1)
    tokenizer = Tokenizer(vocab, 8)
    cases = {
        "' '": 2,
        "'' great": 1,
        "don't 'quoted' great": 0,  # apostrophes inside words
        "'これは最悪です'": 2,
        "great :'( '": 2,  # the ' of :'( is counted once, as the face's
        "great " * 10 + "'": 0,  # past the 7 words the model reads
        "x" * 20 + " " + "' " * 3: 3,
    }
    assert {text: tokenizer.cut_known(text) for text in cases} == cases
    assert tokenizer.ids("' '")[1:] == [vocab.index["'"]] * 2  # the phone's ids


def test_an_invisible_character_inside_a_word_makes_its_halves_fragments() -> None:
    """A soft hyphen or a zero-width space inside *laugh* splits it, on the phone too,
    into *la* and *ugh*: known words that flipped the answer while the text counted as
    read whole. They are fragments; such a character beside a space or at the text's
    ends (a direction mark after a word, an isolate around it), a byte order mark, and
    the joiner inside an emoji cut nothing."""
    from sentigru.tokenizer import Tokenizer, Vocabulary, hides_in_words

    tokenizer = Tokenizer(Vocabulary.build(["i didn't la ugh once great"] * 3, 100, 1), 16)
    cases = {
        "i didn't la\u00adugh once": 2,  # soft hyphen
        "i didn't la\u200bugh once": 2,  # zero-width space
        "i didn't la\u2060ugh once": 2,  # word joiner
        "\ufeffgreat": 0,  # a byte order mark
        "great\u200d👍": 0,  # the joiner of an emoji sequence
        "i didn't laugh once": 0,
        "great\u200e": 0,  # a direction mark after the last word
        "\u2068great\u2069 \u200bonce": 0,  # an isolate around it; a space beside
        "la\u200b\u200bugh": 0,  # two in a row: not a word on the other side of either
    }
    assert {text: tokenizer.cut_known(text) for text in cases} == cases
    assert all(hides_in_words(c) for c in "\u00ad\u200b\u200c\u200e\u2060\u2068")
    assert not any(hides_in_words(c) for c in "\ufeff\u200d\U000e0067a ")


def test_a_run_of_a_script_without_spaces_counts_by_its_length() -> None:
    """Chinese and Japanese put no space between words: a run of them is a clause, and
    counted as one word, four English words before fifteen Chinese characters made the
    text read "all". A run counts one word for every two such letters; a Korean run
    (spaced) stays one."""
    from sentigru.tokenizer import Tokenizer, Vocabulary, read_verdict

    tokenizer = Tokenizer(Vocabulary.build(["great product fast shipping ok"] * 3, 100, 1), 64)
    text = "Great product, fast shipping 质量很差用了两天就坏了非常失望"
    unread = tokenizer.unread_words(text)
    assert unread == 8
    assert read_verdict(tokenizer.known(text.lower()), unread) == "part"
    counts = {"最悪": 1, "最悪だ": 2, "별로예요": 1, "ok 👎": 1, "หนัง": 2}
    assert {t: tokenizer.unread_words(t) for t in counts} == counts


def test_emoji_and_emoticons_count_as_words_the_model_did_not_read() -> None:
    """The tokenizer reads nothing of 👎 or :( (a delimiter and punctuation to it), so a
    text whose sentiment is in them was counted as read whole: *ok 👎* read as *ok*. A
    run of emoji counts as one unread word, as a run of another script's letters does; an
    emoticon standing alone as one, and the word inside one (the 3 of <3) as a fragment.
    Clock times, paths and brackets are no emoticons."""
    from sentigru.tokenizer import FACE, Tokenizer, Vocabulary

    tokenizer = Tokenizer(Vocabulary.build(["ok great 3 D 10 30 C Users see"] * 3, 100, 1), 16)
    unread = {
        "ok 👎": 1,
        "great ⭐⭐⭐⭐⭐ great ❤️ 👨\u200d👩\u200d👧": 3,  # runs, joiners and selectors inside
        "最悪😡 ok": 1,  # one run of letters and emoji
        "great :( ok ;-) :'( :/": 3,  # :'( holds a word (') and counts as fragment or unknown
        "great :)))": 1,
        "ok <3 and :D": 0,  # words inside: counted as fragments
        "at 10:30, C:/Users (see 3) x=(1) ok:)": 0,
        "great\0 :(": 0,  # after a NUL nothing is read, nor counted
        "™ © ° → ● great": 0,  # symbols beside text, not emoji
    }
    assert {text: tokenizer.unread_words(text) for text in unread} == unread
    fragments = {"ok <3": 1, "ok </3 :D :3": 3, ":-D great": 1, "10:30 great": 0, "x:D": 0}
    assert {text: tokenizer.cut_known(text) for text in fragments} == fragments
    assert "(?<" not in FACE  # what the page gets: Safari before 16.4 has no look behind


def test_what_was_not_read_is_counted_within_the_models_reach() -> None:
    """A text of millions of emoticons or letters cost seconds and a gigabyte to count:
    the counts look through READ_CHARS characters an id and stop at the model's length,
    as the counts of known and unknown words do."""
    from sentigru.tokenizer import READ_CHARS, Tokenizer, Vocabulary

    tokenizer = Tokenizer(Vocabulary.build(["ok great 3"] * 3, 100, 1), 16)
    reach = READ_CHARS * 16
    assert tokenizer.unread_words(":( " * 100) == 15  # capped at seq_len - 1
    assert tokenizer.unread_words("é" * (reach + 10) + " :(") == 1  # the :( lies beyond
    assert tokenizer.unread_words("é" * (reach - 10) + " :(") == 2
    assert tokenizer.unread_words("aé " * 1_000_000) == 0  # cut letters: counted as fragments
    assert tokenizer.unread_words("最" * 3_000_000) == 15  # a letter pair a word, capped
    assert tokenizer.cut_known("ok <3 " * 50) == 7  # the 3s among the 15 words it reads
    assert tokenizer.cut_known("ok é <3 " * 50) == 7  # the same through the accented path


def test_a_third_of_the_words_unread_is_reading_part() -> None:
    """The rule the CLI's note and the web page share."""
    from sentigru.tokenizer import reads_part

    assert not reads_part(0, 5)  # no known word: a note of its own
    assert reads_part(2, 1) and reads_part(3, 2) and reads_part(4, 2)
    assert not reads_part(3, 1) and not reads_part(5, 2)


def test_words_after_a_nul_are_neither_counted_nor_read_in_long_texts() -> None:
    """The phone reads a C string: the vocabulary must not learn what it never sees,
    and a text too long for one ``findall`` stops at the NUL too."""
    counter = WordCounter()
    counter.add("seen\0unseen")
    assert dict(counter.counts) == {"seen": 1}
    long = "a " * 40_000 + "\0b"
    assert split(long)[-1] == "a" and "b" not in split(long)


@pytest.mark.parametrize(
    ("tokens", "aliases", "message"),
    [
        (("a", "b", "c", "d"), (), "must start with"),
        (("<PAD>", "<START>", "<UNKNOWN>", "w"), (("W", 9),), "points to no word"),
        (("<PAD>", "<START>", "<UNKNOWN>", "w"), (("W", 9), ("V", True)), "points to no word"),
        (("<PAD>", "<START>", "<UNKNOWN>", "w"), (("W", 1),), "points to no word"),
    ],
)
def test_a_vocabulary_the_phone_would_read_otherwise_is_refused(
    tokens: tuple[str, ...], aliases: tuple[tuple[str, int], ...], message: str
) -> None:
    """Saved, such a vocabulary could not be loaded again."""
    with pytest.raises(SentigruError, match=message):
        Vocabulary(tokens, aliases)


def test_known_ids_refuse_a_never_outside_the_pieces() -> None:
    """An id in ``never`` below ``first`` or past ``size`` would index the phone file's
    table out of range, or mean nothing: refused when built."""
    from sentigru.contract import REGEX_KNOWN_IDS, KnownIds

    assert KnownIds(4, (6, 9), 10).flags() == [0, 0, 0, 0, 1, 1, 0, 1, 1, 0]
    assert REGEX_KNOWN_IDS.first == 3 and not REGEX_KNOWN_IDS.never
    for first, never, size in ((4, (3,), 10), (4, (10,), 10)):
        with pytest.raises(ValueError, match="never"):
            KnownIds(first, never, size)
