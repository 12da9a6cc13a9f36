"""Training on unlabelled text with a teacher's scores (``--unlabelled --teacher``):
the texts are read in every supported form, their targets are the teacher's scores in
the student's label order, and a student given few labels learns from them."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import SMALL, synthetic_reviews, write_tsv

import sentigru
from sentigru.cli import main
from sentigru.data import Examples
from sentigru.data.files import ReadOptions, read_texts
from sentigru.data.scored import read_scored
from sentigru.errors import SentigruError
from sentigru.presets import MODELS
from sentigru.spec import Spec
from sentigru.train_data import Unlabelled, prepare


def test_read_texts_takes_every_form_of_unlabelled_text(tmp_path: Path) -> None:
    (tmp_path / "a.tsv").write_text("text\nfirst one\n\nsecond\ttoo many\n", "utf-8")
    with pytest.raises(SentigruError, match=r"a.tsv:4: expected 1 fields"):
        read_texts(tmp_path / "a.tsv")
    (tmp_path / "b.csv").write_text('label,text\n1,"quoted, text"\n0,plain\n', "utf-8")
    assert read_texts(tmp_path / "b.csv") == ["quoted, text", "plain"]
    (tmp_path / "c.jsonl").write_text('{"text": "no label here"}\n\n{"text": "x", "label": 1}\n')
    assert read_texts(tmp_path / "c.jsonl") == ["no label here", "x"]
    with gzip.open(tmp_path / "d.txt.gz", "wt", encoding="utf-8") as f:
        f.write("one text per line\n\n  spaced  \n")
    assert read_texts(tmp_path / "d.txt.gz") == ["one text per line", "  spaced  "]
    folder = tmp_path / "unsup"
    folder.mkdir()
    (folder / "2.txt").write_text("second file")
    (folder / "1.txt").write_text("first file")
    assert read_texts(folder) == ["first file", "second file"]
    (tmp_path / "e.tsv").write_text("review\nsomething\n")
    with pytest.raises(SentigruError, match="no column 'text'"):
        read_texts(tmp_path / "e.tsv")
    (tmp_path / "f.txt").write_text("\n\n")
    with pytest.raises(SentigruError, match="no texts found"):
        read_texts(tmp_path / "f.txt")
    # the labelled data's --text-column names a column of its table, none of a text file
    review = ReadOptions(text_column="review")
    assert read_texts(tmp_path / "d.txt.gz", review) == ["one text per line", "  spaced  "]
    assert read_texts(tmp_path / "e.tsv", review) == ["something"]


def test_read_scored_takes_a_teachers_probabilities_per_label(tmp_path: Path) -> None:
    table = tmp_path / "s.tsv.gz"
    with gzip.open(table, "wt", encoding="utf-8") as f:
        f.write("positive\ttext\tnegative\n0.9\tgood one\t0.1\n\n0.25\tbad one\t0.75\n")
    texts, labels, scores = read_scored(table)
    assert texts == ["good one", "bad one"] and labels == ["positive", "negative"]
    np.testing.assert_allclose(scores, [[0.9, 0.1], [0.25, 0.75]])
    lines = tmp_path / "s.jsonl"
    lines.write_text('{"text": "a", "x": 0.5, "y": 0.5}\n{"y": 1, "text": "b", "x": 0}\n')
    texts, labels, scores = read_scored(lines)
    assert texts == ["a", "b"] and labels == ["x", "y"]
    np.testing.assert_allclose(scores, [[0.5, 0.5], [0.0, 1.0]])
    _, labels, _ = read_scored(lines, ReadOptions(label_map={"x": "negative"}))
    assert labels == ["negative", "y"]  # renamed as the training labels are
    # column names in either Unicode form, and files joined each with a byte-order mark,
    # as labelled files are read (the same header read there was refused here)
    decomposed = tmp_path / "nfd.tsv"
    decomposed.write_text("texte_e\u0301crit\tneg\tpos\ngood\t0.1\t0.9\n", "utf-8")
    assert read_scored(decomposed, ReadOptions(text_column="texte_\u00e9crit"))[0] == ["good"]
    joined = tmp_path / "joined.jsonl"
    joined.write_text('\ufeff{"text": "a", "x": 0.5, "y": 0.5}\n' * 2, "utf-8")
    assert read_scored(joined)[0] == ["a", "a"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("text\tpositive\ngood\t1.0\n", "needs one score column per label"),
        ("text\tneg\tpos\ngood\t0.5\t0.6\n", "s.tsv:2: scores must be probabilities"),
        ("text\tneg\tpos\ngood\t-0.1\t1.1\n", "s.tsv:2: scores must be probabilities"),
        ("text\tneg\tpos\ngood\thigh\tlow\n", "s.tsv:2: a score is not a number"),
        ("text\tneg\tpos\n \t0.5\t0.5\n", "s.tsv:2: empty text"),
        ("review\tneg\tpos\n", "no column 'text'"),
        ("text\tneg\tpos\n", "no scored texts found"),
    ],
)
def test_read_scored_refuses_what_is_not_a_teachers_scores(
    content: str, message: str, tmp_path: Path
) -> None:
    (tmp_path / "s.tsv").write_text(content, "utf-8")
    with pytest.raises(SentigruError, match=message):
        read_scored(tmp_path / "s.tsv")


def test_read_scored_reads_quotes_and_numbers_as_labelled_files_do(tmp_path: Path) -> None:
    """A CSV quote closing a field with text after it was read on ('"good" film' as
    'good film': another text than the teacher scored), and JSON's true was a
    probability of 1."""
    (tmp_path / "s.csv").write_text('text,neg,pos\n"good" film,0.1,0.9\nok,0.5,0.5\n', "utf-8")
    with pytest.raises(SentigruError, match="s.csv:2: a quote closes the field with text"):
        read_scored(tmp_path / "s.csv")
    texts, _, _ = read_scored(tmp_path / "s.csv", ReadOptions(skip_bad_rows=True))
    assert texts == ["ok"]
    # a quote left open that closes lines later: refused even when skipping (skipped,
    # the rows it swallowed were lost as "1 bad row"), naming the line it opened on
    (tmp_path / "m.csv").write_text('text,neg,pos\n"a\nb,0.5,0.5\nc" x,0.5,0.5\n', "utf-8")
    for skip in (False, True):
        with pytest.raises(SentigruError, match="m.csv:2: the quote that opens here closes"):
            read_scored(tmp_path / "m.csv", ReadOptions(skip_bad_rows=skip))
    (tmp_path / "s.jsonl").write_text('{"text": "good", "neg": false, "pos": true}\n', "utf-8")
    with pytest.raises(SentigruError, match="s.jsonl:1: a score is not a number"):
        read_scored(tmp_path / "s.jsonl")


def test_read_scored_skips_bad_rows_when_asked(tmp_path: Path) -> None:
    (tmp_path / "s.tsv").write_text("text\tneg\tpos\na\t0.5\t0.6\nb\t0.5\t0.5\n", "utf-8")
    texts, _, _ = read_scored(tmp_path / "s.tsv", ReadOptions(skip_bad_rows=True))
    assert texts == ["b"]


def _unlabelled(scores: list[list[float]], labels: list[str]) -> Unlabelled:
    texts = [f"zorblax text {i}" for i in range(len(scores))]
    return Unlabelled(texts, np.array(scores, np.float32), labels, "teacher-hash")


def test_teacher_scores_follow_the_students_label_order() -> None:
    soft = _unlabelled([[0.9, 0.1], [0.2, 0.8]], ["positive", "negative"])
    expected = np.array([[0.1, 0.9], [0.8, 0.2]], np.float32)
    np.testing.assert_array_equal(soft.targets(["negative", "positive"]), expected)
    with pytest.raises(SentigruError, match="teacher's labels"):
        soft.targets(["bad", "good"])


def test_unlabelled_rows_join_training_with_their_scores() -> None:
    rows = synthetic_reviews(60, seed=3)
    examples = Examples([t for _, t in rows], [label for label, _ in rows])
    spec = Spec().with_settings({"val_split": 0.1, "seq_len": 64, "vocab_size": 500})
    soft = _unlabelled([[0.3, 0.7]] * 5, ["negative", "positive"])
    plain = prepare(examples, spec)
    taught = prepare(examples, spec, unlabelled=soft)
    assert taught.train_rows == plain.train_rows + 5 and taught.unlabelled_rows == 5
    assert taught.counts == plain.counts and taught.val_rows == plain.val_rows
    assert "zorblax" in taught.vocab.tokens and "zorblax" not in plain.vocab.tokens
    assert taught.fingerprint != plain.fingerprint
    other = _unlabelled([[0.4, 0.6]] * 5, ["negative", "positive"])
    assert prepare(examples, spec, unlabelled=other).fingerprint != taught.fingerprint
    targets = np.concatenate([y.numpy() for _, y in taught.pipelines("train", None, 16, (0, 1))])
    assert len(targets) == taught.train_rows
    assert np.isclose(targets, [0.3, 0.7]).all(axis=1).sum() == 5
    val = np.concatenate([y.numpy() for _, y in taught.pipelines("val", None, 16, (0, 1))])
    assert set(val.ravel().tolist()) == {0.0, 1.0}  # validation stays labelled


def test_workers_compare_their_unlabelled_texts_and_teacher_but_not_its_scores() -> None:
    """Two workers given different teachers, or the unlabelled texts in another order,
    trained one model on mixed targets and saved it: their check left the unlabelled
    part out, so that scores rounded otherwise on another CPU would not stop a run."""
    from dataclasses import replace

    from sentigru.training import _inputs_named

    rows = synthetic_reviews(60, seed=3)
    examples = Examples([t for _, t in rows], [label for label, _ in rows])
    spec = Spec().with_settings({"val_split": 0.1, "seq_len": 64, "vocab_size": 500})
    soft = _unlabelled([[0.3, 0.7]] * 5, ["negative", "positive"])

    def named(unlabelled: Unlabelled) -> bytes:
        return _inputs_named(prepare(examples, spec, unlabelled=unlabelled), spec)

    seen = named(soft)
    rounded = replace(soft, scores=soft.scores + 1e-7)
    assert named(rounded) == seen  # each worker scores for itself
    assert named(replace(soft, teacher="another teacher")) != seen
    assert named(replace(soft, texts=soft.texts[::-1])) != seen


def test_unlabelled_texts_that_are_validation_texts_are_left_out_and_said() -> None:
    """The training file given as --unlabelled too: its held-out rows were trained on
    with the teacher's scores (which knew them), and validation read high."""
    from sentigru.train_data import split_validation

    rows = synthetic_reviews(60, seed=3)
    examples = Examples([t for _, t in rows], [label for label, _ in rows])
    spec = Spec().with_settings({"val_split": 0.1, "seq_len": 64, "vocab_size": 500})
    texts = [*examples.texts, "zorblax text"]
    scores = np.full((len(texts), 2), 0.5, np.float32)
    soft = Unlabelled(texts, scores, ["negative", "positive"], "teacher-hash")
    heard: list[str] = []
    taught = prepare(examples, spec, unlabelled=soft, log=heard.append)
    held = taught.val_rows
    assert held == 6 and taught.unlabelled_rows == len(texts) - held
    said = f"{held} of the {len(texts)} unlabelled texts are validation texts"
    assert any(said in line for line in heard), heard
    _, val = split_validation(examples, None, spec)
    only_held = soft.without(set(texts) - set(val.texts))
    assert sorted(only_held.texts) == sorted(val.texts) and len(only_held.scores) == held
    with pytest.raises(SentigruError, match="every unlabelled text is a validation text"):
        prepare(examples, spec, unlabelled=only_held)


def test_unlabelled_text_the_tokenizer_cannot_read_is_refused_as_training_text_is() -> None:
    """Korean lines as --unlabelled beside English data: the teacher scored texts that
    neither model reads, and the student was trained on empty rows with that lean."""
    rows = synthetic_reviews(60, seed=3)
    examples = Examples([t for _, t in rows], [label for label, _ in rows])
    spec = Spec().with_settings({"val_split": 0.1, "seq_len": 64, "vocab_size": 500})
    korean = ["정말 재미있는 영화였어요", "최악의 영화, 시간 낭비"] * 5
    soft = Unlabelled(korean, np.full((10, 2), 0.5, np.float32), ["negative", "positive"], "t")
    with pytest.raises(SentigruError, match=r"of the unlabelled text \(--unlabelled\)'s letters"):
        prepare(examples, spec, unlabelled=soft)


def test_unlabelled_texts_without_a_teacher_start_the_word_vectors_only() -> None:
    rows = synthetic_reviews(60, seed=3)
    examples = Examples([t for _, t in rows], [label for label, _ in rows])
    spec = Spec().with_settings({"val_split": 0.1, "seq_len": 64, "vocab_size": 500})
    extra = [f"zorblax text {i}" for i in range(7)]
    plain = prepare(examples, spec)
    counted = prepare(examples, spec, unlabelled=Unlabelled.for_word_vectors(extra))
    assert counted.train_rows == plain.train_rows and counted.unlabelled_rows == 0
    assert counted.counts == plain.counts and counted.val_rows == plain.val_rows
    assert len(list(counted.train_ids())) == len(list(plain.train_ids())) + 7
    assert "zorblax" in counted.vocab.tokens and "zorblax" not in plain.vocab.tokens
    assert counted.fingerprint != plain.fingerprint  # a resumed run can tell
    targets = np.concatenate([y.numpy() for _, y in counted.pipelines("train", None, 16, (0, 1))])
    assert len(targets) == plain.train_rows and set(targets.ravel().tolist()) == {0.0, 1.0}
    with pytest.raises(SentigruError, match="--word-init ppmi"):
        prepare(
            examples,
            spec.with_settings({"word_init": "random"}),
            unlabelled=Unlabelled.for_word_vectors(extra),
        )


def _train_on_50_unlabelled(
    synthetic_files: tuple[Path, Path], tmp_path: Path, *extra: str
) -> tuple[Any, Path]:
    """``sentigru train`` for one epoch on the synthetic rows, with 50 unlabelled texts."""
    texts = tmp_path / "u.txt"
    texts.write_text("".join(f"{t}\n" for _, t in synthetic_reviews(50, seed=6)), "utf-8")
    out = tmp_path / "out"
    args = ["train", "--data", str(synthetic_files[0]), "--out", str(out), *SMALL]
    args += ["--epochs", "1", "--unlabelled", str(texts), "--no-phone-file", *extra]
    return CliRunner().invoke(main, args), out


def test_train_starts_the_word_vectors_from_unlabelled_texts_without_a_teacher(
    synthetic_files: tuple[Path, Path], tmp_path: Path
) -> None:
    result, out = _train_on_50_unlabelled(synthetic_files, tmp_path, "--word-init", "ppmi")
    assert result.exit_code == 0, result.output
    assert "the 50 unlabelled texts start the word vectors" in result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["unlabelled"]["rows"] == 50
    assert manifest["metrics"]["train_examples"] == 540  # not trained on
    spec = json.loads((out / "spec.json").read_text())
    assert spec["training"]["word_init"] == "ppmi"


def test_unlabelled_takes_a_glob_and_the_bundled_model_as_teacher(
    synthetic_files: tuple[Path, Path], tmp_path: Path
) -> None:
    """As --data takes a quoted glob and --init takes bundled: both were 'no such file'."""
    rows = synthetic_reviews(50, seed=6)
    for part, chunk in (("a", rows[:20]), ("b", rows[20:])):
        (tmp_path / f"u-{part}.txt").write_text("".join(f"{t}\n" for _, t in chunk), "utf-8")
    out = tmp_path / "out"
    args = ["train", "--data", str(synthetic_files[0]), "--out", str(out), *SMALL, "--epochs"]
    args += ["1", "--unlabelled", str(tmp_path / "u-*.txt"), "--teacher", "bundled"]
    result = CliRunner().invoke(main, [*args, "--no-phone-file"])
    assert result.exit_code == 0, result.output
    assert "scored 50 unlabelled texts" in result.output
    manifest = json.loads((out / "manifest.json").read_text())
    bundled = json.loads((MODELS / "default" / "manifest.json").read_text())["files"]
    phone = bundled["model.tflite"]["sha256"]
    assert manifest["unlabelled"] == {"rows": 50, "teacher_sha256": phone}
    # Python: a glob's generator (it was used up by a first look, and the texts dropped),
    # and the training texts again, with a space more: the validation texts among them
    # are left out, and the manifest counts the texts kept.
    lines = synthetic_files[0].read_text("utf-8").splitlines()[1:]
    (tmp_path / "u-c.txt").write_text("".join(f"{line.split(chr(9))[1]} \n" for line in lines))
    heard: list[str] = []
    sentigru.train(
        synthetic_files[0],
        tmp_path / "py",
        unlabelled=tmp_path.glob("u-*.txt"),
        teacher="bundled",
        log=heard.append,
        phone_file=False,
        **{**_settings(SMALL), "epochs": 1},
    )
    note = next(line for line in heard if "unlabelled texts are validation texts" in line)
    left = int(note.split("note: ")[1].split(" of the")[0])
    manifest = json.loads((tmp_path / "py" / "manifest.json").read_text())
    assert left == 60 and manifest["unlabelled"]["rows"] == 50 + len(lines) - left


def _settings(args: list[str]) -> dict[str, Any]:
    """CLI options (``--units 16``) as the API's settings (``units=16``)."""
    pairs = zip(args[::2], args[1::2])
    return {name[2:].replace("-", "_"): _value(value) for name, value in pairs}


def _value(text: str) -> Any:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


@pytest.mark.e2e
def test_a_student_with_few_labels_learns_from_the_teachers_scores(
    trained_model: Path, synthetic_files: tuple[Path, Path], tmp_path: Path
) -> None:
    _, test = synthetic_files
    few = write_tsv(tmp_path / "few.tsv", synthetic_reviews(40, seed=4))
    texts = tmp_path / "unlabelled.txt"
    texts.write_text("".join(f"{t}\n" for _, t in synthetic_reviews(600, seed=5)), "utf-8")
    settings = {
        "seed": 5, "epochs": 6, "min_steps": 0, "units": 16, "embed_dim": 16, "seq_len": 64,
        "learning_rate": 0.005, "lr_schedule": "constant", "label_smoothing": 0.0,
        "average_epochs": 0, "bigram_buckets": 0, "word_init": "random", "val_split": 0.0,
    }  # fmt: skip
    lines: list[str] = []
    alone = sentigru.train(few, tmp_path / "alone", phone_file=False, verbose=0, **settings)
    taught = sentigru.train(
        few, tmp_path / "taught", unlabelled=texts, teacher=trained_model,
        phone_file=False, verbose=0, log=lines.append, **settings,
    )  # fmt: skip
    assert any(line.startswith(f"teacher {trained_model} scored 600") for line in lines)
    manifest = json.loads((tmp_path / "taught" / "manifest.json").read_text())
    teacher = json.loads((trained_model / "manifest.json").read_text())
    assert manifest["unlabelled"] == {
        "rows": 600,
        "teacher_sha256": teacher["files"]["model.tflite"]["sha256"],
    }
    assert manifest["metrics"]["train_examples"] == 640
    assert taught.evaluate(test)["accuracy"] >= 0.95
    assert taught.evaluate(test)["accuracy"] > alone.evaluate(test)["accuracy"] + 0.05


def test_train_takes_a_teachers_scores_from_a_file(
    synthetic_files: tuple[Path, Path], tmp_path: Path
) -> None:
    scored = tmp_path / "scored.tsv"
    rows = synthetic_reviews(30, seed=6)
    scored.write_text(
        "text\tnegative\tpositive\n"
        + "".join(f"{t}\t{0.1 if y == 'positive' else 0.9}\t{0.9 if y == 'positive' else 0.1}\n"
                  for y, t in rows),
        "utf-8",
    )  # fmt: skip
    out = tmp_path / "out"
    args = ["train", "--data", str(synthetic_files[0]), "--out", str(out), *SMALL]
    args += ["--epochs", "1", "--teacher-scores", str(scored), "--no-phone-file"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert f"{scored}: 30 texts with a teacher's scores (negative, positive)" in result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["unlabelled"]["rows"] == 30
    assert manifest["metrics"]["train_examples"] == 540 + 30


def test_train_has_the_ngram_teacher_score_unlabelled_texts_without_a_teacher(
    synthetic_files: tuple[Path, Path], tmp_path: Path
) -> None:
    result, out = _train_on_50_unlabelled(synthetic_files, tmp_path, "--ngram-teacher")
    assert result.exit_code == 0, result.output
    assert "the character n-gram teacher scores the 50 unlabelled texts" in result.output
    # said before its fits start (on large sets they take minutes): five folds, one more
    # for the unlabelled texts
    assert "character n-gram teacher: 6 fits on 540 training texts first" in result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["unlabelled"] == {"rows": 50, "teacher": "character n-gram teacher"}
    assert manifest["metrics"]["train_examples"] == 2 * 540 + 50  # labelled rows twice


@pytest.mark.parametrize(
    ("extra", "message", "code"),
    [
        (["--unlabelled", "u.txt"], "only starts the word vectors: it needs --word-init ppmi", 2),
        (["--teacher", "t"], "give --unlabelled FILE too", 2),
        (["--unlabelled", "u.txt", "--teacher", "t", "--stream"], "drop --stream", 2),
        (["--unlabelled", "u.txt", "--ngram-teacher", "--stream"], "drop --stream", 2),
        (["--ngram-teacher", "--stream"], "drop --stream, or add --no-ngram-teacher", 2),
        (["--preset", "sentencepiece", "--stream"], "(part of --preset sentencepiece) holds", 2),
        (["--teacher-scores", "s.tsv", "--teacher", "t"], "their scores: drop --teacher", 2),
        (["--teacher-scores", "s.tsv", "--stream"], "--teacher-scores holds its texts", 2),
        (["--teacher-scores", "u.txt"], "u.txt: unknown file type", 1),
        (["--teacher-scores", "s.tsv"], "teacher's labels (n, p)", 1),
    ],
)
def test_train_refuses_half_a_teacher_and_names_the_fix(
    extra: list[str], message: str, code: int, synthetic_files: tuple[Path, Path], tmp_path: Path
) -> None:
    """Settings that cannot go together are bad usage (2); a teacher that cannot be used
    is an error (1). Either way one message names the fix, and nothing is written."""
    (tmp_path / "u.txt").write_text("some text\n")
    (tmp_path / "s.tsv").write_text("text\tn\tp\nsome text\t0.5\t0.5\n")
    out = tmp_path / "out"
    args = ["train", "--data", str(synthetic_files[0]), "--out", str(out), *SMALL, *extra]
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        result = CliRunner().invoke(main, args)
    assert result.exit_code == code, result.output
    assert message in result.output and "Traceback" not in result.output
    assert not out.exists()
