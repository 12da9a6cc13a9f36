"""No command loses a user's file: an output is never what the command reads, never the
working folder, and replaces an existing file or folder only with --force and only if
it is what sentigru writes there. Every refusal comes before any work, in one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import sentigru
from sentigru import bundle, outputs
from sentigru.cli import main
from sentigru.errors import SentigruError


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.output


def test_an_output_is_never_what_it_reads(tmp_path: Path, monkeypatch) -> None:
    data = tmp_path / "d" / "data.tsv"
    data.parent.mkdir()
    data.write_text("x")
    for out, word in ((data, "would replace"), (data.parent, "would replace")):
        with pytest.raises(SentigruError, match=word):
            outputs.check_not_input(out, [data])
    with pytest.raises(SentigruError, match="lies inside"):
        outputs.check_not_input(tmp_path / "d" / "plot.png", [data.parent])
    outputs.check_not_input(tmp_path / "other", [data, None])  # elsewhere: fine
    monkeypatch.chdir(data.parent)
    for out in (Path("."), Path(".."), Path("sub/..")):
        with pytest.raises(SentigruError, match="current folder"):
            outputs.check_not_working_folder(out)
    outputs.check_not_working_folder(Path("new"))


def _model_folder(path: Path) -> bool:
    return outputs.is_model_folder(path, bundle.written_names())


def test_an_existing_output_needs_force_and_must_be_sentigrus(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("precious")
    for force in (False, True):  # not ours: --force would not help, so not suggested
        with pytest.raises(SentigruError, match="is not a model folder; remove it yourself"):
            outputs.check_replaceable(mine, force, _model_folder, "a model folder")
    (mine / "manifest.json").write_text('{"versions": {"sentigru": "0.2.0"}}')
    assert not _model_folder(mine)  # a model folder, with the user's notes in it
    assert outputs.foreign_entries(mine, bundle.written_names()) == ["notes.txt"]
    (mine / ".DS_Store").write_bytes(b"")  # a file browser's, not the user's
    assert outputs.foreign_entries(mine, bundle.written_names()) == ["notes.txt"]
    (mine / "manifest.json").write_text('{"versions": 2}')  # not sentigru's, nor a crash
    assert not _model_folder(mine)
    (mine / "manifest.json").write_text('{"name": "my web app"}')  # not sentigru's
    assert not _model_folder(mine)
    saved = tmp_path / "saved"
    (saved / "variables").mkdir(parents=True)
    (saved / "saved_model.pb").write_bytes(b"")
    assert outputs.is_saved_model(saved)
    (saved / "NOTES.md").write_text("precious")  # a SavedModel with the user's files
    assert not outputs.is_saved_model(saved)
    (tmp_path / "empty").mkdir()  # mkdir first, then --out: nothing to lose, no --force
    outputs.check_replaceable(tmp_path / "empty", False, _model_folder, "a folder")
    (tmp_path / "link").symlink_to(tmp_path / "empty")  # a link is the user's, even so
    with pytest.raises(SentigruError, match="link exists; use --force"):
        outputs.check_replaceable(tmp_path / "link", False, _model_folder, "a folder")
    with pytest.raises(SentigruError, match="exists and is not a TFLite file"):
        outputs.check_replaceable(tmp_path / "empty", False, outputs.is_tflite, "a TFLite file")
    outputs.check_replaceable(tmp_path / "new", False, _model_folder, "a folder")


def test_the_working_folder_and_a_path_under_a_file_are_named(tmp_path: Path, monkeypatch) -> None:
    """``--out .`` failed with "Device or resource busy: ." (a folder cannot be renamed
    from inside), and ``--out notes.html/site`` with "File exists"."""
    (tmp_path / "site" / "css").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "site" / "css")
    for out in (Path("."), Path(".."), tmp_path / "site"):
        with pytest.raises(SentigruError, match="is the folder this command runs in, or holds"):
            outputs.check_replaceable(out, True, _model_folder, "a folder")
    outputs.check_replaceable(tmp_path / "other", True, _model_folder, "a folder")
    (tmp_path / "notes.html").write_text("x")
    for check in (
        lambda out: outputs.check_replaceable(out, True, _model_folder, "a folder"),
        lambda out: outputs.check_writable(out, make_parent=True),
    ):
        with pytest.raises(SentigruError, match="notes.html is a file, not a folder"):
            check(tmp_path / "notes.html" / "deep" / "site")


def test_train_refuses_to_write_over_its_data_or_a_users_folder(
    synthetic_files: tuple[Path, Path], tmp_path: Path, monkeypatch
) -> None:
    data = tmp_path / "data.tsv"
    data.write_bytes(synthetic_files[0].read_bytes())
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("precious")
    model = tmp_path / "model"  # a model folder the user put notes in
    model.mkdir()
    (model / "manifest.json").write_text('{"versions": {"sentigru": "0.2.0"}, "files": {}}')
    (model / "notes.txt").write_text("precious")
    (tmp_path / "empty").mkdir()
    monkeypatch.chdir(tmp_path)
    cases = [
        ("would replace data.tsv", ["--out", "data.tsv", "--force"]),
        ("current folder", ["--out", ".", "--force"]),
        ("mine exists and is not a sentigru model folder", ["--out", "mine", "--force"]),
        ("mine exists and is not a sentigru model folder", ["--out", "mine"]),  # not: --force
        ("holds notes.txt, which sentigru did not write", ["--out", "model", "--force"]),
    ]
    for message, args in cases:
        code, output = _run("train", "--data", "data.tsv", *args)
        assert code == 1 and message in output, output
    assert data.read_bytes() == synthetic_files[0].read_bytes()
    assert (mine / "notes.txt").read_text() == "precious"
    assert (model / "notes.txt").read_text() == "precious"


def test_export_and_evaluate_refuse_to_write_over_a_users_file(
    trained_model: Path, synthetic_files: tuple[Path, Path], tmp_path: Path
) -> None:
    import shutil

    from sentigru.exporters.phone import is_sentigru_phone_file

    model_bytes = (trained_model / "model.keras").read_bytes()
    mine = tmp_path / "mine.tflite"
    mine.write_text("precious")
    theirs = tmp_path / "theirs.tflite"  # a TFLite file, but not one sentigru wrote
    theirs.write_bytes(b"\x1c\x00\x00\x00TFL3" + bytes(64))
    ours = shutil.copy(trained_model / "model.tflite", tmp_path / "ours.tflite")
    assert is_sentigru_phone_file(Path(ours)) and not is_sentigru_phone_file(theirs)
    other_model = shutil.copytree(trained_model, tmp_path / "other-model")
    served = tmp_path / "served"  # a SavedModel, with a file of the user's beside it
    (served / "variables").mkdir(parents=True)
    (served / "saved_model.pb").write_bytes(b"")
    (served / "README.txt").write_text("how we serve it")
    data = tmp_path / "test.tsv"
    data.write_bytes(synthetic_files[1].read_bytes())
    cases = {
        "theirs.tflite exists and is not a phone file sentigru wrote": ["export", "--out", theirs],
        "ours.tflite exists; use --force": ["export", "--out", ours],
        "ending in .tflite": ["export", "--out", data],
        "lies inside": ["export", "--out", trained_model / "other.tflite"],
        "would replace": ["export", "--format", "saved_model", "--out", trained_model],
        "is not a SavedModel": ["export", "--format", "saved_model", "--out", tmp_path, "--force"],
        "holds README.txt, which sentigru did not write there": [
            "export",
            "--format",
            "saved_model",
            "--out",
            served,
            "--force",
        ],
        "mine.tflite exists and is not a phone file sentigru wrote": [
            "export",
            "--out",
            mine,
            "--force",
        ],
        "theirs.tflite exists and is not a phone file": ["export", "--out", theirs, "--force"],
        "lies inside the model folder": [
            "export",
            "--out",
            other_model / "model.tflite",
            "--force",
        ],
        "--out {} lies inside the model folder".format(other_model / "site"): [
            "export",
            "--format",
            "web",
            "--out",
            other_model / "site",
        ],
        "--batch: not used by --format web; the page runs MediaPipe, which takes batch 1": [
            "export",
            "--format",
            "web",
            "--out",
            tmp_path / "site",
            "--batch",
            "4",
        ],
        "--quantize, --seq-len: not used by --format web; export such a phone file first": [
            "export",
            "--format",
            "web",
            "--out",
            tmp_path / "site",
            "--quantize",
            "none",
            "--seq-len",
            "128",
        ],
        "--batch: not used by --format saved_model": [
            "export",
            "--format",
            "saved_model",
            "--out",
            tmp_path / "sm",
            "--batch",
            "4",
        ],
    }
    for message, args in cases.items():
        code, output = _run(*args, "--model", trained_model)
        usage = "not used by" in message  # settings that do not go together: bad usage
        assert code == (2 if usage else 1) and message in output, output
    notes = tmp_path / "notes.txt"  # not a phone file, whatever export would make of it
    notes.write_text("hi")
    code, output = _run("export", "--model", notes, "--out", tmp_path / "n.tflite")
    assert code == 1 and "notes.txt is a file, not a model folder" in output, output
    phone = trained_model / "model.tflite"
    code, output = _run("export", "--model", phone, "--out", tmp_path / "n.tflite")
    assert code == 1 and "model.tflite is a phone file; export reads a model folder" in output
    picture = tmp_path / "mine.png"
    picture.write_text("precious")
    plot = ["evaluate", "--model", trained_model, "--data", data, "--plot"]
    cases = {
        "name it .png": (2, [data]),
        "mine.png exists and is not a picture sentigru drew": (1, [picture]),
        "is not a picture sentigru drew": (1, [picture, "--force"]),
        "lies inside the model folder": (1, [other_model / "training.png", "--force"]),
    }
    for message, (expected, target) in cases.items():
        code, output = _run(*plot, *target)
        assert code == expected and message in output, output
    inside = {  # train and compare wrote folders and reports into a model folder
        "lies inside the model folder": ["train", "--out", other_model / "sub"],
        "is a model folder, whose manifest": ["compare", "--cells", "gru", "--out", other_model],
    }
    for message, args in inside.items():
        code, output = _run(*args, "--data", data)
        assert code == 1 and message in output, output
    assert not (other_model / "sub").exists() and not (other_model / "gru").exists()
    assert picture.read_text() == "precious"
    assert mine.read_text() == "precious"
    assert (served / "README.txt").read_text() == "how we serve it"
    assert theirs.read_bytes().startswith(b"\x1c\x00\x00\x00TFL3")
    for name in ("model.tflite", "training.png"):
        assert (other_model / name).read_bytes() == (trained_model / name).read_bytes()
    assert data.read_bytes() == synthetic_files[1].read_bytes()
    assert (trained_model / "model.keras").read_bytes() == model_bytes


def test_bad_settings_and_columns_are_refused_by_name(
    synthetic_files: tuple[Path, Path], tmp_path: Path
) -> None:
    code, output = _run(
        "train", "--data", synthetic_files[0], "--out", tmp_path / "m", "--curly-share", "1.5"
    )
    assert code == 2 and "--curly-share must be in [0, 1]" in output
    code, output = _run("evaluate")
    assert code == 2 and "give --data FILE or --dataset NAME" in output
    code, output = _run(
        "train", "--data", synthetic_files[0], "--out", tmp_path / "m", "--text-column", "label"
    )
    assert code == 1 and "both read from column 'label'" in output
    with pytest.raises(SentigruError, match="curly_share must be a number, got True"):
        sentigru.train(synthetic_files[0], tmp_path / "m", curly_share=True)
    assert not (tmp_path / "m").exists()


def test_a_text_the_terminal_cannot_show_is_escaped_not_a_traceback(trained_model: Path) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "cp1252"}
    command = [sys.executable, "-m", "sentigru", "predict", "--model", str(trained_model)]
    result = subprocess.run(
        [*command, "日本 superb"], capture_output=True, env=env, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert b"\\u65e5\\u672c superb" in result.stdout


def test_names_paths_and_races_that_real_runs_meet(tmp_path: Path, monkeypatch) -> None:
    """A name that fits the file system but not with the temporary names beside it is
    refused before any work (a training ran to its end, then could not be saved); a phone
    file exported without --force never replaces one that appeared meanwhile; a lock is
    never seen without its owner; a live run's checkpoint is not called left over."""
    from sentigru.atomic import write_atomic
    from sentigru.bundle import checkpoint_path, refuse_leftover
    from sentigru.folder_lock import output_lock

    outputs.check_writable(tmp_path / ("A" * 231))
    with pytest.raises(SentigruError, match="a name of 232 bytes.*at most 231 bytes"):
        outputs.check_writable(tmp_path / ("A" * 232))
    locked = tmp_path / ("B" * 231)  # the longest name beside it: its lock's, pid and all
    with output_lock(locked):
        pass
    with pytest.raises(SentigruError, match="a name of 250 bytes"):  # not ENAMETOOLONG
        sentigru.train(tmp_path / "none.tsv", tmp_path / "sub" / ("C" * 250))
    mine = tmp_path / "mine.tflite"
    write_atomic(mine, b"first", replace=False)
    mine.write_text("the user's, made while converting")
    with pytest.raises(SentigruError, match="mine.tflite exists; use --force"):
        write_atomic(mine, b"second", replace=False)
    assert mine.read_text() == "the user's, made while converting"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    out = tmp_path / "model"
    with output_lock(out):
        assert (tmp_path / ".model.lock").read_text().split()[0] == str(os.getpid())
    (tmp_path / ".model.lock").write_text(str(os.getppid()))  # a live run holds it
    checkpoint_path(out).mkdir()
    with pytest.raises(SentigruError, match=f"another sentigru \\(pid {os.getppid()}\\)"):
        refuse_leftover(out, resume=False)


def test_a_quoted_tilde_is_named_and_no_folder_named_tilde_is_made(
    tmp_path: Path, monkeypatch
) -> None:
    """``--out "~/models/x"`` (quoted: the shell leaves ``~``) made a folder named ``~``
    in the working folder, one ``rm -rf ~`` away from the user's home; a missing
    ``"~/reviews.tsv"`` said only "no such file". Where a ``~`` folder really is there,
    the path is the user's to use."""
    monkeypatch.chdir(tmp_path)
    home = "its ~ is not your home folder here"
    for args in (
        ["train", "--data", "~/reviews.tsv", "--out", "m"],
        ["evaluate", "--data", "~/data/*.tsv"],
        ["predict", "--model", "~/m/model.tflite", "fine"],
        ["export", "--model", "~/m", "--out", "x.tflite"],
    ):
        code, output = _run(*args)
        assert code == 1 and home in output, (args, output)
    model = sentigru.__path__[0] + "/models/default"
    for args in (
        ["export", "--model", model, "--out", "~/x.tflite"],
        ["export", "--model", model, "--format", "web", "--out", "~/site"],
        ["train", "--data", "~/reviews.tsv", "--out", "~/models/m"],
        ["compare", "--data", "~/reviews.tsv", "--out", "~/cmp"],
        ["export", "--model", model, "--format", "saved_model", "--out", "~/sm"],
    ):
        code, output = _run(*args)
        assert code == 1 and "cannot write ~/" in output and home in output, (args, output)
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "~").mkdir()  # a folder so named: no note, the path is taken as it is
    code, output = _run("export", "--model", model, "--out", "~/x.tflite")
    assert code == 0 and (tmp_path / "~" / "x.tflite").is_file(), output


def test_a_failed_training_leaves_no_folder_it_made_for_out(
    synthetic_files: tuple[Path, Path], tmp_path: Path, monkeypatch
) -> None:
    """``--out runs/new/model`` on data refused after the checks, or a training that
    failed, left ``runs/new`` behind; a failed run leaves nothing."""
    import sentigru
    from sentigru import training

    one_label = tmp_path / "one.tsv"
    one_label.write_text("label\ttext\npos\tfine\npos\tgood\n")
    with pytest.raises(SentigruError, match="every example has the label"):
        sentigru.train(one_label, tmp_path / "runs" / "new" / "model")
    assert not (tmp_path / "runs").exists()

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the training failed")

    monkeypatch.setattr(training, "train", broken)
    (tmp_path / "runs").mkdir()  # the user's: kept
    with pytest.raises(RuntimeError, match="the training failed"):
        sentigru.train(synthetic_files[0], tmp_path / "runs" / "a" / "b" / "model", epochs=1)
    assert list((tmp_path / "runs").iterdir()) == []


def test_a_file_of_a_folder_that_has_gone_is_not_written_into_a_new_one(tmp_path: Path) -> None:
    """Only outputs a user names make their folder: a model folder's file (its manifest
    re-written after an export) whose folder was removed meanwhile fails, not made again."""
    from sentigru.atomic import write_atomic

    with pytest.raises(SentigruError, match="cannot write"):
        write_atomic(tmp_path / "gone" / "manifest.json", b"{}")
    assert not (tmp_path / "gone").exists()
    write_atomic(tmp_path / "dist" / "m.tflite", b"x", make_parent=True)
    assert (tmp_path / "dist" / "m.tflite").read_bytes() == b"x"


@pytest.mark.skipif(not hasattr(os, "umask") or sys.platform == "win32", reason="POSIX modes")
def test_a_replaced_file_keeps_its_mode_and_a_group_folder_its_group(tmp_path: Path) -> None:
    """A private file replaced under umask 022 became world-readable, and a file shared
    with a group, private under umask 077; in a setgid folder (a team's), a model folder
    or site written there lost the folder's group on every file inside, so a teammate
    could not read it."""
    import stat

    from sentigru.atomic import staging_folder, write_atomic

    old = os.umask(0o022)
    try:
        private = tmp_path / "private.tflite"
        private.write_bytes(b"old")
        private.chmod(0o600)
        write_atomic(private, b"new")
        assert private.read_bytes() == b"new" and stat.S_IMODE(private.stat().st_mode) == 0o600
        os.umask(0o077)
        shared = tmp_path / "shared.png"
        shared.write_bytes(b"old")
        shared.chmod(0o640)
        write_atomic(shared, b"new")
        assert stat.S_IMODE(shared.stat().st_mode) == 0o640
        fresh = tmp_path / "fresh.tflite"
        write_atomic(fresh, b"new")  # a new file: as the umask allows
        assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
        team = tmp_path / "team"
        team.mkdir()
        team.chmod(0o2770)
        staged = staging_folder(team / "model")
        assert staged.stat().st_mode & stat.S_ISGID  # files made inside take its group
    finally:
        os.umask(old)
