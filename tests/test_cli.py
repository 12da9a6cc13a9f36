"""The commands as a user runs them: train → predict → evaluate, and their errors."""

from __future__ import annotations

import gzip
import json
import os
import re
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from sentigru.cli import main


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input)


def test_help_lists_every_command_and_version() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for command in ("train", "predict", "evaluate"):
        assert command in result.output
    assert run("--version").output.strip().startswith("sentigru, version")


@pytest.mark.parametrize("width", [60, 80, 100, 120, 160])
def test_help_never_breaks_a_line_inside_a_hyphenated_name(width: int) -> None:
    """An option's name read or copied from the help is the option (--val-data, not
    --val- and data on two lines), at any terminal width of 60 columns or more."""
    for command in ("train", "predict", "evaluate", "export", "compare"):
        result = CliRunner().invoke(main, [command, "--help"], terminal_width=width)
        assert result.exit_code == 0, result.output
        broken = [line for line in result.output.splitlines() if re.search(r"\w-$", line)]
        assert not broken, (command, broken)
        options = main.commands[command].params  # type: ignore[attr-defined]
        shown = [
            name
            for option in options
            if not getattr(option, "hidden", False)
            for name in option.opts
            if name.startswith("--")
        ]
        assert all(name in result.output for name in shown), command
        assert "\u2011" not in result.output


def test_model_folder_contents(trained_model: Path) -> None:
    names = {p.name for p in trained_model.iterdir()}
    assert names == {
        "model.keras",
        "vocab.txt",
        "labels.txt",
        "spec.json",
        "history.json",
        "training.png",
        "manifest.json",
        "model.tflite",
    }
    manifest = json.loads((trained_model / "manifest.json").read_text())
    assert manifest["seed"] == 7
    assert manifest["labels"] == ["negative", "positive"]
    assert len(manifest["data_fingerprint"]) == 64
    assert manifest["metrics"]["val_examples"] == 60  # 10 % of 600 rows held out
    assert set(manifest["files"]) >= {"model.keras", "vocab.txt", "model.tflite"}
    spec = json.loads((trained_model / "spec.json").read_text())
    assert spec["model"]["units"] == 16 and spec["tokenizer"]["seq_len"] == 64


def test_predict_plain_json_and_stdin(trained_model: Path) -> None:
    texts = ["the film was wonderful and the acting superb", "awful boring plot , terrible"]
    plain = run("predict", "--model", str(trained_model), *texts)
    assert plain.exit_code == 0, plain.output
    lines = plain.output.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["positive", "negative"]
    assert lines[0].endswith(texts[0])

    as_json = run("predict", "--model", str(trained_model), "--json", "--top-k", "2", *texts)
    objects = [json.loads(line) for line in as_json.output.splitlines()]
    assert [o["label"] for o in objects] == ["positive", "negative"]
    for obj in objects:
        assert {s["label"] for s in obj["scores"]} == {"positive", "negative"}
        assert abs(sum(s["score"] for s in obj["scores"]) - 1.0) < 1e-4
        assert obj["score"] == obj["scores"][0]["score"]

    piped = run("predict", "--model", str(trained_model), "--json", "-", input="\n".join(texts))
    assert [json.loads(line)["label"] for line in piped.output.splitlines()] == [
        "positive",
        "negative",
    ]


def test_short_texts_are_not_drowned_in_padding(trained_model: Path) -> None:
    """Three-word texts padded to the full length must still be read right."""
    result = run(
        "predict", "--model", str(trained_model), "loved it", "hated it", "superb", "dreadful"
    )
    assert [line.split("\t")[0] for line in result.output.splitlines()] == [
        "positive",
        "negative",
        "positive",
        "negative",
    ]


def test_evaluate_reports_metrics(trained_model: Path, synthetic_files) -> None:
    result = run(
        "evaluate", "--model", str(trained_model), "--data", str(synthetic_files[1]), "--json"
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["n"] == 200
    assert report["accuracy"] >= 0.9  # the cue words decide the label; the model must learn it
    assert sum(map(sum, report["confusion_matrix"])) == 200
    assert set(report["per_label"]) == {"negative", "positive"}
    text = run("evaluate", "--model", str(trained_model), "--data", str(synthetic_files[1]))
    assert text.output.startswith("N\t200\n")


def test_evaluate_says_when_much_of_the_text_is_unknown_to_the_model(tmp_path: Path) -> None:
    """German reviews scored by the bundled English model: most words are unknown to it,
    and the report says so; on English reviews it knows nearly every word and is quiet."""
    german = [
        ("negative", "Das Essen war kalt und der Kellner unfreundlich."),
        ("positive", "Wunderschönes Zimmer, sehr freundliches Personal."),
        ("negative", "Leider völlig enttäuschend, nie wieder."),
        ("positive", "Schnelle Lieferung, alles bestens."),
    ]
    english = [
        ("negative", "The food was cold and the staff were rude."),
        ("positive", "A lovely room and very friendly staff."),
    ]
    shares = []
    for name, rows in (("de", german), ("en", english)):
        data = tmp_path / f"{name}.tsv"
        data.write_text("label\ttext\n" + "".join(f"{a}\t{b}\n" for a, b in rows), "utf-8")
        report = json.loads(run("evaluate", "--data", str(data), "--json").output)
        shares.append(report["unknown_share"])
        text = run("evaluate", "--data", str(data)).output
        assert ("were unknown to the model" in text) == (name == "de")
        assert ("--preset sentencepiece reads it" in text) == (name == "de")
        assert (report["unread"], report["partly_read"]) == ((2, 2) if name == "de" else (0, 0))
        assert ("2 texts had a third or more of their words" in text) == (name == "de")
    assert shares[0] > 0.5 and shares[1] == 0.0


def test_evaluate_refuses_unknown_labels(trained_model: Path, tmp_path: Path) -> None:
    data = tmp_path / "other.tsv"
    data.write_text("label\ttext\nneutral\tit was fine\n")
    result = run("evaluate", "--model", str(trained_model), "--data", str(data))
    assert result.exit_code == 1
    assert "does not know: neutral" in result.output


def test_train_refuses_to_overwrite_without_force(trained_model: Path, synthetic_files) -> None:
    before = (trained_model / "manifest.json").read_bytes()
    result = run("train", "--data", str(synthetic_files[0]), "--out", str(trained_model))
    assert result.exit_code == 1
    assert "--force" in result.output
    assert (trained_model / "manifest.json").read_bytes() == before


def test_single_label_data_is_refused_before_training(tmp_path: Path) -> None:
    data = tmp_path / "one.tsv"
    data.write_text("label\ttext\npos\ta\npos\tb\n")
    result = run("train", "--data", str(data), "--out", str(tmp_path / "m"))
    assert result.exit_code == 1
    assert "need two labels" in result.output
    assert not (tmp_path / "m").exists()


def test_errors_are_one_line_without_traceback(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "sentigru", "predict", "--model", str(tmp_path / "nope"), "hi"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0
    assert "Traceback" not in proc.stderr
    bad_usage = subprocess.run(
        [sys.executable, "-m", "sentigru", "train", "--epochs", "x"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad_usage.returncode == 2 and bad_usage.stderr.count("\n") == 1
    assert bad_usage.stderr.startswith("sentigru: usage: Invalid value for '--epochs'")
    assert "sentigru train --help)" in bad_usage.stderr  # run as python -m sentigru here
    for args, where in (
        (["--bogus"], "sentigru --help"),
        (["predict", "--model"], "predict --help"),
    ):
        result = CliRunner().invoke(main, args, prog_name="sentigru")
        assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.stderr
        assert result.stderr.startswith("sentigru: usage: ") and f"{where})" in result.stderr
    expanded = CliRunner().invoke(  # an unquoted glob, expanded by the shell
        main, ["train", "--data", "a.tsv", "b.tsv", "--out", "m"], prog_name="sentigru"
    )
    assert expanded.exit_code == 2 and "Quote it (--data 'parts/*.tsv')" in expanded.stderr
    dashed = "goes after --: sentigru predict -- TEXT"  # a text read as options
    for text, told in (("-5 stars, awful", True), ("--not good", True), ("--bogus", False)):
        result = CliRunner().invoke(main, ["predict", text], prog_name="sentigru")
        assert result.exit_code == 2 and (dashed in result.stderr) == told, result.stderr


@pytest.mark.e2e
def test_seed_makes_training_repeatable(synthetic_files, tmp_path: Path) -> None:
    args = [
        "train",
        "--data",
        str(synthetic_files[0]),
        "--epochs",
        "1",
        "--min-steps",
        "0",
        "--seed",
        "3",
        "--units",
        "4",
        "--embed-dim",
        "4",
        "--seq-len",
        "64",
        "--bigram-buckets",
        "0",
        "--no-phone-file",
    ]
    for name in ("a", "b"):
        assert run(*args, "--out", str(tmp_path / name)).exit_code == 0
    hist = [json.loads((tmp_path / n / "history.json").read_text()) for n in ("a", "b")]
    assert all(min(h.pop("epoch_seconds")) > 0 for h in hist)
    assert hist[0] == hist[1]
    # model.keras holds the time it was saved: the manifest's weights hash shows the match
    manifests = [json.loads((tmp_path / n / "manifest.json").read_text()) for n in ("a", "b")]
    assert manifests[0]["weights_sha256"] == manifests[1]["weights_sha256"]


def test_train_prints_only_its_result_on_stdout(synthetic_files, tmp_path: Path) -> None:
    """Keras' progress goes to stderr with sentigru's own lines: a script reading
    stdout gets the one line that says what was saved."""
    args = ["--epochs", "2", "--min-steps", "0", "--units", "4", "--embed-dim", "4"]
    args += ["--seq-len", "64", "--bigram-buckets", "0", "--no-phone-file"]
    args += ["--data", str(synthetic_files[0]), "--out", str(tmp_path / "m")]
    proc = subprocess.run(
        [sys.executable, "-m", "sentigru", "train", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [proc.stdout.strip()], proc.stdout
    # the weights saved are the mean of the last epochs' (--average-epochs 3), whose
    # val_loss no epoch's line shows: the line says so
    assert proc.stdout.startswith(f"saved {tmp_path / 'm'} (the mean of epochs 1-2: val_loss")
    assert "Epoch 2/2" in proc.stderr and "accuracy" in proc.stderr
    # --progress none: a log of sentigru's lines only (the CLI had no way to ask for it)
    args[args.index(str(tmp_path / "m"))] = str(tmp_path / "quiet")
    quiet = CliRunner().invoke(main, ["train", *args, "--progress", "none"])
    assert quiet.exit_code == 0, quiet.output
    assert "Epoch" not in quiet.stderr and "accuracy" not in quiet.stderr
    assert quiet.stderr.startswith("read ") and quiet.stdout.startswith("saved ")


def test_a_line_cut_at_the_line_limit_is_said_to_be_cut() -> None:
    """predict keeps a line's first mebibyte; what came after was not read, so the
    answer says the text was cut (it said truncated: false, and knew no word)."""
    from sentigru.predict_io import LINE_LIMIT

    exact = "great " * (LINE_LIMIT // 6) + "x" * (LINE_LIMIT % 6)  # LINE_LIMIT bytes: whole
    payload = (" " * LINE_LIMIT + "terrible awful\nawful\n" + exact + "\r\n").encode()
    proc = subprocess.run(
        [sys.executable, "-m", "sentigru", "predict", "--json"],
        input=payload,
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    first, second, third = (json.loads(line) for line in proc.stdout.splitlines())
    assert first["truncated"] and not second["truncated"]
    assert third["truncated"]  # by the model's length, not the line limit:
    assert proc.stderr.decode().count("longer than a line predict reads") == 1
    assert f"longer than a line predict reads ({LINE_LIMIT:,} bytes)" in proc.stderr.decode()
    (cut_note,) = [x for x in proc.stderr.decode().splitlines() if "line predict reads" in x]
    assert "phone cuts it" not in cut_note  # the phone reads the whole line


def test_the_saved_line_names_the_epoch_whose_weights_were_kept(tmp_path: Path) -> None:
    """Without weight averaging, early stopping keeps the epoch of the lowest validation
    loss (the training loss without validation data), and the figures printed are its:
    the line names that epoch where it is not the last one run."""
    from sentigru import cli

    def kept(average: int, history: dict[str, list[float]]) -> str:
        (tmp_path / "spec.json").write_text(json.dumps({"training": {"average_epochs": average}}))
        (tmp_path / "history.json").write_text(json.dumps(history))
        return cli._weights_kept(tmp_path)

    rising = {"loss": [0.6, 0.5, 0.4, 0.3], "val_loss": [0.5, 0.4, 0.45, 0.4]}
    assert kept(0, rising) == "the weights of epoch 2 of 4, lowest val_loss: "  # the first
    assert kept(0, {"loss": [0.6, float("nan"), 0.5]}) == ""  # the last: nothing to say
    assert kept(0, {"loss": [0.4, 0.5, 0.6]}) == "the weights of epoch 1 of 3, lowest loss: "
    assert kept(3, rising) == "the mean of epochs 2-4: "
    assert kept(0, {"loss": [0.4]}) == ""


def test_json_lines_stay_json_where_stdout_is_not_utf8(monkeypatch) -> None:
    import io

    from sentigru.predict_io import json_line

    result = {"label": "bon😀", "score": 0.5}
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BytesIO(), encoding="latin-1"))
    assert json.loads(json_line(result)) == result and json_line(result).isascii()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BytesIO(), encoding="utf-8"))
    assert json_line(result) == '{"label": "bon😀", "score": 0.5}'
    breaks = {"label": "one\u2028star\x85\x9b", "score": 0.5}  # splitlines(); a terminal
    assert len(json_line(breaks).splitlines()) == 1 and json.loads(json_line(breaks)) == breaks
    assert "\x9b" not in json_line(breaks)


def test_huge_stdin_line_is_read_in_bounded_memory(tmp_path: Path) -> None:
    """A 30 MB line with no newline, then a normal line: both are answered, and the
    process does not hold the whole line (its peak memory grows far less than 30 MB)."""
    from sentigru.presets import default_model

    code = (
        "import resource, sys\n"
        "from sentigru.cli import main\n"
        f"sys.argv = ['sentigru', 'predict', '--model', {str(default_model())!r}, '-']\n"
        "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
    )
    payload = b"great " * 5_000_000 + b"\nawful boring\n"
    proc = subprocess.run(
        [sys.executable, "-c", code], input=payload, capture_output=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.decode().splitlines()
    assert len(lines) == 2 and lines[1].startswith("negative")
    small = subprocess.run(
        [sys.executable, "-c", code], input=b"awful boring\n", capture_output=True, timeout=120
    )
    growth_kb = int(proc.stderr.split()[-1]) - int(small.stderr.split()[-1])
    assert growth_kb < 20_000, growth_kb


def test_options_reach_the_spec_and_the_api(monkeypatch, tmp_path: Path) -> None:
    """Flags go to api.train as spec settings (no training needed to see them)."""
    from sentigru import api

    seen = {}

    def fake_train(source, out, **kwargs):
        seen.update(kwargs, source=source, out=out)
        return None

    monkeypatch.setattr(api, "train", fake_train)
    result = run(
        "train", "--data", "a.tsv", "--data", "b.tsv", "--label-map", "0=neg,1=pos",
        "--out", str(tmp_path / "m"), "--units", "8", "--no-stream", "--lr-schedule",
        "constant", "--quantize", "float16", "--preset", "bundled", "--no-phone-file",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    spec = api.build_spec(seen["preset"], **{k: seen[k] for k in ("units", "stream")})
    assert spec.model.units == 8 and spec.training.stream is False
    assert seen["lr_schedule"] == "constant" and seen["quantize"] == "float16"
    assert seen["epochs"] is None  # not given: the preset's value stays
    assert [p.name for p in seen["source"].paths] == ["a.tsv", "b.tsv"]
    assert seen["source"].options.label_map == {"0": "neg", "1": "pos"}
    assert seen["phone_file"] is False


def test_a_dash_among_texts_is_a_usage_error() -> None:
    result = run("predict", "-", "also a text")
    assert result.exit_code == 2
    assert "stdin" in result.output


def test_export_says_what_it_reads(tmp_path: Path) -> None:
    from sentigru.presets import default_model

    phone = run("export", "--model", str(default_model()))
    assert phone.exit_code == 1 and "export reads a model folder" in phone.output
    missing = run("export", "--model", str(tmp_path / "nope"))
    assert missing.exit_code == 1 and "no such model folder" in missing.output


def test_predict_on_a_trained_folder_runs_its_phone_file(trained_model: Path) -> None:
    """A folder that train wrote answers without importing TensorFlow."""
    code = (
        "import sys\n"
        "import sentigru\n"
        f"clf = sentigru.load({str(trained_model)!r})\n"
        "print(clf.predict(['loved it', 'hated it'])[0]['label'])\n"
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "positive"


def test_predicting_loads_only_what_it_needs() -> None:
    """`sentigru predict "text"` on the bundled phone file: no TensorFlow, none of the
    data readers, training notes, model-folder code, or the train and export calls (some
    12 ms of a 190 ms start), and NumPy's OpenBLAS with one thread (it spun a second core
    while LiteRT works); a thread count the user set is kept. A program calling `main`
    itself keeps its own process state: no thread count set, no objects frozen for the
    collector."""
    code = (
        "import gc, os, sys\n"
        "from sentigru import cli\n"
        "sys.argv = ['sentigru', 'predict', 'A wonderful film']\n"
        "try:\n"
        "    getattr(cli, os.environ['ENTRY'])()\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('tensorflow', 'keras', 'sentigru.data', 'sentigru.training_notes',\n"
        "         'sentigru.bundle', 'sentigru.train_api', 'sentigru.export_api')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
        "print(os.environ.get('OPENBLAS_NUM_THREADS'), gc.get_freeze_count() > 0)\n"
    )
    base = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    for entry, given, want in (
        ("run", None, "1 True"),
        ("run", "2", "2 True"),
        ("main", None, "None False"),
    ):
        env = base | {"ENTRY": entry} | ({"OPENBLAS_NUM_THREADS": given} if given else {})
        proc = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env
        )
        assert proc.returncode == 0, proc.stderr
        answer, loaded, state = proc.stdout.splitlines()
        assert answer.startswith("positive") and loaded == "[]" and state == want, proc.stdout


def test_text_the_model_cannot_read_gets_no_answer() -> None:
    """The bundled (English) model reads no word of Japanese, an empty text or emoji:
    --json says known_tokens 0; the plain output gives `?` and no score (it printed a
    confident label: *Phục vụ chu đáo.*, negative 0.93), with a note on stderr, and
    names the tokenizer that reads other languages once. Where the model got no word id
    at all, its phone file scores each label 0.5 (it said positive 0.66 to all three):
    what an app sees. Fragments of cut words (*Ph*, *chu*) are ids, which the phone file
    scores (negative 0.93); --json gives them 0.5 each too, as it reads no word."""
    texts = ["最悪の映画だった", "", "😀😀", "a great film", "Phục vụ chu đáo.", "çok güzel"]
    as_json = run("predict", "--json", "--top-k", "2", *texts)
    results = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert [r["known_tokens"] for r in results] == [0, 0, 0, 3, 0, 0]
    scores = [[label["score"] for label in r["scores"]] for r in results]
    assert scores[:3] == [[0.5, 0.5]] * 3 and scores[4:] == [[0.5, 0.5]] * 2
    assert max(scores[3]) > 0.9
    plain = subprocess.run(
        [sys.executable, "-m", "sentigru", "predict", "--top-k", "2", *texts],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert plain.returncode == 0
    lines = plain.stdout.splitlines()
    assert [line.split("\t")[:4] for line in lines[:3]] == [["?", "", "?", ""]] * 3
    assert lines[3].startswith("positive\t0.9") and lines[3].endswith("\ta great film")
    assert lines[4] == "?\t\t?\t\tPhục vụ chu đáo."
    assert plain.stderr.count("knows no word") == 3  # then counted
    assert "5 texts in all had no word" in plain.stderr
    assert plain.stderr.count("--preset sentencepiece reads any language") == 1


def test_a_live_stream_notes_every_text_it_cannot_read() -> None:
    """Answered line by line (--line-buffered, a terminal), a stream may never end: the
    notes stopped after the third text, and the total came only at the end of input."""
    lines = ["çok güzel", "rất tệ", "😍", "Muy bueno", "terible", "It was xqzvy wnoderful."]
    streamed = subprocess.run(
        [sys.executable, "-m", "sentigru", "predict", "--line-buffered"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert streamed.returncode == 0
    assert streamed.stderr.count("knows no word") == 5
    assert "Muy bueno" in streamed.stderr and "'terible'" in streamed.stderr
    assert "the model knows 2 of the 4 words of 'It was" in streamed.stderr
    assert "in all" not in streamed.stderr


def test_text_the_model_reads_only_in_part_is_flagged() -> None:
    """A misspelt judgement and a word the vocabulary lacks are unknown: --json counts
    them, and the plain output notes a text with a third or more of its words unknown:
    German shares *Das*, *Hotel* and *war* with English, and the bundled model read
    *Das Hotel war nicht gut* as positive."""
    texts = ["It was xqzvy wnoderful.", "A wonderful film, xqzvy.", "Das Hotel war nicht gut."]
    as_json = [json.loads(line) for line in run("predict", "--json", *texts).stdout.splitlines()]
    assert [(r["known_tokens"], r["unknown_tokens"]) for r in as_json] == [(2, 2), (3, 1), (3, 2)]
    plain = subprocess.run(
        [sys.executable, "-m", "sentigru", "predict", *texts],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert plain.returncode == 0
    assert plain.stderr.count("the model knows 2 of the 4 words") == 1
    assert plain.stderr.count("the model knows 3 of the 5 words of 'Das Hotel") == 1
    assert "knows 3 of the 4" not in plain.stderr


def test_training_on_text_the_tokenizer_cannot_read_is_refused(tmp_path: Path) -> None:
    rows = [("positive", "とても良い商品でした"), ("negative", "最悪の映画だった")] * 20
    data = tmp_path / "ja.tsv"
    data.write_text("label\ttext\n" + "".join(f"{a}\t{b}\n" for a, b in rows), "utf-8")
    result = run("train", "--data", str(data), "--out", str(tmp_path / "m"))
    assert result.exit_code == 1
    assert "reads only 0% of the training text" in result.output
    assert not (tmp_path / "m").exists()


def test_training_on_text_whose_words_the_tokenizer_mostly_cuts_is_refused(
    tmp_path: Path,
) -> None:
    """Vietnamese keeps most of its letters in ASCII, so the letter check passed it, and
    a model learnt fragments (*t*, *ng*, *ch*) of 89 % of its words; German, whose
    words the tokenizer cuts less often, trains with a note."""
    vi = [("positive", "Sản phẩm rất tốt, giao hàng nhanh"), ("negative", "Rất tệ, không nên mua")]
    de = [("positive", "Gute Qualität und schnelle Lieferung"), ("negative", "Leider kaputt")]
    for name, rows in (("vi", vi), ("de", de)):
        data = tmp_path / f"{name}.tsv"
        data.write_text("label\ttext\n" + "".join(f"{a}\t{b}\n" for a, b in rows * 20), "utf-8")
        args = ["--data", str(data), "--out", str(tmp_path / name), "--epochs", "1"]
        result = run("train", *args, "--vocab-size", "50", "--no-phone-file")
        if name == "vi":
            assert result.exit_code == 1 and "Traceback" not in result.output
            assert "the regex tokenizer cuts" in result.output
            assert "--preset sentencepiece" in result.output and not (tmp_path / "vi").exists()
        else:
            assert result.exit_code == 0, result.output
            assert "words hold letters the regex tokenizer cannot read" in result.output


def test_training_rows_are_neither_counted_twice_nor_validated_on(
    synthetic_files: tuple[Path, Path], tmp_path: Path
) -> None:
    """Both would flatter the model without a word: refused before any work, nothing written."""
    train, _ = synthetic_files
    out = tmp_path / "m"
    twice = run("train", "--data", str(train), "--data", str(train), "--out", str(out))
    assert twice.exit_code == 1 and "named twice; its rows would be read twice" in twice.output
    both = run("train", "--data", str(train), "--val-data", str(train), "--out", str(out))
    assert both.exit_code == 1
    assert "is both --data and --val-data" in both.output
    assert "Traceback" not in twice.output + both.output and not out.exists()


def test_export_web_writes_a_site_around_the_phone_file(tmp_path: Path) -> None:
    from sentigru.presets import MODELS

    site = tmp_path / "site"
    result = run(
        "export", "--format", "web", "--model", str(MODELS / "default"), "--out", str(site)
    )
    assert result.exit_code == 0, result.output
    assert (site / "model.tflite").read_bytes() == (
        MODELS / "default" / "model.tflite"
    ).read_bytes()
    assert (site / "index.html").is_file()
    assert "loads MediaPipe from https://cdn.jsdelivr.net" in result.output
    again = run("export", "--format", "web", "--out", str(site))
    assert again.exit_code == 1 and "--force" in again.output


def test_export_without_model_is_the_bundled_model_to_a_named_out() -> None:
    """The bundled model's own files are part of the package: its export names --out."""
    result = run("export")
    assert result.exit_code == 2  # a setting missing that another needs: bad usage
    assert "export of the bundled model needs --out" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["evaluate", "--data", ""],
        ["predict", "--model", "", "great"],
        ["train", "--data", "d.tsv", "--out", ""],
    ],
)
def test_an_empty_path_is_bad_usage_not_the_working_folder(args: list[str]) -> None:
    """An unset shell variable (--data "$F") read the working folder as data."""
    result = run(*args)
    assert result.exit_code == 2 and "an empty path" in result.output, result.output


@pytest.mark.parametrize(
    "args",
    [
        ["train", "--data", "d.tsv", "--out", "m", "--preset", ""],  # trained the defaults
        ["predict", "--top-k", "3000000000", "good"],  # named top_k, exit 1
        ["predict", "--jobs", "3000000000", "good"],
        ["export", "--out", "x.tflite", "--seq-len", "3000000000"],  # quoted 2**31-1
        ["predict", "--data", "d.tsv", "--text-column", ""],  # blamed the label column
    ],
)
def test_empty_names_and_numbers_past_a_limit_are_bad_usage(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "d.tsv").write_text("label\ttext\npositive\tgreat film\n")
    monkeypatch.chdir(tmp_path)
    result = run(*args)
    assert result.exit_code == 2 and "sentigru: usage:" in result.output, result.output
    assert args[-2] in result.output or args[-3] in result.output, result.output


@pytest.mark.parametrize("command", ["train", "export", "evaluate"])
def test_a_loop_of_symbolic_links_is_one_line(tmp_path: Path, command: str) -> None:
    """Path.resolve() raises RuntimeError on a loop (Python 3.11-3.12): a traceback."""
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    (tmp_path / "a.png").symlink_to(tmp_path / "b.png")
    (tmp_path / "b.png").symlink_to(tmp_path / "a.png")
    (tmp_path / "d.tsv").write_text("label\ttext\npositive\tgreat film\n")
    args = {
        "train": ["train", "--data", str(tmp_path / "d.tsv"), "--out", str(tmp_path / "a")],
        "export": ["export", "--format", "web", "--out", str(tmp_path / "a")],
        "evaluate": [
            "evaluate",
            "--data",
            str(tmp_path / "d.tsv"),
            "--plot",
            str(tmp_path / "a.png"),
        ],
    }[command]
    result = run(*args)
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1, result.output
    loop = ("a loop of symbolic links", "Too many levels of symbolic links")  # 3.13: ELOOP
    assert any(said in result.output for said in loop), result.output
    if command == "train" and sys.version_info < (3, 13):  # Python's callers too
        import sentigru
        from sentigru.errors import SentigruError

        with pytest.raises(SentigruError, match="a loop of symbolic links"):
            sentigru.train(tmp_path / "d.tsv", tmp_path / "a", epochs=1)


def test_settings_that_do_not_go_together_are_bad_usage() -> None:
    for args in (["export", "--format", "web"], ["evaluate", "--data", "-"]):
        result = run(*args)
        assert result.exit_code == 2 and "sentigru: usage:" in result.output, result.output


def test_replacing_a_self_contained_site_from_the_cdn_is_said(tmp_path: Path) -> None:
    """A site that carried MediaPipe and is written again without --mediapipe-dir now
    connects to the CDN: the user is told, and how to keep it self-contained."""
    from sentigru.exporters.web import BUNDLE, MEDIAPIPE_FOLDER
    from sentigru.presets import MODELS

    site = tmp_path / "site"
    first = run("export", "--format", "web", "--model", str(MODELS / "default"), "--out", str(site))
    assert first.exit_code == 0, first.output
    assert "own copy of MediaPipe" not in first.output
    (site / MEDIAPIPE_FOLDER).mkdir()  # an empty folder is no copy of MediaPipe
    again = run("export", "--format", "web", "--out", str(site), "--force")
    assert again.exit_code == 0 and "own copy" not in again.output, again.output
    (site / MEDIAPIPE_FOLDER).mkdir()
    (site / MEDIAPIPE_FOLDER / BUNDLE).write_text("// its bundle, as --mediapipe-dir leaves it")
    again = run("export", "--format", "web", "--out", str(site), "--force")
    assert again.exit_code == 0, again.output
    assert "the site replaced had its own copy of MediaPipe" in again.output
    assert "--mediapipe-dir" in again.output
    assert not (site / MEDIAPIPE_FOLDER).exists()


def test_a_failed_phone_file_keeps_the_training(
    synthetic_files: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The phone file is made after the last epoch. If that fails, the trained folder is
    still saved (without it), train exits 1 in one line naming `sentigru export`, and
    that export then makes the phone file."""
    from conftest import SMALL

    import sentigru.exporters.phone as phone

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("converter ran out of memory\nsecond line")

    out = tmp_path / "m"
    with monkeypatch.context() as patch:
        patch.setattr(phone, "export_tflite", broken)
        result = run("train", "--data", str(synthetic_files[0]), "--out", str(out), *SMALL)
    assert result.exit_code == 1
    message = result.output.strip().splitlines()[-1]  # after the epochs' progress
    assert message.startswith("sentigru: error:") and "Traceback" not in result.output
    assert "RuntimeError: converter ran out of memory; second line" in message
    assert f"sentigru export --model {out}" in message
    assert (out / "model.keras").exists() and not (out / "model.tflite").exists()
    assert not list(tmp_path.glob(".m.checkpoint"))
    exported = run("export", "--model", str(out))
    assert exported.exit_code == 0, exported.output
    assert (out / "model.tflite").exists()


def test_plain_output_is_one_line_per_text(trained_model: Path) -> None:
    """A newline, tab or escape sequence inside a text is escaped in the text column, so
    a script reading line by line stays in step and the terminal shows no colours."""
    args = ["predict", "--model", str(trained_model), "superb\nawful\tand \x1b[31mred"]
    result = CliRunner().invoke(main, args)
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and lines[0].endswith("superb\\nawful\\tand \\x1b[31mred")
    # A backslash is escaped too (else a typed \t reads as a tab), and so are C1 controls
    # and the separators that other tools split lines at.
    args[-1] = "a\\tb\tc\u2028d\x9be\x85"
    lines = CliRunner().invoke(main, args).stdout.splitlines()
    assert len(lines) == 1 and lines[0].endswith("a\\\\tb\\tc\\u2028d\\x9be\\x85")


def _shell(command: str, **kw: object) -> subprocess.CompletedProcess:
    """``command`` in bash, with the streams a user's shell gives: buffered (a test
    runner's PYTHONUNBUFFERED=1 hid a second failure at exit, status 120)."""
    sentigru = f"{sys.executable} -m sentigru"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    return subprocess.run(
        ["bash", "-c", command.replace("sentigru", sentigru)], capture_output=True, text=True,
        timeout=120, env=env, **kw,
    )  # fmt: skip


def test_pipes_get_the_statuses_and_lines_shell_tools_give() -> None:
    """A reader that stops early (| head) ends the run as it ends cat, with 141; a closed
    stdout or stdin is an error, not answers lost; --line-buffered answers a live pipe's
    line before the next one comes."""
    done = _shell("yes great | head -5000 | sentigru predict | head -1; echo ${PIPESTATUS[2]}")
    assert done.stdout.splitlines()[-1] == "141" and "Traceback" not in done.stderr
    done = _shell("sentigru predict great >&-")
    assert done.returncode == 1 and "standard output is closed" in done.stderr
    done = _shell("sentigru predict <&-")
    assert done.returncode == 1 and "standard input is closed" in done.stderr
    done = _shell("sentigru predict great 'çok güzel' 2>&-")  # a daemon's: it failed unseen
    assert done.returncode == 0 and done.stdout.startswith("positive\t"), done.stdout
    for codec in ("rot13", "idna"):  # codecs that are no text encoding: a traceback
        done = _shell(f"echo great | sentigru predict --encoding {codec} -")
        assert done.returncode == 2 and "not an encoding of text files" in done.stderr
        assert len(done.stderr.splitlines()) == 1
    for args in ("--version", "--help", "predict great", "predict -"):  # a full disk
        for unbuffered in ("", "PYTHONUNBUFFERED=1 "):  # as many containers set it
            done = _shell(f"echo great | {unbuffered}sentigru {args} > /dev/full")
            assert done.returncode == 1, done.stderr  # 120 where Python flushed again
            told = "sentigru: error: standard output: No space left on device\n"
            assert done.stderr == told, done.stderr
    for dash in ([], ["-"]):  # `predict --line-buffered -` held its answers to the end
        child = subprocess.Popen(
            [sys.executable, "-m", "sentigru", "predict", "--line-buffered", *dash],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            child.stdin.write("a great film\n")
            child.stdin.flush()
            assert child.stdout.readline().startswith("positive\t")  # stdin still open
            child.send_signal(signal.SIGTERM)  # as docker stop: told apart from Ctrl-C
            # ended by the signal itself (a shell reads 143, and stops a loop of them)
            assert child.wait(60) == -signal.SIGTERM
            assert child.stderr.read() == "sentigru: terminated\n"
        finally:
            child.kill()
            child.wait(60)


def test_stdin_not_in_utf8_is_noted_once_and_a_byte_order_mark_is_no_text() -> None:
    """A cp1252 file piped in lost its accents without a word; a Windows editor's BOM
    became part of the first text. A first line that does not decode is refused, as a
    file given with --data is: a Japanese file piped from Windows was answered line by
    line as mojibake, exit 0."""
    piped = b"\xef\xbb\xbfgreat film\nCaf\xe9 terrible\nna\xefve\n"
    result = CliRunner().invoke(main, ["predict", "-"], input=piped)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0].endswith("\tgreat film")
    assert result.stderr.count("of stdin is not utf-8") == 1 and "line 2 " in result.stderr
    told = CliRunner().invoke(main, ["predict", "--encoding", "cp1252", "-"], input=piped[3:])
    assert "\tCafé terrible" in told.stdout and "not cp1252" not in told.stderr
    korean = CliRunner().invoke(main, ["predict", "-"], input="최고의 영화\n".encode("cp949"))
    assert "--encoding cp949" in korean.stderr  # Korean Excel's; cp1252 read it as nonsense
    assert korean.exit_code == 1 and korean.stdout == "" and "line 1 of stdin" in korean.stderr
    japanese = "色々な種類が楽しめて良かった\n最高の映画\n".encode("cp932")
    refused = CliRunner().invoke(main, ["predict", "-"], input=japanese)
    assert refused.exit_code == 1 and refused.stdout == ""
    assert refused.stderr.strip().endswith(
        "reads as Japanese in cp932 (as Excel saves CSV there): --encoding cp932"
    )
    named = ["predict", "--encoding", "euc-kr", "-"]  # the standard cp949 extends
    extended = CliRunner().invoke(main, named, input="똠방각하 뷁\n".encode("cp949"))
    assert "--encoding cp949" in extended.stderr and "cp1252" not in extended.stderr
    utf8 = CliRunner().invoke(
        main, ["predict", "--encoding", "gbk", "-"], input="非常喜欢\n".encode()
    )
    assert "but valid UTF-8: drop --encoding" in utf8.stderr  # not cp1252, nor gb18030
    ascii_named = CliRunner().invoke(
        main, ["predict", "--encoding", "ascii", "-"], input=b"Caf\xe9\n"
    )
    assert ascii_named.stderr.rstrip().endswith("--encoding cp1252"), ascii_named.stderr
    from sentigru.predict_io import LINE_LIMIT

    cut = ("a" + "é" * LINE_LIMIT).encode()  # cut at the limit inside an é: still UTF-8
    long = CliRunner().invoke(main, ["predict", "-"], input=cut + b"\n")
    assert long.exit_code == 0 and "not utf-8" not in long.stderr
    # a last line with no line end is no cut line: its bad bytes were dropped unnoted
    last = CliRunner().invoke(main, ["predict", "-"], input=b"great film\nCaf\xe9")
    assert "\tCaf\ufffd" in last.stdout and "line 2 of stdin is not utf-8" in last.stderr


def test_stdin_gets_the_first_line_checks_a_data_file_gets(tmp_path: Path) -> None:
    """A byte-order mark under --encoding latin-1 was answered as 'ï»¿great film', UTF-8
    read as Latin-1 went unnoted, and lines ended by a lone carriage return were answered
    as one text, from stdin and from a file of lines."""
    latin = ["predict", "--encoding", "latin-1", "-"]
    bom = CliRunner().invoke(main, latin, input=b"\xef\xbb\xbfgreat film\n")
    assert bom.exit_code == 1 and "it is UTF-8, not latin-1; drop --encoding" in bom.stderr
    utf8 = CliRunner().invoke(main, latin, input="great film\nTrès bon\n".encode())
    assert utf8.exit_code == 0 and "line 2 of stdin is valid UTF-8, read as latin-1" in utf8.stderr
    ascii_named = ["predict", "--encoding", "ascii", "-"]  # refused or noted, not both
    refused = CliRunner().invoke(main, ascii_named, input="Très bon\n".encode())
    assert refused.exit_code == 1 and "note:" not in refused.stderr, refused.stderr
    mac = b"great film\rawful food\rlovely staff\r"
    piped = CliRunner().invoke(main, ["predict", "-"], input=mac)
    assert piped.exit_code == 1 and "lone carriage return" in piped.stderr
    (tmp_path / "mac.txt").write_bytes(mac)
    from_file = CliRunner().invoke(main, ["predict", "--data", str(tmp_path / "mac.txt")])
    assert from_file.exit_code == 1 and "lone carriage return" in from_file.stderr
    windows = CliRunner().invoke(main, ["predict", "-"], input=b"great film\r\nawful\r\n")
    assert windows.exit_code == 0 and len(windows.stdout.splitlines()) == 2


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_piped_in_is_refused_as_a_utf16_file_is(codec: str) -> None:
    """PowerShell pipes UTF-16: read as UTF-8, each line was a NUL after its first
    letter, answered with exit 0 (and one answer more than lines)."""
    piped = "Très bon café\nCe film était nul\n".encode(codec)
    result = CliRunner().invoke(main, ["predict", "-"], input=piped)
    assert result.exit_code == 1 and result.stdout == ""
    assert "stdin looks like UTF-16 text" in result.stderr


def test_predict_data_answers_every_row_of_a_table_in_order(
    trained_model: Path, tmp_path: Path
) -> None:
    """A CSV exported from a spreadsheet: its text column, a quoted text over two lines
    and a blank one included, gets one answer per row, in the file's order; the Python
    call answers the same. Its name given as a text points to --data, not to stdin
    (which would classify the header and the other columns)."""
    import sentigru

    table = tmp_path / "feedback.csv"
    table.write_text('id,text\n7,superb\n8,"awful,\nboring"\n9,\n,\nid,text\n10,superb film\n')
    args = ["predict", "--model", str(trained_model), "--json", "--data", str(table)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    # a blank text, a blank row and a row that reads as the header are rows: answered
    assert [a["read"] for a in answers] == ["all", "all", "none", "none", "none", "all"]
    assert [a["label"] for a in answers] == [
        r["label"] for r in sentigru.load(trained_model).predict_file(table)
    ]
    assert answers[0]["label"] == answers[5]["label"] != answers[1]["label"]
    unknown = CliRunner().invoke(main, [*args, "--encoding", "nope"])
    assert unknown.exit_code == 2 and "unknown encoding 'nope'" in unknown.output
    bad = tmp_path / "bad.csv"  # a bad row stops it: skipping would misalign the answers
    bad.write_bytes(b"text\nsuperb\nCaf\xe9\n")
    stopped = CliRunner().invoke(main, [*args[:-1], str(bad)])
    assert stopped.exit_code == 1 and "--skip-bad-rows" not in stopped.output
    both = CliRunner().invoke(main, [*args, "superb"])
    assert both.exit_code == 2 and "not both" in both.output and "glob" not in both.output
    globbed = CliRunner().invoke(main, [*args, str(bad)])  # --data parts/*.csv, unquoted
    assert globbed.exit_code == 2 and "glob? Repeat --data for each file" in globbed.output
    hint = CliRunner().invoke(main, ["predict", "--model", str(trained_model), str(table)])
    assert f"sentigru predict --data {table}" in hint.stderr


def test_a_file_name_given_as_the_text_gets_a_hint(trained_model: Path, tmp_path: Path) -> None:
    """fastText's predict takes a file; sentigru classifies its arguments, so a lone
    argument naming a file is classified and the way to read its lines is named."""
    texts = tmp_path / "texts.txt"
    texts.write_text("superb\nawful\n")
    result = CliRunner().invoke(main, ["predict", "--model", str(trained_model), str(texts)])
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 1
    assert f"sentigru predict - < {texts}" in result.stderr
    plain = CliRunner().invoke(main, ["predict", "--model", str(trained_model), "superb"])
    assert "classified as a text" not in plain.stderr
    forgot = CliRunner().invoke(main, ["predict", str(trained_model), "superb"])  # no --model
    assert forgot.exit_code == 0 and len(forgot.stdout.splitlines()) == 2
    assert f"sentigru predict --model {trained_model} TEXT..." in forgot.stderr
    phone = str(trained_model / "model.tflite")  # a model alone: not `predict - < FILE`
    alone = CliRunner().invoke(main, ["predict", "--model", str(trained_model), phone])
    assert f"sentigru predict --model {phone} TEXT..." in alone.stderr
    assert "predict - <" not in alone.stderr


def test_train_never_writes_into_the_package(synthetic_files) -> None:
    """--force replaced the bundled model itself (an editable install's tracked files),
    and every predict without --model then answered with the new labels."""
    from sentigru.presets import MODELS

    for out in (MODELS / "default", MODELS / "mine"):
        args = ["train", "--data", str(synthetic_files[0]), "--out", str(out), "--force"]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 1 and "inside the installed sentigru package" in result.output
    assert not (MODELS / "mine").exists()


def test_a_leftover_checkpoint_is_named_before_any_work(synthetic_files, tmp_path: Path) -> None:
    """Without --resume a checkpoint is refused before the data is read or a teacher
    fitted (minutes on real data). One with no epoch done (a run that failed as it
    started, out of memory) is nothing to resume: it is discarded, not in the way."""
    (tmp_path / ".m.checkpoint").mkdir()
    (tmp_path / ".m.checkpoint" / "epoch.npz").write_bytes(b"an old run's epoch")
    args = ["train", "--data", str(synthetic_files[0]), "--out", str(tmp_path / "m")]
    result = CliRunner().invoke(main, [*args, "--ngram-teacher"])
    assert result.exit_code == 1 and "add --resume" in result.output
    assert str(tmp_path / ".m.checkpoint") in result.output  # the hidden folder, named
    assert "character n-gram teacher" not in result.output
    assert "--force to start over" in result.output and "(force=True)" not in result.output
    from conftest import SMALL

    # In a notebook, force=True is how a run starts over; the CLI's --force alike.
    again = CliRunner().invoke(main, [*args, *SMALL, "--epochs", "1", "--force", "--no-phone-file"])
    assert again.exit_code == 0, again.output
    assert "checkpoint an interrupted run left beside" in again.stderr
    assert not (tmp_path / ".m.checkpoint").exists() and (tmp_path / "m" / "model.keras").exists()
    from sentigru import bundle

    stamped = bundle.checkpoint_path(tmp_path / "n")
    stamped.mkdir()
    (stamped / "sentigru-run.json").write_text("{}")  # its stamp, and no epoch
    bundle.refuse_leftover(tmp_path / "n", resume=False)
    assert not stamped.exists()


def test_resume_with_other_settings_is_refused_before_the_teacher_fits(
    synthetic_files, tmp_path: Path
) -> None:
    """The n-gram teacher takes minutes on a large set; a --resume whose settings are
    not the checkpoint's was refused only after it."""
    from sentigru.spec import Spec

    (tmp_path / ".m.checkpoint").mkdir()
    stamp = {"data_fingerprint": "another", "spec": Spec().to_dict()}
    (tmp_path / ".m.checkpoint" / "sentigru-run.json").write_text(json.dumps(stamp))
    args = ["train", "--data", str(synthetic_files[0]), "--out", str(tmp_path / "m")]
    result = CliRunner().invoke(main, [*args, "--ngram-teacher", "--resume"])
    assert result.exit_code == 1 and "--no-ngram-teacher (now --ngram-teacher)" in result.output
    assert "character n-gram teacher" not in result.output and "read " not in result.output
    # Not given, a setting is the checkpoint's: a run from before a default changed
    # resumes with the same command (here it then meets other data).
    stamp["spec"]["tokenizer"]["vocab_size"] = 8000
    (tmp_path / ".m.checkpoint" / "sentigru-run.json").write_text(json.dumps(stamp))
    result = CliRunner().invoke(main, [*args, "--resume"])
    assert "resuming with the interrupted run's settings: --vocab-size 8000 (today's 11000)" in (
        result.stderr
    )
    assert result.exit_code == 1 and "is from other data" in result.stderr


def test_tfds_options_without_a_dataset_are_bad_usage(tmp_path: Path) -> None:
    """--split and --data-dir choose from a tfds set; beside files alone they would be
    ignored without a word."""
    data = tmp_path / "d.tsv"
    data.write_text("label\ttext\npositive\tgood\n")
    for extra in (["--split", "test"], ["--data-dir", str(tmp_path)]):
        result = CliRunner().invoke(main, ["evaluate", "--data", str(data), *extra])
        assert result.exit_code == 2 and "give --dataset" in result.output


def test_words_in_other_scripts_count_as_unread_with_json_too() -> None:
    """The bundled English model reads *10점 만점에 10점* as *10 10*: a confident score on
    two digits. The words it drops whole are counted, and the note says so, also with
    --json (stdout stays JSON)."""
    result = CliRunner().invoke(main, ["predict", "--json", "10점 만점에 10점!!", "최악"])
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert (first["known_tokens"], first["unknown_tokens"], first["unread_words"]) == (2, 0, 3)
    assert (second["known_tokens"], second["unread_words"]) == (0, 1)
    assert "knows 2 of the 5 words of '10점 만점에 10점!!'" in result.stderr
    assert "knows no word of '최악'" in result.stderr


def test_json_says_how_much_of_each_text_was_read() -> None:
    """Each JSON line says ``read``: all, part or none, by the rule of the notes, so
    that a script reading a thousand results needs neither the notes (only the first
    few are printed one by one) nor the rule. An emoji or emoticon is a word unread."""
    texts = ["A wonderful, moving film.", "ok 👎", "great :(", "10점 만점에 10점!!", "최악", ""]
    result = CliRunner().invoke(main, ["predict", "--json", *texts])
    read = [json.loads(line)["read"] for line in result.stdout.splitlines()]
    assert read == ["all", "part", "part", "part", "none", "none"]
    assert "knows 1 of the 2 words of 'ok 👎'" in result.stderr


def test_names_with_control_characters_stay_on_one_line(tmp_path: Path) -> None:
    """An error quoting a name with a newline or an escape sequence is one line, shown as
    written; the web export's try-it command is quoted for the shell."""
    result = CliRunner().invoke(main, ["predict", "--model", "nl\nname\x1b[1m", "good"])
    assert result.exit_code == 1
    assert result.stderr.startswith("sentigru: error: nl\\nname\\x1b[1m: no such model (")
    assert result.stderr.count("\n") == 1
    from sentigru.presets import default_model

    site = tmp_path / "my site's"
    done = CliRunner().invoke(
        main, ["export", "--model", str(default_model()), "--format", "web", "--out", str(site)]
    )
    assert done.exit_code == 0, done.output
    assert f"-d {shlex.quote(str(site))} --bind" in done.stdout


def test_a_ctrl_c_that_native_code_handed_on_as_another_error_is_an_interruption(
    monkeypatch,
) -> None:
    """Ctrl-C while LiteRT's module loads reached the user as `ImportError: initialization
    failed` and a traceback, exit 1: it is an interruption, 130, in one line."""
    from sentigru import cli

    def loading(*_: object) -> None:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as exc:
            raise ImportError("initialization failed") from exc

    monkeypatch.setattr(cli, "_load", loading)
    handlers = {stop: signal.getsignal(stop) for stop in (signal.SIGINT, signal.SIGTERM)}
    try:
        result = CliRunner().invoke(main, ["predict", "great"])
    finally:  # the run ignores a second signal while it stops: not this process
        for stop, handler in handlers.items():
            signal.signal(stop, handler)
    assert result.exit_code == 130 and result.stderr == "sentigru: interrupted\n"
    monkeypatch.setattr(cli, "_load", lambda *_: (_ for _ in ()).throw(ImportError("no")))
    assert isinstance(CliRunner().invoke(main, ["predict", "great"]).exception, ImportError)


def test_a_program_calling_main_gets_its_signal_handlers_back(monkeypatch) -> None:
    """A command sets SIGTERM to stop as Ctrl-C does and, interrupted, ignores a second
    signal as it exits; a program calling `main` itself kept those handlers after the
    call (the process is the program's, as its thread count and collector are)."""
    from sentigru import cli

    def own(*_: object) -> None:
        """The calling program's handler."""

    stops = (signal.SIGINT, signal.SIGTERM)
    before = {stop: signal.getsignal(stop) for stop in stops}
    signal.signal(signal.SIGTERM, own)
    try:
        assert CliRunner().invoke(main, ["predict", "great"]).exit_code == 0
        assert signal.getsignal(signal.SIGTERM) is own
        monkeypatch.setattr(cli, "_load", lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
        assert CliRunner().invoke(main, ["predict", "great"]).exit_code == 130
        assert signal.getsignal(signal.SIGTERM) is own
        assert signal.getsignal(signal.SIGINT) is before[signal.SIGINT]
    finally:
        for stop, handler in before.items():
            signal.signal(stop, handler)


def test_a_phone_file_removed_from_its_folder_names_the_export_that_writes_it(
    trained_model: Path, tmp_path: Path
) -> None:
    """It said only "cannot read …/model.tflite: No such file or directory"."""
    import shutil

    folder = shutil.copytree(trained_model, tmp_path / "m")
    (folder / "model.tflite").unlink()
    result = run("predict", "--model", str(folder), "great")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"is missing (its manifest lists it): sentigru export --model {folder}" in result.output


def test_predict_data_repeated_answers_each_file_in_turn(tmp_path: Path) -> None:
    """--data repeated combines files in train and evaluate; predict answered only the
    last one's rows, without a word."""
    (tmp_path / "a.txt").write_text("great\nawful\n")
    (tmp_path / "b.jsonl").write_text('{"text": "lovely"}\n')
    result = run("predict", "--data", str(tmp_path / "a.txt"), "--data", str(tmp_path / "b.jsonl"))
    assert result.exit_code == 0, result.output
    assert [line.split("\t")[-1] for line in result.stdout.splitlines()] == [
        "great",
        "awful",
        "lovely",
    ]


def test_reading_options_without_data_are_refused(tmp_path: Path) -> None:
    """``export --label-map a=b`` (or --encoding, --text-column…) with no --data wrote
    the file and did nothing with them."""
    for option in (["--label-map", "a=b"], ["--encoding", "latin-1"], ["--skip-bad-rows"]):
        out = tmp_path / "m.tflite"
        result = CliRunner().invoke(main, ["export", "--out", str(out), *option])
        assert result.exit_code == 2 and f"{option[0]} reads data" in result.output
        assert not out.exists()


def test_predict_options_the_input_does_not_use_are_refused() -> None:
    """A TSV piped in with --text-column was answered a whole line at a time (its header
    too); --encoding beside arguments and --line-buffered beside --data did nothing."""
    cases = [
        (["predict", "--text-column", "review", "-"], "label\\treview\\npos\\tgood\\n"),
        (["predict", "--encoding", "latin-1", "good film"], None),
        (["predict", "--line-buffered", "good film"], None),
    ]
    for args, piped in cases:
        result = CliRunner().invoke(main, args, input=piped)
        assert result.exit_code == 2 and args[1] in result.output, result.output
        assert result.stdout == ""
    spelt = CliRunner().invoke(main, ["predict", "--encoding", "UTF-8", "good film"])
    assert spelt.exit_code == 0  # the default, spelt otherwise, is no option given


def test_a_preset_and_a_spec_file_are_not_both_taken(trained_model: Path, tmp_path: Path) -> None:
    """``--preset sentencepiece --spec FILE`` trained with the preset, the file dropped."""
    args = ["train", "--data", "x.tsv", "--out", str(tmp_path / "m"), "--preset", "sentencepiece"]
    result = CliRunner().invoke(main, [*args, "--spec", str(trained_model / "spec.json")])
    assert result.exit_code == 2 and "--preset and --spec each give every setting" in result.output


def test_arguments_typed_in_a_locale_that_is_not_utf8_are_read_as_typed(
    tmp_path: Path,
) -> None:
    """Under ``LC_ALL=C`` without Python's UTF-8 mode, ``--label-column étiquette``
    reached sentigru as the surrogates of its UTF-8 bytes and matched no column; a text
    was read otherwise than in a UTF-8 terminal."""
    data = tmp_path / "d.tsv"
    data.write_text("étiquette\ttexte\nnégatif\tbad film\npositif\tgreat film\n", "utf-8")

    def typed(text: str) -> str:  # what Python makes of the bytes in such a locale
        return text.encode().decode("ascii", "surrogateescape")

    args = ["evaluate", "--data", str(data), "--text-column", "texte"]
    args += ["--label-column", typed("étiquette")]
    args += ["--label-map", typed("négatif=negative,positif=positive")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0 and "accuracy\t1.0000" in result.stdout, result.output
    as_typed = CliRunner().invoke(main, ["predict", "--json", typed("très bien")])
    plain = CliRunner().invoke(main, ["predict", "--json", "très bien"])
    assert json.loads(as_typed.stdout) == json.loads(plain.stdout)


def test_predict_data_dash_names_stdin_reading() -> None:
    """``predict --data -`` said "File '-' does not exist"."""
    result = CliRunner().invoke(main, ["predict", "--data", "-"], input="good\n")
    assert result.exit_code == 2 and "texts piped in: sentigru predict -" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["train", "--data", "d.tsv", "--out", "-", "--epochs", "1"],
        ["compare", "--data", "d.tsv", "--out", "-", "--epochs", "1"],
        ["export", "--format", "web", "--out", "-"],
        ["evaluate", "--data", "d.tsv", "--plot", "-"],
    ],
)
def test_a_dash_for_an_output_is_refused(
    tmp_path: Path, args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``train --out -`` trained into a folder named ``-``, as if it were stdout; export
    and --plot wrote a folder or file of that name."""
    (tmp_path / "d.tsv").write_text("label\ttext\npositive\tgood\nnegative\tbad\n")
    monkeypatch.chdir(tmp_path)
    result = run(*args)
    assert result.exit_code == 2 and "'-': sentigru writes a" in result.output, result.output
    assert "not stdout; name it" in result.output and not (tmp_path / "-").exists()


@pytest.mark.parametrize("command", ["predict", "evaluate"])
def test_a_missing_data_file_is_one_error_everywhere(tmp_path: Path, command: str) -> None:
    """``predict --data`` said click's "File 'x' does not exist" with exit 2 where every
    other command says the reader's line with exit 1."""
    result = run(command, "--data", str(tmp_path / "nofile.tsv"))
    assert result.exit_code == 1, result.output
    assert result.output.strip().endswith("nofile.tsv: no such file or folder"), result.output


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--layers", "7"], "--layers must be between 1 and 4"),
        (["--epochs", "0"], "--epochs must be at least 1"),
        (["--cells", "gru,rnn"], "--cells takes a comma-separated list"),
    ],
)
def test_compare_names_bad_settings_as_train_does(
    tmp_path: Path, args: list[str], named: str
) -> None:
    """``compare`` reported ``layers must be…`` (the spec's name) with exit 1; ``train``
    reports the option with exit 2."""
    (tmp_path / "d.tsv").write_text("label\ttext\npositive\tgood\nnegative\tbad\n")
    result = run("compare", "--data", str(tmp_path / "d.tsv"), "--out", str(tmp_path / "c"), *args)
    assert result.exit_code == 2 and f"usage: {named}" in result.output, result.output
    assert "compare --help)" in result.output


def test_training_without_data_is_bad_usage(tmp_path: Path) -> None:
    result = run("train", "--out", str(tmp_path / "m"))
    assert result.exit_code == 2 and "no data: give --data FILE" in result.output, result.output


def test_evaluate_force_without_a_plot_is_refused(synthetic_files) -> None:
    args = ["evaluate", "--data", str(synthetic_files[1]), "--force"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and "--force replaces the --plot picture" in result.output


def test_a_hint_renames_the_files_labels_through_the_map_given(tmp_path: Path) -> None:
    """With ``--label-map 0=neg,1=pos`` the hint said ``neg=negative,pos=positive``,
    which renames nothing in the file; the library's Python names stay off the CLI."""
    data = tmp_path / "numeric.tsv"
    data.write_text("label\ttext\n0\tawful film\n1\tlovely film\n")
    result = run("evaluate", "--data", str(data), "--label-map", "0=neg,1=pos")
    assert result.exit_code == 1
    assert result.output.rstrip().endswith("--label-map, e.g. 0=negative,1=positive")
    partly = run("evaluate", "--data", str(data), "--label-map", "0=negative,1=pos")
    assert partly.output.rstrip().endswith("e.g. 0=negative,1=positive"), partly.output


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_an_endless_binary_input_is_refused_not_read_for_ever() -> None:
    """``predict --data /dev/zero`` drained its first line for ever (no line end comes)."""
    command = [sys.executable, "-m", "sentigru", "predict"]
    with open("/dev/zero", "rb") as zeros:
        for args, stdin in ((["--data", "/dev/zero"], None), (["-"], zeros)):
            done = subprocess.run(
                [*command, *args], stdin=stdin, capture_output=True, text=True, timeout=120
            )
            assert done.returncode == 1, done.stderr
            assert "binary" in done.stderr and "Traceback" not in done.stderr
    with open("/dev/zero", "rb") as zeros:  # a line of text, then endless NULs
        later = subprocess.Popen(
            [*command, "-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        assert later.stdin is not None
        try:
            later.stdin.write(b"good\n" + zeros.read(2 << 20))
            later.stdin.close()
        except BrokenPipeError:  # refused before it read them all
            pass
        assert later.wait(timeout=120) == 1 and b"binary" in later.stderr.read()
    short = subprocess.run(  # a last line without its end, a NUL in it: text still
        [*command, "-"], input=b"a lovely film\0 really", capture_output=True, timeout=120
    )
    assert short.returncode == 0 and short.stdout.startswith(b"positive"), short.stderr


def test_ctrl_c_while_the_program_starts_is_one_line_and_ends_by_the_signal() -> None:
    """A Ctrl-C in the program's first tenth of a second (its imports: half of a short
    predict's time) printed a traceback and exited 1, and a shell loop of such commands
    ran on; it now ends as the command itself does, by the signal, in one line."""
    code = """
import sys
class Interrupting:
    def find_spec(self, name, path=None, target=None):
        if name == "sentigru.cli":
            raise KeyboardInterrupt
sys.meta_path.insert(0, Interrupting())
from sentigru.__main__ import program
program()
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == -signal.SIGINT and done.stderr == "sentigru: interrupted\n"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_a_signal_while_the_done_program_winds_down_ends_it_by_the_signal() -> None:
    """A Ctrl-C or SIGTERM in the milliseconds after a command's last line, while the
    process winds down (LiteRT's interpreters, the bulk threads), raised
    KeyboardInterrupt into that clean-up: a traceback, then exit 0. It ends the process
    by the signal now, without a word more."""
    code = """
import atexit, os, signal
from sentigru import cli
def done():
    signal.signal(signal.SIGTERM, cli._interrupted)  # as a command runs
    print("answer")
    atexit.register(lambda: os.kill(os.getpid(), signal.SIGTERM))  # while it winds down
    raise SystemExit(0)
cli.main = done
cli.run()
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout == "answer\n" and done.stderr == ""
    assert done.returncode == -signal.SIGTERM


def test_a_column_picked_of_a_file_read_a_line_at_a_time_is_named(tmp_path: Path) -> None:
    """--data FILE not named .tsv, .csv or .jsonl (a pipe, .dat) is one text a line:
    --text-column was ignored and the header and labels answered as texts, exit 0."""
    table = tmp_path / "rows.dat"
    table.write_text("label\ttext\n1\tgreat film\n")
    result = CliRunner().invoke(main, ["predict", "--data", str(table), "--text-column", "body"])
    assert result.exit_code == 1 and "no columns for --text-column to pick" in result.output
    result = CliRunner().invoke(main, ["predict", "--data", str(table)])
    assert result.exit_code == 0 and "looks like a header of columns" in result.output
    assert "saved as a .tsv file, its text column alone is read" in result.output
    lines = tmp_path / "texts.txt"
    lines.write_text("great film\nawful, text and all\n")
    result = CliRunner().invoke(main, ["predict", "--data", str(lines)])
    assert result.exit_code == 0 and "header" not in result.output


def test_compressed_or_binary_stdin_is_named_not_read_as_cp1252() -> None:
    """A gzip file piped in was told to use --encoding cp1252, and with it its bytes
    were answered as a text, exit 0; a pipe given as --data was told to be renamed."""
    packed = gzip.compress(b"great\nbad\n")
    for encoding in ([], ["--encoding", "cp1252"]):
        told = CliRunner().invoke(main, ["predict", *encoding, "-"], input=packed)
        assert told.exit_code == 1 and told.stdout == ""
        assert "stdin is gzip-compressed: decompress it" in told.stderr, told.stderr
    binary = CliRunner().invoke(main, ["predict", "-"], input=b"\x7fELF\x02\x01\x00\xff\n")
    assert binary.exit_code == 1 and "line 1 of stdin is binary data, not text" in binary.stderr
    piped = _shell("printf 'great\\n' | gzip | sentigru predict --data /dev/stdin")
    assert piped.returncode == 1 and "decompress it as it is piped" in piped.stderr, piped


def test_notes_that_cannot_be_written_do_not_stop_the_answers() -> None:
    """A full stderr (or one whose reader has gone) stopped the predictions at the first
    note, exit 1; the notes are advice beside the answers, which go on."""
    texts = "zzqx qqzz vvqq great\\n" * 3 + "a great film\\n"
    done = _shell(f"printf '{texts}' | sentigru predict - 2>/dev/full")
    assert done.returncode == 0 and len(done.stdout.splitlines()) == 4, done
    for failing in ("--model nowhere great", "great > /dev/full"):  # its status, not 120
        assert _shell(f"sentigru predict {failing} 2>/dev/full").returncode == 1
