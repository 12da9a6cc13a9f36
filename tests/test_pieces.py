"""The SentencePiece tokenizer's contract, without TensorFlow: training, refusals, the
readable-text check, and the spec field."""

from __future__ import annotations

import re

import pytest

from sentigru.errors import SentigruError
from sentigru.pieces import MIN_PIECES, Pieces, SentencePieceTokenizer
from sentigru.spec import Spec
from sentigru.train_data import check_readable

JAPANESE = ["この映画は本当に素晴らしかった", "最悪のサービスでした"] * 50


def test_regex_training_on_unreadable_text_names_sentencepiece_as_the_fix() -> None:
    with pytest.raises(SentigruError, match="--preset sentencepiece"):
        check_readable(JAPANESE, Spec())
    check_readable(JAPANESE, Spec().replace(tokenizer={"tokenizer": "sentencepiece"}))


def test_regex_training_on_accented_words_says_it_reads_their_fragments() -> None:
    """German and French train (most letters are ASCII), but the phone's tokenizer cuts
    every word with an umlaut or accent: ``train`` says so and names the fix; English
    with the odd *café* trains without a word."""
    german = [
        "Das Produkt ist fu\u0308r den Preis wirklich gut",
        "Schöne Farbe, schnelle Lieferung",
    ]
    heard: list[str] = []
    check_readable(german * 50, Spec(), log=heard.append)
    assert len(heard) == 1 and "fu\u0308r gives fu, r" in heard[0]  # an umlaut typed as a mark
    assert "--preset sentencepiece" in heard[0]
    english = ["A lovely little café with friendly staff and good coffee for the price"] + [
        "The service was slow but the food made up for it and we will be back"
    ] * 60
    heard.clear()
    check_readable(english, Spec(), log=heard.append)
    check_readable(
        german, Spec().replace(tokenizer={"tokenizer": "sentencepiece"}), log=heard.append
    )
    assert heard == []


def test_a_start_whose_pieces_know_none_of_the_text_is_refused() -> None:
    """SentencePiece spells any text, so a Korean model started on Japanese trained
    without a word and read 86 % of the dev text as unknown characters."""
    english = ["the film was wonderful and the acting superb", "a dull and boring plot"] * 60
    pieces = Pieces.train(english, MIN_PIECES)
    spec = Spec().replace(tokenizer={"tokenizer": "sentencepiece"})
    with pytest.raises(SentigruError, match="pieces know only 0% .* train without --init"):
        check_readable(JAPANESE, spec, start_vocab=pieces)
    check_readable([*english[:10], "a wonderful plot 😀"], spec, start_vocab=pieces)
    check_readable(JAPANESE, spec)  # pieces learnt from this text read it


def test_a_streamed_run_refuses_unreadable_text_before_its_pass(tmp_path) -> None:
    from conftest import write_tsv

    from sentigru.data.stream import StreamSource
    from sentigru.train_data import prepare

    rows = [("positive" if i % 2 else "negative", text) for i, text in enumerate(JAPANESE)]
    path = write_tsv(tmp_path / "ja.tsv", rows)
    with pytest.raises(SentigruError, match="--preset sentencepiece"):
        prepare(StreamSource([path]), Spec().replace(training={"stream": True}))


def test_a_streamed_run_gives_the_notes_on_its_text_as_a_run_in_memory(tmp_path) -> None:
    """``--stream`` trained German without the note on its cut words: the streamed
    branch of ``prepare_source`` did not pass the log on."""
    from conftest import write_tsv

    from sentigru.data import DataSource
    from sentigru.train_data import prepare_source

    german = ["Das Produkt ist für den Preis wirklich gut", "Schöne Farbe, schnelle Lieferung"]
    rows = [("positive" if i % 2 else "negative", f"{t} {i}") for i, t in enumerate(german * 40)]
    path = write_tsv(tmp_path / "de.tsv", rows)
    for stream in (False, True):
        heard: list[str] = []
        spec = Spec().replace(training={"stream": stream})
        prepare_source(DataSource.of(path), spec, log=heard.append)
        assert any("--preset sentencepiece" in line for line in heard), (stream, heard)


def test_the_spec_takes_the_tokenizer_and_refuses_others() -> None:
    assert Spec().tokenizer.tokenizer == "regex"  # old spec.json files read as before
    assert Spec.from_dict({"tokenizer": {"tokenizer": "sentencepiece"}}).tokenizer.tokenizer == (
        "sentencepiece"
    )
    with pytest.raises(SentigruError, match="tokenizer must be one of regex, sentencepiece"):
        Spec.from_dict({"tokenizer": {"tokenizer": "bpe"}})


def test_pieces_refuse_too_few_pieces_and_say_how_many() -> None:
    with pytest.raises(SentigruError, match=f"at least {MIN_PIECES}"):
        Pieces.train(JAPANESE, 100)
    with pytest.raises(SentigruError, match="vocab_size must be at least 384 with tokenizer"):
        Spec().replace(tokenizer={"tokenizer": "sentencepiece", "vocab_size": 100})  # bad usage
    Spec().replace(tokenizer={"vocab_size": 100})  # the regex tokenizer has no such floor
    many = ["".join(chr(0x4E00 + (i * 7 + j) % 2000) for j in range(40)) for i in range(400)]
    with pytest.raises(SentigruError, match=r"give --vocab-size \d+ or more") as refused:
        Pieces.train(many, 400)
    # the least that works, as said: it named 256 pieces more than it needed
    said = re.search(r"the (\d+) characters .* give --vocab-size (\d+)", str(refused.value))
    assert said is not None and int(said.group(1)) == len(set("".join(many)))
    least = int(said.group(2))
    with pytest.raises(SentigruError, match=f"give --vocab-size {least} or more"):
        Pieces.train(many, least - 1)
    assert len(Pieces.train(many, least)) >= least - 1


def test_pieces_used_fewer_than_min_count_times_are_left_out_of_the_model() -> None:
    """A piece the sample uses fewer than ``min_count`` times is removed, not marked
    unused, so its text is not in the file; single characters stay, so no character the
    sample holds falls back to byte pieces, and the ids stay dense from 0."""
    texts = [f"the {w} was {v} and the staff {v}" for w in ("room", "pool", "view")
             for v in ("great", "awful", "fine", "dull")] * 30  # fmt: skip
    texts.append("our host thistlewood was kind, thank you thistlewood")  # 2 uses
    whole = Pieces.train(texts, MIN_PIECES + 200)
    floor = Pieces.train(texts, MIN_PIECES + 200, min_count=3)
    assert " thistlewood" in dict(whole.entries()) and whole.tally[1] == 0
    assert b"thistlewood" not in floor.model and floor.tally == (0, len(whole) - len(floor))

    def characters(pieces: Pieces) -> set[str]:
        return {p.strip() for p, i in pieces.entries() if len(p.strip()) == 1}

    assert characters(whole) == characters(floor)
    assert sorted(i for _, i in floor.entries()) == list(range(len(floor)))
    ids = floor.processor.EncodeAsIds("thistlewood")
    assert ids and not any(floor.processor.IsByte(i) for i in ids)  # read as shorter pieces
    assert Pieces.train(texts, MIN_PIECES + 200, min_count=3).model == floor.model


def test_pieces_refuse_a_file_that_is_not_a_piece_model() -> None:
    with pytest.raises(SentigruError, match="not a SentencePiece model"):
        Pieces(b"\x00garbage")


def test_a_tokenizer_needs_room_for_cls_and_sep() -> None:
    pieces = Pieces.train(JAPANESE * 4, MIN_PIECES)
    with pytest.raises(SentigruError, match="seq_len"):
        SentencePieceTokenizer(pieces, 2)
    # Cut: the model reads less of the text than a longer model would.
    five, whole = SentencePieceTokenizer(pieces, 5), SentencePieceTokenizer(pieces, 4096)
    texts = ["".join(JAPANESE)[:n] for n in range(0, 40)]
    cut = [five.is_cut(t) for t in texts]
    assert cut == [five.ids(t)[1:-1] != whole.ids(t)[1:-1] for t in texts]
    assert True in cut and False in cut
    assert SentencePieceTokenizer(pieces, 3).ids("最悪") == [
        2,
        pieces.processor.EncodeAsIds("最悪")[0],
        3,
    ]


def test_known_pieces_leave_out_bytes_that_spell_unseen_characters() -> None:
    """A piece model learnt from English spells Japanese and emoji in byte pieces: they
    are no piece the model learnt, so such text has no known piece, as with the regex
    tokenizer; English words and the characters it learnt count, one by one."""
    english = [f"the {w} film was {v} and the acting {v}" for w in ("first", "new", "last")
               for v in ("great", "awful", "fine", "dull")] * 40  # fmt: skip
    tokenizer = SentencePieceTokenizer(Pieces.train(english, MIN_PIECES), 64)
    texts = ["最悪の映画だった", "😀😀", "", "the film was great"]
    assert [tokenizer.known(t) for t in texts[:3]] == [0, 0, 0]
    assert tokenizer.known(texts[3]) > 0
    assert any(tokenizer.vocab.processor.IsByte(i) for i in tokenizer.ids(texts[0]))
    rows = tokenizer.encode(texts)
    assert list(tokenizer.count_known(rows)) == [tokenizer.known(t) for t in texts]
    # Unknown: each character spelt in bytes once (3 bytes each for these kanji and kana,
    # 4 for the emoji), nothing for learnt pieces or an empty text.
    assert [tokenizer.unknown(t) for t in texts] == [8, 2, 0, 0]
    assert list(tokenizer.count_unknown(rows)) == [tokenizer.unknown(t) for t in texts]
    japanese = SentencePieceTokenizer(Pieces.train(JAPANESE * 4, MIN_PIECES), 64)
    assert japanese.known("最悪") > 0 and japanese.unknown("最悪") == 0


def test_pieces_of_punctuation_alone_are_no_known_word() -> None:
    """``???`` or ``!!!`` in a model's pieces are no word to read, as for the regex
    tokenizer: a text of them alone has none the model knows (a German model gave
    ``???`` three known pieces, and no note)."""
    english = [f"the {w} film was {v}!!! and the acting, {v}??? ... ★★" for w in ("first", "new")
               for v in ("great", "awful", "fine", "dull")] * 40  # fmt: skip
    tokenizer = SentencePieceTokenizer(Pieces.train(english, MIN_PIECES), 64)
    pieces = tokenizer.vocab.processor
    assert {"!", "?", ","} & {pieces.IdToPiece(i) for i in range(len(tokenizer.vocab))}
    assert [tokenizer.known(t) for t in ("???", "!!! ...", ", ,")] == [0, 0, 0]
    assert tokenizer.known("great!!!") == tokenizer.known("great") > 0
    assert tokenizer.known("★") == 1  # a symbol, not punctuation: it may tell something
    # The phone file's answer gate takes the same ids as known, one by one.
    known = tokenizer.known_ids()
    flags = known.flags()
    assert known.never and len(flags) == len(tokenizer.vocab)
    assert flags == [tokenizer.known_in([i]) for i in range(len(flags))]


def test_apostrophes_typed_on_phones_are_read_as_the_one_learnt() -> None:
    """iOS types isn’t and l’hôtel with U+2019: the piece model writes it (and ‘) as ',
    on the phone too (the parity corpus holds such texts), so a model learnt from text
    typed one way reads the other alike."""
    texts = [f"the film isn't {w}, l'hôtel c'est {v}" for w in ("good", "bad")
             for v in ("great", "awful", "dull")] * 50  # fmt: skip
    tokenizer = SentencePieceTokenizer(Pieces.train(texts, MIN_PIECES), 64)
    for typed in ("isn’t great, c’est l’hôtel", "isn‘t great, c‘est l‘hôtel"):
        assert tokenizer.ids(typed) == tokenizer.ids("isn't great, c'est l'hôtel")
    curly = [SentencePieceTokenizer(Pieces.train([t.replace("'", "’") for t in texts],
             MIN_PIECES), 64).ids(x) for x in ("isn't good", "isn’t good")]  # fmt: skip
    assert curly[0] == curly[1]  # learnt from curly text: the straight form reads alike


def test_typographic_double_quotes_read_as_the_straight_one() -> None:
    """iOS types “…” and „…“, French keyboards « … »: a German model that rarely saw „
    read it as byte pieces and the quoted word lost its piece (*Ich bin „sehr“
    zufrieden* turned negative). They are written as ", on the phone too."""
    texts = [f'ich bin "sehr" {w}, das ist "super" {v}' for w in ("gut", "schlecht")
             for v in ("toll", "mies", "okay")] * 50  # fmt: skip
    tokenizer = SentencePieceTokenizer(Pieces.train(texts, MIN_PIECES), 64)
    straight = tokenizer.ids('ich bin "sehr" gut')
    for typed in ("ich bin „sehr“ gut", "ich bin “sehr” gut", "ich bin «sehr» gut"):
        assert tokenizer.ids(typed) == straight
    assert tokenizer.ids("ich bin ‚sehr‘ gut") == tokenizer.ids("ich bin 'sehr' gut")


def test_a_lone_surrogate_is_read_as_the_replacement_character() -> None:
    """Bytes that are not UTF-8 reach Python as lone surrogates (an argument typed in a
    Latin-1 terminal, ``surrogateescape``); SentencePiece took no such text, and predict
    and training ended in a RuntimeError. A UTF-8 encoder writes U+FFFD for one, as a
    phone is handed it, and so does Python."""
    tokenizer = SentencePieceTokenizer(Pieces.train(JAPANESE * 4, MIN_PIECES), 64)
    assert tokenizer.ids("最悪 \udce9") == tokenizer.ids("最悪 \ufffd")
    assert tokenizer.known("最悪 \udce9") == tokenizer.known("最悪")
    Pieces.train([*JAPANESE, "caf\udce9 \ud83d"] * 4, MIN_PIECES)  # learns from it too


def test_the_phone_text_is_cut_at_the_nul_and_lowercased_in_ascii_only() -> None:
    """What MediaPipe does before SentencePiece: trained piece models case-fold anyway,
    so only this pins the ASCII-only lowercasing (``Ä`` stays, as on the phone)."""
    from sentigru.contract import phone_text

    assert phone_text("ABC Ä ﬁ İ\0XYZ") == "abc Ä ﬁ İ"


def test_the_sample_holds_texts_cut_to_their_read_length(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sample kept whole texts and cut them after (1.1 GB for 50,000 texts of 20,000
    characters, against its 100 MB bound): texts are cut as they are sampled, and the
    pieces are the same as from the texts cut beforehand."""
    from sentigru import pieces

    longest = []
    sample = pieces._reservoir

    def watched(texts, n, seed):  # type: ignore[no-untyped-def]
        kept = sample(texts, n, seed)
        longest.append(max(map(len, kept)))
        return kept

    monkeypatch.setattr(pieces, "_reservoir", watched)
    texts = [f"review {i} " + "good fine bad " * 400 for i in range(60)]  # 5,200 characters
    model = pieces.Pieces.train(texts, 400, seed=0).model
    assert longest == [pieces.SAMPLE_CHARS]
    cut = [t[: pieces.SAMPLE_CHARS] for t in texts]
    assert pieces.Pieces.train(cut, 400, seed=0).model == model
