"""The negation training sentences in data/: rewritten byte for byte by their generator,
balanced, labelled as built, and sharing no content word with the behaviour checks, so
that the checks still measure what a model trained on them learnt."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections import Counter
from pathlib import Path

import pytest
from conftest import shared_file

ROOT = Path(__file__).resolve().parents[1]


def _generator():  # type: ignore[no-untyped-def]
    path = ROOT / "benchmarks" / "negation_rows.py"
    spec = importlib.util.spec_from_file_location("negation_rows", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("negation_rows", module)
    spec.loader.exec_module(module)
    return module


gen = _generator()


@pytest.fixture(scope="module")
def rows() -> list[tuple[str, str]]:
    lines = gen.OUT.read_text("utf-8").splitlines()
    assert lines[0] == "label\ttext"
    return [tuple(line.split("\t")) for line in lines[1:]]  # type: ignore[misc]


def test_regenerating_gives_the_same_bytes(tmp_path: Path) -> None:
    gen.write(tmp_path / "n.tsv")
    assert (tmp_path / "n.tsv").read_bytes() == gen.OUT.read_bytes()


def test_balanced_and_distinct(rows: list[tuple[str, str]]) -> None:
    counts = Counter(label for label, _ in rows)  # 2,400 unnegated ones replaced: 6,763 / 6,837
    assert sum(counts.values()) == 13_600 and abs(counts["positive"] - counts["negative"]) < 100
    assert len({text for _, text in rows}) == len(rows)


def test_no_content_word_of_the_checks() -> None:
    gen.check_disjoint()  # exits naming the shared words
    checks = set()
    for path in (ROOT / "data" / "checks").glob("*.tsv"):
        checks |= set(gen.words(path.read_text("utf-8")))
    assert gen.content_words() and not gen.content_words() & checks


def test_a_shared_word_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    kinds = dict(gen.KINDS)
    subject, pos, neg = kinds["meal"]
    kinds["meal"] = (subject, pos + ",delicious", neg)
    monkeypatch.setattr(gen, "KINDS", kinds)
    with pytest.raises(SystemExit, match="delicious"):
        gen.check_disjoint()


def test_labels_follow_from_the_words(rows: list[tuple[str, str]]) -> None:
    """A negated sentence takes the label opposite to its sentiment word's; a "but"
    sentence takes its second clause's; a plain one its word's: in the shipped file's
    sentences of E's kinds, whose words come from the wide lexicon too, and in E's own
    sentences. (The shape sentences after them: the shape tests below.)"""
    lexicon = gen.load_lexicon()
    wide = {w: label for label, found in lexicon.items() for w in found}
    assert_labels_follow(rows[: len(gen.balanced_rows(lexicon)) - gen.COMMON_ROWS], wide)
    assert_labels_follow(gen.rows(), {})


def test_the_shipped_file_is_candidate_cw_s_sentences(rows) -> None:  # type: ignore[no-untyped-def]
    lexicon, frequent = gen.load_lexicon(), gen.load_frequent()
    assert {len(lexicon["positive"]), len(lexicon["negative"])} == {57, 94}
    assert not set(lexicon["positive"]) & set(lexicon["negative"])
    assert {len(frequent["positive"]), len(frequent["negative"])} == {37, 17}
    assert rows == gen.frequent_rows(lexicon, frequent)
    wide = {w for found in lexicon.values() for w in found}
    used = {w for _, text in rows for w in gen.words(text)}
    assert len(used & wide) > 0.9 * len(wide)  # nearly every word of the lexicon is taught
    taught = gen.taught_words() - gen.common_words()
    assert taught and taught <= used  # and every frequent judgement


def test_a_check_word_in_the_lexicon_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    lexicon = gen.load_lexicon()
    lexicon["positive"].append("wonderful")  # a word of the checks
    path = tmp_path / "lexicon.json"
    path.write_text(json.dumps(lexicon), "utf-8")
    monkeypatch.setattr(gen, "LEXICON", path)
    with pytest.raises(SystemExit, match="wonderful"):
        gen.check_disjoint()


def test_the_shipped_lexicon_is_read_off_the_training_data() -> None:
    """``data/negation_lexicon.json`` is what :func:`wide_lexicon` reads off SST-2 train
    and IMDB train without the proxy's held-out films, as the candidate measured."""
    shared_file("imdb", "train.tsv.gz")
    shared_file("sst2", "train.tsv.gz")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import candidates
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    imdb, sst = candidates.load("imdb/train.tsv.gz"), candidates.load("sst2/train.tsv.gz")
    held = set(candidates.g_rows(imdb))
    assert candidates.k_lexicon(imdb, sst, held) == gen.load_lexicon()


def test_the_shipped_frequent_judgements_are_read_off_the_training_data() -> None:
    """``data/negation_frequent.json`` is what :func:`frequent_judgements` reads off the
    training domains' sample and SST-2 train, as candidate Cw measured."""
    for name in ("clothing", "fine-food", "products-summaries"):
        shared_file("reviews-en", f"{name}.tsv.gz")
    shared_file("sst2", "train.tsv.gz")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import candidates
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    mix, sst = candidates.domain_mix(candidates.WIDER), candidates.load("sst2/train.tsv.gz")
    found = gen.frequent_judgements(candidates.pairs(mix) + candidates.pairs(sst))
    assert found == gen.load_frequent()


def assert_labels_follow(rows: list[tuple[str, str]], extra: dict[str, str]) -> None:
    polarity = dict(extra)
    for _, pos, neg in gen.KINDS.values():
        polarity.update({w: "positive" for w in pos.split(",")})
        polarity.update({w: "negative" for w in neg.split(",")})
    for verbs, label in ((gen.ADMIRE, "positive"), (gen.DESPISE, "negative")):
        for verb in verbs.split(","):  # about oneself: *I adore*, *I detest*
            polarity.update({f"{verb}{end}": label for end in ("", "d", "ed")})
    polarity.update({"complaints": "negative", "complain": "negative", "mind": "negative"})
    polarity["let"] = "negative"
    negators = re.compile(
        r"n't|\bnot\b|\bnever\b|no longer|hardly|far from|\b(?:is|was|are|were)nt\b", re.I
    )
    checked = 0
    for label, text in rows:
        clause = text.split(", but ")[-1]
        found = [w for w in re.findall(r"[\w-]+", clause.lower()) if w in polarity]
        assert len(found) == 1, text
        word = polarity[found[0]]
        negated = bool(negators.search(clause) or re.search(r"\bno\b", clause))
        negated = negated and ", but " not in text
        expected = word if not negated else ({"positive", "negative"} - {word}).pop()
        assert label == expected, text
        checked += 1
    assert checked == len(rows)


def test_the_wide_lexicon_reads_polarity_and_use_off_the_data() -> None:
    """Candidate K's words: labelled alone by SST-2, used as an adjective and mostly of
    that label in IMDB; an adverb, a word split between labels and a check's word are
    left out."""
    check_word = "wonderful"
    assert check_word in gen.check_words()
    sst = [("positive", w) for w in ("dazzling", "splendidly", "baffling", check_word)]
    sst += [("negative", "putrid "), ("negative", "rarely")]
    imdb = [("positive", "It was so dazzling, and splendidly shot.")] * 25
    imdb += [("negative", "Gruesome. It is really putrid. I rarely saw worse.")] * 25
    imdb += [("positive", f"The cast is {check_word}.")] * 25
    imdb += [(label, "The plot was baffling.") for label in ("positive", "negative") * 15]
    assert gen.wide_lexicon(sst, imdb) == {"positive": ["dazzling"], "negative": ["putrid"]}
    assert gen.wide_lexicon(sst, imdb[:19] + imdb[25:]) == {
        "positive": [],
        "negative": ["putrid"],
    }


def test_the_wide_rows_use_the_lexicon_and_keep_their_labels(rows) -> None:  # type: ignore[no-untyped-def]
    made = gen.wide_rows({"positive": ["dazzling"], "negative": ["putrid"]})
    assert Counter(label for label, _ in made) == {"positive": 4400, "negative": 4400}
    assert sum("dazzling" in t for _, t in made) > 200 < sum("putrid" in t for _, t in made)
    assert_labels_follow(made, {"dazzling": "positive", "putrid": "negative"})
    assert not gen._WIDE  # E's own sentences are as before
    assert not {w for _, t in gen.rows() for w in gen.words(t)} & {"dazzling", "putrid"}


def action_polarity(lexicon: dict[str, tuple[str, str]]) -> dict[str, str]:
    """The first word of each action (*lags*, *lag*) and the polarity of its action."""
    polarity = {}
    for pos, neg in lexicon.values():
        for phrases, label in ((pos, "positive"), (neg, "negative")):
            for pair in phrases.split(","):
                polarity.update({form.split()[0]: label for form in pair.split("|")})
    return polarity


def test_the_shape_rows_carry_the_labels_their_words_give() -> None:
    """Candidate F's added sentences: a negated whole thing or action takes the label
    opposite to its word's, a plain one its word's; balanced, distinct."""
    polarity = {}
    for _, pos, neg in gen.KINDS.values():
        polarity.update({w: "positive" for w in pos.split(",")})
        polarity.update({w: "negative" for w in neg.split(",")})
    polarity.update(action_polarity(gen.ACTIONS))
    made = gen.shape_rows()
    assert Counter(label for label, _ in made) == {"positive": 1200, "negative": 1200}
    assert len({text for _, text in made}) == len(made)
    negators = re.compile(r"n't|\bnot\b|\bnever\b|\bisnt\b", re.I)
    things = sorted((s for kind in gen.KINDS for s, _ in gen.subjects(kind)), key=len)
    for label, text in made:
        rest = text.lower()
        for thing in reversed(things):  # the longest first: "the refund process"
            rest = re.sub(rf"\b{re.escape(thing.removeprefix('the '))}\b", " ", rest)
        found = [w for w in re.findall(r"[\w-]+", rest) if w in polarity]
        assert len(found) == 1, text
        word = polarity[found[0]]
        flipped = ({"positive", "negative"} - {word}).pop()
        assert label == (flipped if negators.search(text) else word), text


def test_the_wide_shape_rows_use_the_lexicon_in_whole_thing_sentences() -> None:
    made = gen.wide_shape_rows({"positive": ["dazzling"], "negative": ["putrid"]})
    assert Counter(label for label, _ in made) == {"positive": 1200, "negative": 1200}
    assert len({text for _, text in made}) == len(made)
    for label, text in made:
        if "dazzling" in text or "putrid" in text:
            negated = re.search(r"n't|\bnot\b|\bisnt\b", text, re.I) is not None
            positive_word = "dazzling" in text
            assert (label == "positive") == (positive_word != negated), text
    assert sum("dazzling" in t or "putrid" in t for _, t in made) > 100
    assert not gen._WIDE and gen.shape_rows() != made


def test_the_negated_shape_rows_are_negated_balanced_and_labelled_by_the_flip() -> None:
    made = gen.negated_shape_rows({"positive": ["dazzling"], "negative": ["putrid"]})
    counts = Counter(label for label, _ in made)
    assert sum(counts.values()) > 1150 and abs(counts["positive"] - counts["negative"]) < 20
    assert len({text for _, text in made}) == len(made)
    assert all(gen.NEGATED.search(text) for _, text in made)
    for label, text in made:
        if "dazzling" in text or "putrid" in text:  # a negated word flips its label
            assert (label == "positive") == ("putrid" in text), text
    assert not gen._WIDE


def label_shares(made: list[tuple[str, str]]) -> dict[str, tuple[float, int]]:
    """Each function word's share of positive sentences, and how many hold it."""
    counts: dict[str, Counter] = {}
    for label, text in made:
        for word in set(re.findall(r"[\w']+", text.lower())) & gen.FUNCTION:
            counts.setdefault(word, Counter())[label] += 1
    return {w: (c["positive"] / sum(c.values()), sum(c.values())) for w, c in counts.items()}


def test_no_function_word_gives_the_label_away_in_the_balanced_sentences() -> None:
    lexicon = gen.load_lexicon()
    in_k = label_shares(gen.wide_rows(lexicon))  # what the balanced sentences mend
    assert all(in_k[w][0] in (0.0, 1.0) for w in ("at", "all", "anymore", "didn't"))
    for made in (gen.balanced_rows(lexicon), gen.balanced_shape_rows(lexicon)):
        assert Counter(label for label, _ in made)["positive"] * 2 == len(made)
        for word, (share, n) in label_shares(made).items():
            assert n < 60 or 0.35 <= share <= 0.65, (word, share, n)
    assert any(t.startswith("I didn't detest") for _, t in gen.balanced_rows(lexicon))
    assert not gen._BALANCED and not gen._WIDE


def test_the_short_rows_are_balanced_labelled_by_their_words_and_use_every_negator_both_ways() -> (
    None
):
    """Candidate Q's replies (*Not tasteless at all.*, *Didn't adore it.*): the label
    follows from the one sentiment word and the negation, and no negator or ending
    gives the label away."""
    lexicon = gen.load_lexicon()
    made = gen.short_rows(lexicon)
    assert Counter(label for label, _ in made) == {"positive": 1200, "negative": 1200}
    assert len({text for _, text in made}) == len(made)
    wide = {w: label for label, found in lexicon.items() for w in found}
    assert_labels_follow(made, wide)
    for cue in ("not", "never", "hardly", "didn't", "don't", "isn't", "it's", "at all"):
        labels = Counter(lab for lab, t in made if re.search(rf"\b{cue}\b", t, re.I))
        assert min(labels.values()) > 0.4 * sum(labels.values()), (cue, labels)
    assert not gen._WIDE


def test_the_wide_action_rows_flip_the_label_of_a_negated_action() -> None:
    """Candidate R's sentences: a negated action takes the label opposite to the
    action's, a plain one the action's; balanced, distinct, *no longer* among them."""
    polarity = action_polarity(gen.WIDE_ACTIONS)
    made = gen.wide_action_rows()
    assert Counter(label for label, _ in made) == {"positive": 1200, "negative": 1200}
    assert len({text for _, text in made}) == len(made)
    assert any("no longer" in text for _, text in made)
    negators = re.compile(r"n't|\bnot\b|\bnever\b|no longer", re.I)
    for label, text in made:
        found = [w for w in re.findall(r"[\w-]+", text.lower()) if w in polarity]
        assert len(found) == 1, text
        flipped = ({"positive", "negative"} - {polarity[found[0]]}).pop()
        assert label == (flipped if negators.search(text) else polarity[found[0]]), text


def test_the_common_rows_negate_the_common_words_and_no_other_check_word() -> None:
    """Candidate T's sentences: each holds one word of ``COMMON`` (or a past form, or
    *regrets*), negated or not, and takes the label that gives; balanced and distinct;
    every other word is a function word or none of the checks'."""
    polarity = {}
    for label, (adjectives, verbs) in gen.COMMON.items():
        for word in adjectives.split(","):
            polarity[word] = label
        for verb in verbs.split(","):
            polarity.update({verb: label, gen.past(verb): label})
    polarity["regrets"] = "negative"
    made = gen.common_rows()
    assert Counter(label for label, _ in made) == {"positive": 1200, "negative": 1200}
    assert len({text for _, text in made}) == len(made)
    negators = re.compile(r"n't|\bnot\b|\bnever\b|no longer|\bno\b|\b(?:is|was|are|were)nt\b")
    flipped = 0
    for label, text in made:
        found = [w for w in gen.words(text) if w in polarity]
        assert len(found) == 1, text
        negated = bool(negators.search(text.lower()))
        expected = (
            polarity[found[0]]
            if not negated
            else ({"positive", "negative"} - {polarity[found[0]]}).pop()
        )
        assert label == expected, text
        flipped += negated
    assert 0.6 < flipped / len(made) < 0.72  # two thirds negated
    others = {w for _, text in made for w in gen.words(text)} - set(polarity) - gen.FUNCTION
    assert others and not others & gen.check_words()
    taught = {w for pair in gen.COMMON.values() for words in pair for w in words.split(",")}
    assert taught <= gen.check_words()  # the words it teaches are the checks' own


def test_u_puts_the_common_sentences_in_place_of_the_first_balanced_ones() -> None:
    lexicon = gen.load_lexicon()
    shapes, common = gen.balanced_shape_rows(lexicon), gen.common_rows()
    balanced = gen.balanced_rows(lexicon)[len(common) :]
    made = gen.common_in_place_rows(lexicon)
    assert made == balanced + shapes + gen.short_rows(lexicon) + common


def test_c_keeps_every_negated_sentence_and_gives_up_plain_ones() -> None:
    """Candidate C's sentences: the 2,400 common ones take the place of plain and "but"
    sentences only, so every negated sentence over the rare words stays."""
    lexicon = gen.load_lexicon()
    balanced, made = gen.balanced_rows(lexicon), gen.common_for_unnegated_rows(lexicon)
    negated = [row for row in balanced if gen.NEGATOR.search(row[1])]
    assert len(negated) == 4800 and len(balanced) - len(negated) == 4000  # 2,400 + 1,600
    assert set(negated) <= set(made) and len(made) == 13_600
    assert made[-gen.COMMON_ROWS :] == gen.common_rows()


def test_the_frequent_judgements_are_check_words_read_off_the_rows_by_use_and_polarity() -> None:
    """Candidate Cw's words: a check adjective of the polarity the checks give it, in
    enough training texts, most of them of that polarity; never a word of ``COMMON``."""
    rows = [("negative", "it was boring")] * 80 + [("positive", "never boring")] * 20
    rows += [("negative", "so cheap")] * 60 + [("positive", "cheap and fine")] * 40
    rows += [("positive", "comfortable shoes")] * 99  # one text short
    rows += [("positive", "a fast and good phone")] * 150
    found = gen.frequent_judgements(rows)
    assert found == {"positive": ["fast"], "negative": ["boring"]}
    assert not {w for words in found.values() for w in words} & gen.common_words()


def test_cw_s_sentences_are_c_s_with_the_common_ones_drawing_more_words() -> None:
    """Candidate Cw's sentences: C's, as many, the same but for the 2,400 over the
    commonest judgements, which now also negate the frequent words, labelled by the flip."""
    lexicon = gen.load_lexicon()
    frequent = {"positive": ["comfortable"], "negative": ["terrible", "boring"]}
    c, made = gen.common_for_unnegated_rows(lexicon), gen.frequent_rows(lexicon, frequent)
    n = gen.COMMON_ROWS
    assert len(made) == len(c) and made[:-n] == c[:-n]
    polarity = {"comfortable": "positive", "terrible": "negative", "boring": "negative"}
    used = Counter()
    for label, text in made[-n:]:
        found = [w for w in gen.words(text) if w in polarity]
        if found:
            negated = bool(gen.NEGATOR.search(text))
            assert label == (
                polarity[found[0]]
                if not negated
                else {"positive": "negative", "negative": "positive"}[polarity[found[0]]]
            ), text
            used[found[0]] += 1
    assert set(used) == set(polarity) and min(used.values()) > 20
    assert gen.common_rows() == c[-n:]  # the words are back to COMMON's afterwards
