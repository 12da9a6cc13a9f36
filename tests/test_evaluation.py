"""The metrics ``evaluate`` reports, against figures worked out by hand."""

from __future__ import annotations

import json

import pytest

import sentigru
from sentigru.evaluation import classification_report, format_report


def test_figures_match_a_hand_count() -> None:
    # true: a a a b b; predicted: a a b b a
    report = classification_report([0, 0, 0, 1, 1], [0, 0, 1, 1, 0], ["a", "b"])
    assert report["confusion_matrix"] == [[2, 1], [1, 1]]
    a, b = report["per_label"]["a"], report["per_label"]["b"]
    assert a["precision"] == pytest.approx(2 / 3) and a["recall"] == pytest.approx(2 / 3)
    assert b["precision"] == pytest.approx(1 / 2) and b["recall"] == pytest.approx(1 / 2)
    assert report["macro_f1"] == pytest.approx((2 / 3 + 1 / 2) / 2)
    assert report["accuracy"] == pytest.approx(3 / 5)
    # an asymmetric count tells precision from recall (the one above cannot: its matrix
    # is symmetric): true a a a a b, predicted a a a b b
    skewed = classification_report([0, 0, 0, 0, 1], [0, 0, 0, 1, 1], ["a", "b"])
    assert skewed["confusion_matrix"] == [[3, 1], [0, 1]]  # rows: the true labels
    a, b = skewed["per_label"]["a"], skewed["per_label"]["b"]
    assert (a["precision"], a["recall"]) == (pytest.approx(1.0), pytest.approx(3 / 4))
    assert (b["precision"], b["recall"]) == (pytest.approx(1 / 2), pytest.approx(1.0))
    assert (a["support"], b["support"]) == (4, 1)


def test_a_label_nothing_asked_of_has_no_figures_and_no_weight() -> None:
    """Five negative reviews, all read right: positive was neither in the data nor
    predicted, so its F1 is undefined, not 0, and the macro mean is negative's alone."""
    report = classification_report([0] * 5, [0] * 5, ["negative", "positive"])
    assert report["per_label"]["positive"] == {
        "precision": None, "recall": None, "f1": None, "support": 0
    }  # fmt: skip
    assert report["macro_f1"] == 1.0
    assert "n/a" in format_report(report)
    # Predicted but never true: precision 0 is a real figure and counts.
    wrong = classification_report([0] * 4, [0, 0, 0, 1], ["negative", "positive"])
    assert wrong["per_label"]["positive"]["f1"] == 0.0
    assert wrong["macro_f1"] == pytest.approx((2 * 0.75 / 1.75) / 2)


def test_the_report_says_where_the_averaging_and_zeros_move_the_figures() -> None:
    """A file of one label's rows, 94 % right, had macro-F1 0.49 with nothing saying
    why; a label never predicted had precision 0.0000 as if measured."""
    one_label = format_report(classification_report([0] * 4, [0, 0, 0, 1], ["neg", "pos"]))
    assert "note: pos is in no row of the data but was predicted: its recall and F1" in one_label
    never = format_report(classification_report([0, 0, 1, 1], [0] * 4, ["neg", "neu", "pos"]))
    assert "note: macro_f1 averages the labels in the data or the predictions, not pos" in never
    assert "note: neu was never predicted: its precision is taken as 0" in never
    plain = format_report(classification_report([0, 1], [0, 1], ["neg", "pos"]))
    assert "note" not in plain


def test_the_plain_report_gives_the_share_of_unknown_words_whatever_it_is() -> None:
    report = classification_report([0, 1], [0, 1], ["negative", "positive"])
    assert "unknown_words" not in format_report(report)  # no tokenizer figures: no line
    report["unknown_share"] = 0.0035
    lines = format_report(report).splitlines()
    assert lines[3] == "unknown_words\t0.35%" and not any("note" in x for x in lines)
    pieces = {**report, "tokenizer": "sentencepiece"}  # what it counts: pieces
    assert format_report(pieces).splitlines()[3] == "unknown_pieces\t0.35%"
    report["unknown_share"] = 0.5
    assert "note: 50% of the words read were unknown" in format_report(report)
    blind = {**report, "unknown_share": 0.0, "unread": 2}  # nothing read: no share to give
    assert format_report(blind).splitlines()[3] == "unknown_words\tn/a (no text read)"
    # English with typos: no tokenizer for other languages would read it better
    report.update(tokenizer="regex", non_ascii_texts=0)
    assert "--preset sentencepiece" not in format_report(report)
    report["non_ascii_texts"] = 1  # of 2 texts: accents, another script
    assert "--preset sentencepiece reads it" in format_report(report)
    report.update(tokenizer="sentencepiece", unread=1, partly_read=1)  # no words in 最悪
    pieces = format_report(report)
    assert "50% of the pieces read were unknown" in pieces and " word" not in pieces


def test_long_labels_keep_the_table_in_columns() -> None:
    """A label longer than the label column (``very positive and happy customer``)
    pushed its row's figures right of the header's."""
    labels = ["negative", "very positive and happy customer"]
    lines = format_report(classification_report([0, 1, 1], [0, 1, 0], labels)).splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("label"))
    rows = lines[header : header + 3]
    # right-aligned figures: every row ends where the header does, its label column wide
    assert len({len(row) for row in rows}) == 1, rows
    assert rows[2].startswith(labels[1] + " ")


def test_wide_labels_keep_both_tables_in_terminal_columns() -> None:
    """Japanese labels take two columns a character: padded by characters, their rows
    ran four to six columns past the header's."""
    from sentigru.evaluation import columns

    labels = ["否定的な評価", "肯定", "cafe\u0301"]  # the last with a combining accent
    assert [columns(label) for label in labels] == [12, 4, 4]
    decomposed = "\u1100\u1173\u11bc\u110c\u1165\u11bc"  # 긍정 in jamo (NFD)
    assert columns(decomposed) == columns("긍정") == 4
    assert columns("a\u200bb") == 2 and columns("👍🏽") == 2  # the tone joins the thumb
    lines = format_report(classification_report([0, 1, 2], [0, 1, 1], labels)).splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("label"))
    assert len({columns(row) for row in lines[header : header + 4]}) == 1
    confusion = lines.index("confusion (rows: true, columns: predicted)")
    assert len({columns(row) for row in lines[confusion + 1 : confusion + 5]}) == 1


def test_evaluating_on_the_training_data_says_so(trained_model, synthetic_files) -> None:
    """The manifest's data fingerprint names the rows the model was trained on."""
    clf = sentigru.load(trained_model)
    on_training = clf.evaluate(synthetic_files[0])
    assert on_training["training_data"] is True
    assert "this is the data the model was trained on" in format_report(on_training)
    on_other = clf.evaluate(synthetic_files[1])
    assert on_other["training_data"] is False
    assert "trained on" not in format_report(on_other)


@pytest.mark.parametrize("kind", ["held_out", "init"])
def test_training_rows_are_named_when_the_run_fingerprint_holds_more(
    trained_model, synthetic_files, tmp_path, kind: str
) -> None:
    """Trained with --val-data or --init, the folder's fingerprint names the run (its
    start model, its validation rows too); the training rows' own is kept apart, and
    evaluating on them said nothing."""
    import shutil

    folder = tmp_path / "m"
    shutil.copytree(trained_model, folder)
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    rows = manifest["data_fingerprint"]
    manifest.pop("held_out", None)
    manifest |= {"data_fingerprint": "f" * 64, kind: {"data_fingerprint": rows}}
    (folder / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    assert sentigru.load(folder).evaluate(synthetic_files[0])["training_data"] is True
    assert sentigru.load(folder).evaluate(synthetic_files[1])["training_data"] is False


def test_a_folder_trained_again_since_loading_names_no_training_data(
    trained_model, synthetic_files, tmp_path
) -> None:
    """A server holds a classifier while its folder is trained again on other rows: the
    new manifest's fingerprint named the held model's training data, the wrong way round."""
    import json
    import shutil

    from sentigru.data import read_examples

    folder = shutil.copytree(trained_model, tmp_path / "model")
    clf = sentigru.load(folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"]["model.keras"]["sha256"] = "0" * 64  # another network since
    manifest["data_fingerprint"] = read_examples(synthetic_files[1]).examples.fingerprint()
    (folder / "manifest.json").write_text(json.dumps(manifest))
    assert clf.evaluate(synthetic_files[1])["training_data"] is False


def test_the_note_on_texts_read_not_at_all_says_how_they_were_counted() -> None:
    """Texts with no word id get every label 1/n from the model, which the accuracy
    counts as its first label: the note says so (it said "scored blind", as if the model
    had guessed); texts of fragments alone (*caf* of *café*) were scored blind."""
    report = classification_report([0, 1, 1], [0, 0, 1], ["negative", "positive"])
    report.update(unread=2, no_answer=2)
    gated = "no answer: every label 1/n, counted as the first, 'negative'"
    assert f"2 texts had no word the model knows ({gated})" in format_report(report)
    report.update(no_answer=1)
    assert f"(1 of them {gated}; the other scored blind)" in format_report(report)
    report.update(no_answer=0)
    assert "2 texts had no word the model knows (scored blind)" in format_report(report)


def test_labels_read_the_other_way_round_are_named() -> None:
    """SST-2 dev mapped 0=positive,1=negative read 13 % with the bundled model and nothing
    was said; answers that fit another reading of the labels far better get a note naming
    it, and a model that is merely weak (or a reading that gains little) gets none."""
    from sentigru.evaluation import label_swap, report_notes, swap_note

    labels = ["negative", "positive"]
    swapped = [[12, 104], [70, 14]]
    order, named, read = label_swap(swapped)
    assert order == (1, 0) and round(named, 2) == 0.13 and round(read, 2) == 0.87
    note = swap_note((order, named, read), labels, "the data's")
    assert "'negative' as 'positive', 'positive' as 'negative': 87.0% right" in note
    assert label_swap([[50, 50], [48, 52]]) is None  # a coin: no reading fits better
    assert label_swap([[30, 20], [20, 30]]) is None  # weak, not swapped
    assert label_swap([[2, 7], [7, 2]]) is None  # too few rows to say
    assert label_swap([[0, 90], [0, 10]]) is None  # one answer to all: not swapped
    three = [[40, 2, 1], [3, 5, 40], [2, 38, 6]]  # two of three swapped
    order, _, _ = label_swap(three)
    assert order == (0, 2, 1)
    assert "'neutral'" in swap_note(label_swap(three), ["negative", "neutral", "positive"], "")
    assert "'negative' as" not in swap_note(
        label_swap(three), ["negative", "neutral", "positive"], ""
    )
    report = classification_report(
        [0] * 58 + [1] * 42, [1] * 55 + [0] * 3 + [0] * 40 + [1] * 2, labels
    )
    assert any("read another way" in line for line in report_notes(report))


def test_evaluate_hands_its_notes_to_python_and_json(trained_model, synthetic_files) -> None:
    """A notebook got the figures without the notes the CLI prints under them: the report
    carries them, here the labels of a file named the other way round."""
    from click.testing import CliRunner

    from sentigru.cli import main

    clf = sentigru.load(trained_model)
    swap = "negative=positive,positive=negative"
    report = clf.evaluate(synthetic_files[1], label_map=swap)
    assert report["accuracy"] < 0.3, report["accuracy"]
    assert any("are they named the other way round" in note for note in report["notes"])
    assert not any("other way" in note for note in clf.evaluate(synthetic_files[1])["notes"])
    args = ["evaluate", "--model", str(trained_model), "--data", str(synthetic_files[1])]
    result = CliRunner().invoke(main, [*args, "--label-map", swap])
    assert result.exit_code == 0 and "are they named the other way round" in result.output
    assert "(label_map=)" not in result.output  # the command line's names alone
    result = CliRunner().invoke(main, [*args, "--label-map", swap, "--json"])
    notes = json.loads(result.stdout)["notes"]
    assert any("--label-map renames" in n for n in notes) and "(label_map=)" not in str(notes)
