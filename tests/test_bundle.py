"""The model folder is checked when loaded and never half-written."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from sentigru import bundle, folder_lock, presets
from sentigru.errors import SentigruError
from sentigru.spec import Spec


@pytest.fixture
def copy(trained_model: Path, tmp_path: Path) -> Path:
    target = tmp_path / "model"
    shutil.copytree(trained_model, target)
    return target


def test_load_round_trip(copy: Path) -> None:
    folder = bundle.load(copy)
    assert folder.labels == ["negative", "positive"]
    assert folder.vocab.tokens[:3] == ("<PAD>", "<START>", "<UNKNOWN>")


def test_manifest_records_what_decides_the_bits(copy: Path) -> None:
    """The oneDNN setting changes a trained model's weights, so the manifest keeps it."""
    versions = bundle.load(copy).manifest["versions"]
    assert versions["tf_enable_onednn_opts"] == os.environ["TF_ENABLE_ONEDNN_OPTS"]
    assert {"sentigru", "tensorflow", "keras", "python"} <= set(versions)
    folder = bundle.load(copy)  # the weights' own hash: model.keras holds a save time
    assert folder.manifest["weights_sha256"] == bundle.weights_sha256(folder.model)


def test_a_folder_the_disk_has_no_room_for_is_named_with_what_is_kept(
    copy: Path, tmp_path: Path, monkeypatch
) -> None:
    """A full disk while the model folder was saved said only "No space left on
    device"; it now names the folder, which is as it was, and a finished training the
    checkpoint keeps for --resume."""
    import errno

    from sentigru import atomic

    folder = bundle.load(copy)
    trained = type("T", (), {})()
    trained.model, trained.vocab, trained.labels = folder.model, folder.vocab, folder.labels
    trained.spec, trained.history, trained.metrics = folder.spec, {}, {}
    trained.data_fingerprint, trained.train_seconds = "f", 1.0

    def full(*_: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic, "_sync_tree", full)
    out = tmp_path / "m"
    with pytest.raises(SentigruError, match=r"cannot write .*m: No space left on device$"):
        bundle.save(trained, out)
    bundle.checkpoint_path(out).mkdir()
    (bundle.checkpoint_path(out) / bundle.FINISHED_FILE).write_text("{}")
    with pytest.raises(SentigruError, match="the finished training is kept: .* --resume"):
        bundle.save(trained, out)
    assert not out.exists() and not list(tmp_path.glob(".m.tmp-*"))


def test_ctrl_c_once_the_new_folder_is_in_place_says_it_was_saved(
    copy: Path, tmp_path: Path, monkeypatch
) -> None:
    """A Ctrl-C while the replaced folder was removed said "nothing was written", with
    the new model in place and whole."""
    from sentigru.errors import Interrupted

    folder = bundle.load(copy)
    trained = type("T", (), {})()
    trained.model, trained.vocab, trained.labels = folder.model, folder.vocab, folder.labels
    trained.spec, trained.history, trained.metrics = folder.spec, {}, {}
    trained.data_fingerprint, trained.train_seconds = "f", 1.0
    swap = bundle.replace_path

    def swapped_then_stopped(*args: object) -> None:
        swap(*args)
        raise KeyboardInterrupt

    monkeypatch.setattr(bundle, "replace_path", swapped_then_stopped)
    out = tmp_path / "m"
    run = bundle.training_run(out, force=False, resume=False, fingerprint="f", spec=folder.spec)
    with pytest.raises(Interrupted, match="interrupted after .*m was saved, whole"), run:
        bundle.save(trained, out)
    assert bundle.load(out).labels == folder.labels
    assert not bundle.checkpoint_path(out).exists() and not folder_lock.lock_path(out).exists()


@pytest.mark.parametrize(
    "name", ["vocab.txt", "labels.txt", "model.keras", "spec.json", "history.json"]
)
def test_altered_file_is_detected(copy: Path, name: str) -> None:
    with (copy / name).open("ab") as stream:
        stream.write(b"x")
    with pytest.raises(SentigruError, match=f"{name} was altered"):
        bundle.load(copy)


def test_a_reader_between_a_re_exports_two_writes_gets_the_new_model(
    copy: Path, monkeypatch
) -> None:
    """A re-export replaces the phone file, then the manifest: a reader that read the old
    manifest and hashed the new file said "altered" (seen under load by a helper running
    loads beside re-exports). The check goes back to the manifest as it then is; a file
    that really differs is still refused, with how to mend an export cut short."""
    bundle.add_file(copy, "model.tflite", b"old")
    read = bundle._checked_manifest
    calls: list[int] = []

    def export_lands_meanwhile(path: Path, replacing):  # type: ignore[no-untyped-def]
        if not calls:  # the reader hashes the new file against the old manifest
            calls.append(1)
            (copy / "model.tflite").write_bytes(b"new")
            try:
                return read(path, replacing)
            finally:
                bundle.add_file(copy, "model.tflite", b"new")  # the export ends
        return read(path, replacing)

    monkeypatch.setattr(bundle, "_checked_manifest", export_lands_meanwhile)
    assert bundle.read_manifest(copy)["files"]["model.tflite"]["bytes"] == 3
    monkeypatch.undo()
    (copy / "model.tflite").write_bytes(b"cut")  # an export that never wrote its manifest
    mend = r"an export into it again mends it \(sentigru export --model"
    with pytest.raises(SentigruError, match=f"model.tflite was altered .*{mend}"):
        bundle.read_manifest(copy)


def test_a_file_only_another_user_may_read_is_one_line(copy: Path, monkeypatch) -> None:
    """Root reads any file, so the refusal is made here: a PermissionError while hashing or
    loading a folder's file reached Python callers as a bare OSError, not SentigruError."""

    def refused(path: Path) -> str:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(bundle, "sha256_file", refused)
    with pytest.raises(SentigruError, match=r"cannot read .*model/\S+: Permission denied$"):
        bundle.load(copy)
    monkeypatch.undo()
    monkeypatch.setattr(bundle, "load_keras", refused)
    with pytest.raises(SentigruError, match=r"cannot read .*model.keras: Permission denied"):
        bundle.load(copy)


def test_missing_file_and_missing_manifest(copy: Path) -> None:
    (copy / "vocab.txt").unlink()
    with pytest.raises(SentigruError, match="vocab.txt is missing"):
        bundle.load(copy)
    (copy / "manifest.json").unlink()
    with pytest.raises(SentigruError, match="no manifest.json"):
        bundle.load(copy)


def test_newer_format_is_refused(copy: Path) -> None:
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["format"] = bundle.FORMAT_VERSION + 1
    manifest["versions"]["sentigru"] = "99.0"
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(SentigruError, match="sentigru 99.0; upgrade"):
        bundle.load(copy)


@pytest.mark.parametrize(
    ("made_by", "upgrade"),
    [
        ("0.9.1", True),
        ("0.1.0", False),
        ("9" * 5000, False),  # too long to be a release: ignored, not a traceback
        ("9.0 \x1b[2J\nsentigru: ok", False),  # a folder from anywhere: not shown
    ],
)
def test_a_setting_from_a_newer_version_asks_for_an_upgrade(
    copy: Path, made_by: str, upgrade: bool
) -> None:
    """A newer sentigru may add a setting without a new folder format: its folder is
    refused with the version to upgrade to, not only the unknown setting's name."""
    spec = json.loads((copy / "spec.json").read_text())
    spec["model"]["a_later_setting"] = 1
    (copy / "spec.json").write_text(json.dumps(spec))
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["files"]["spec.json"]["sha256"] = bundle.sha256_file(copy / "spec.json")
    manifest["versions"]["sentigru"] = made_by
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(SentigruError, match="a_later_setting") as caught:
        bundle.load(copy)
    assert ("upgrade sentigru" in str(caught.value)) is upgrade
    assert (made_by in str(caught.value)) is upgrade
    with pytest.raises(SentigruError, match="a_later_setting") as caught:
        presets.preset_spec(copy / "spec.json")  # as --preset or --init read it
    assert ("upgrade sentigru" in str(caught.value)) is upgrade


@pytest.mark.parametrize(
    "edit",
    [
        {"format": "1"},
        {"format": True},
        {"versions": "sentigru 0.1"},
        {"files": {"vocab.txt": "0" * 64}},
    ],
)
def test_a_manifest_of_another_shape_is_refused_in_one_line(copy: Path, edit: dict) -> None:
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest.update(edit)
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(SentigruError, match="is not a sentigru manifest"):
        bundle.load(copy)


def test_failed_save_leaves_nothing_behind(copy: Path, tmp_path: Path) -> None:
    folder = bundle.load(copy)

    class Broken:
        def save(self, *args, **kwargs):
            raise OSError("disk full")

    trained = type("T", (), {})()
    trained.model, trained.vocab, trained.labels = Broken(), folder.vocab, folder.labels
    out = tmp_path / "new"
    with pytest.raises(SentigruError, match="cannot write .*new: disk full"):
        bundle.save(trained, out)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".new")] == []


def test_replace_keeps_old_until_new_is_in_place(tmp_path: Path) -> None:
    target, staged = tmp_path / "m", tmp_path / "staged"
    target.mkdir()
    (target / "old").write_text("old")
    staged.mkdir()
    (staged / "new").write_text("new")
    with pytest.raises(SentigruError):
        bundle.replace_path(staged, target, force=False)
    assert (target / "old").exists()
    bundle.replace_path(staged, target, force=True)
    assert [p.name for p in target.iterdir()] == ["new"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]


def test_what_a_killed_write_left_beside_an_output_is_swept_once_old(
    tmp_path: Path, monkeypatch
) -> None:
    """``kill -9`` during a save or export leaves a hidden staging folder (a whole copy of
    a model or site), or the replaced folder; the next write of that output removes them
    once they are older than any write takes, and never a name sentigru does not use."""
    from sentigru import atomic

    out = tmp_path / "site"
    out.mkdir()  # the replacement came: a folder moved aside is a leftover
    leftovers = [".site.tmp-ab_c9x1z", ".site.old-4242", ".site.k2_9abcd.tmp"]
    users = [".site.tmp-mine", ".site.old-backup", ".sites.tmp-ab_c9x1z", "site.old-1"]
    for name in leftovers + users:
        (tmp_path / name).mkdir()
        (tmp_path / name / "model.tflite").write_bytes(b"x" * 10)
    staged = atomic.staging_folder(out)  # all are young: another run may be writing
    assert all((tmp_path / name).exists() for name in leftovers + users)
    staged.rmdir()
    monkeypatch.setattr(atomic, "LEFTOVER_AGE", -1.0)  # as if an hour had passed
    staged = atomic.staging_folder(out)
    assert not any((tmp_path / name).exists() for name in leftovers)
    assert all((tmp_path / name / "model.tflite").exists() for name in users)
    assert staged.exists()
    (tmp_path / leftovers[-1]).write_bytes(b"half a phone file")
    out.rmdir()
    atomic.write_atomic(tmp_path / "site", b"a file")  # files written whole sweep too
    assert not (tmp_path / leftovers[-1]).exists()


def test_a_replaced_folder_is_never_missing(tmp_path: Path, monkeypatch) -> None:
    """``train --force`` moved the old model aside, then renamed the new one in: a
    signal between the two renames lost the folder (the old one hidden, swept an hour
    later). It is swapped in one step (Linux), else put back when the second rename
    fails, and a folder moved aside by a run that died is put back, not swept."""
    from sentigru import atomic

    def folder(name: str, content: str) -> Path:
        (tmp_path / name).mkdir()
        (tmp_path / name / "model.tflite").write_text(content)
        return tmp_path / name

    target = folder("m", "old")
    renames = []
    monkeypatch.setattr(atomic.os, "replace", lambda *a: renames.append(a))
    atomic.replace_path(folder("staged", "new"), target, force=True)  # swapped in one step
    assert renames == [] and (target / "model.tflite").read_text() == "new"
    monkeypatch.undo()

    real_replace = os.replace

    def second_fails(source, dest):
        if Path(source).name == "staged2":
            raise KeyboardInterrupt  # Ctrl-C between the two renames
        real_replace(source, dest)

    monkeypatch.setattr(atomic, "_exchange", lambda *a: False)  # a system without it
    monkeypatch.setattr(atomic.os, "replace", second_fails)
    with pytest.raises(KeyboardInterrupt):
        atomic.replace_path(folder("staged2", "newer"), target, force=True)
    monkeypatch.undo()
    assert (target / "model.tflite").read_text() == "new"

    pid_max = int(Path("/proc/sys/kernel/pid_max").read_text()) if Path("/proc").exists() else 2**22
    target.rename(tmp_path / f".m.old-{pid_max + 1}")  # its run was killed, m missing
    folder(f".x.old-{os.getppid()}", "running")  # another output's, its run alive
    atomic.staging_folder(target).rmdir()
    assert (target / "model.tflite").read_text() == "new"
    assert not (tmp_path / f".m.old-{pid_max + 1}").exists()
    atomic.staging_folder(tmp_path / "x").rmdir()
    assert not (tmp_path / "x").exists()  # the run that moved it may still put it back


def test_force_replaces_a_link_and_leaves_no_hidden_copy_of_it(tmp_path: Path) -> None:
    """``--out current --force``, current a link to models/v1: v1 is untouched, current
    becomes the new folder, and no hidden link was left beside it for good."""
    (tmp_path / "v1").mkdir()
    (tmp_path / "v1" / "model.tflite").write_text("v1")
    (tmp_path / "current").symlink_to("v1")
    staged = tmp_path / "staged"
    staged.mkdir()
    bundle.replace_path(staged, tmp_path / "current", force=True)
    assert not (tmp_path / "current").is_symlink() and (tmp_path / "current").is_dir()
    assert (tmp_path / "v1" / "model.tflite").read_text() == "v1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["current", "v1"]


def test_an_empty_folder_is_written_without_force(tmp_path: Path) -> None:
    """``mkdir model && sentigru train --out model`` loses nothing: no --force needed."""
    target, staged = tmp_path / "m", tmp_path / "staged"
    target.mkdir()
    staged.mkdir()
    (staged / "new").write_text("new")
    run = bundle.training_run(target, force=False, resume=False, fingerprint="f", spec=Spec())
    with run:
        pass
    bundle.replace_path(staged, target, force=False)
    assert [p.name for p in target.iterdir()] == ["new"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]


def test_output_lock_refuses_a_second_writer_and_takes_over_stale_locks(tmp_path: Path) -> None:
    out = tmp_path / "model"
    with (
        folder_lock.output_lock(out),
        # this process's own: its lock file must stay, so no advice to remove it
        pytest.raises(SentigruError, match=r"^this process is already writing [^;]*; wait for it$"),
        folder_lock.output_lock(out),
    ):
        pass
    assert not (tmp_path / ".model.lock").exists()
    (tmp_path / ".model.lock").write_text("999999999")  # a pid that does not run
    with folder_lock.output_lock(out):
        assert (tmp_path / ".model.lock").read_text() != "999999999"


def test_keras_file_with_code_is_refused(copy: Path) -> None:
    """safe_mode stays on: a model carrying a Lambda layer (arbitrary Python) is refused."""
    import keras

    inputs = keras.Input((3,))
    outputs = keras.layers.Lambda(lambda x: x * 2)(inputs)
    keras.Model(inputs, outputs).save(copy / "evil.keras")
    with pytest.raises(SentigruError, match="cannot load the Keras model"):
        bundle.load_keras(copy / "evil.keras")


def test_not_a_keras_file(copy: Path) -> None:
    (copy / "fake.keras").write_bytes(b"not a zip at all")
    with pytest.raises(SentigruError, match="cannot load the Keras model"):
        bundle.load_keras(copy / "fake.keras")


def test_vocabulary_that_does_not_fit_the_model_is_refused(copy: Path) -> None:
    vocab = (copy / "vocab.txt").read_text()
    (copy / "vocab.txt").write_text(vocab + f"extraword {len(vocab.splitlines())}\n")
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["files"]["vocab.txt"]["sha256"] = bundle.sha256_file(copy / "vocab.txt")
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(SentigruError, match="vocab.txt has .* entries but the model embeds"):
        bundle.load(copy)


def test_a_checkpoint_from_before_an_upgrade_resumes_and_others_are_named(
    tmp_path: Path,
) -> None:
    """A run interrupted under an older sentigru wrote a stamp without the settings added
    since: it is read as a saved spec is, and a real difference is named, so the user
    knows what to give (it said "other data or settings" of the same command)."""
    out = tmp_path / "m"
    old = Spec().replace(tokenizer={"vocab_size": 8000}, training={"curly_share": 0.0})
    stamp = {"data_fingerprint": "f", "spec": old.to_dict()}
    del stamp["spec"]["training"]["curly_share"], stamp["spec"]["model"]["unknown_rate"]
    folder = bundle.checkpoint_path(out)
    folder.mkdir()
    (folder / "sentigru-run.json").write_text(json.dumps(stamp))
    assert bundle.checkpoint_folder(out, resume=True, fingerprint="f", spec=old) == folder
    # how the phone file is made comes after the training: a resumed run may change it
    phone = old.replace(export={"quantize": "none"})
    assert bundle.checkpoint_folder(out, resume=True, fingerprint="f", spec=phone) == folder
    with pytest.raises(SentigruError, match=r"other settings \(--vocab-size 8000 \(now 11000\)"):
        bundle.checkpoint_folder(out, resume=True, fingerprint="f", spec=Spec())
    other = r"from other data \(--data, --dataset and its --split, --val-data, --unlabelled"
    with pytest.raises(SentigruError, match=other):
        bundle.checkpoint_folder(out, resume=True, fingerprint="g", spec=old)
    # The same command resumes it: settings not given come from the checkpoint, so a
    # default changed since (vocab_size 8000 then, 11000 now) is no difference.
    resumed, changed = bundle.resumed_spec(out, Spec(), {"vocab_size": None, "units": None})
    assert resumed == old and "--vocab-size 8000 (today's 11000)" in changed
    given, changed = bundle.resumed_spec(out, Spec(), {"vocab_size": 11000})  # must match
    assert "vocab-size" not in changed  # not "resuming with vocab_size 8000", then refused
    with pytest.raises(SentigruError, match=r"other settings \(--vocab-size 8000 \(now 11000\)\)"):
        bundle.checkpoint_folder(out, resume=True, fingerprint="f", spec=given)
    # A run under the reverted 0.4.0 wrote piece_chars; a setting no version knows is named.
    stamp["spec"]["tokenizer"]["piece_chars"] = 16
    (folder / "sentigru-run.json").write_text(json.dumps(stamp))
    assert bundle.checkpoint_folder(out, resume=True, fingerprint="f", spec=old) == folder
    stamp["spec"]["tokenizer"]["char_limit"] = 3
    (folder / "sentigru-run.json").write_text(json.dumps(stamp))
    with pytest.raises(SentigruError, match="cannot be resumed: .*char_limit"):
        bundle.checkpoint_folder(out, resume=True, fingerprint="f", spec=old)
    (folder / "sentigru-run.json").write_text("{")
    with pytest.raises(SentigruError, match="cannot be read; --force without --resume"):
        bundle.checkpoint_folder(out, resume=True, fingerprint="f", spec=old)


def test_adding_a_file_writes_into_the_folder_itself(
    copy: Path, tmp_path: Path, monkeypatch
) -> None:
    """Re-exporting a folder's phone file: through ``.`` or a link the folder itself gets
    it (``.`` was a traceback after the conversion), its mode stays, and a folder a
    training is writing is refused, not undone."""
    copy.chmod(0o700)
    link = tmp_path / "latest"
    link.symlink_to(copy)
    bundle.add_file(link, "model.tflite", b"one")
    assert link.is_symlink() and (copy / "model.tflite").read_bytes() == b"one"
    assert copy.stat().st_mode & 0o777 == 0o700
    monkeypatch.chdir(copy)
    bundle.add_file(Path("."), "model.tflite", b"two", export={"quantize": "none"})
    entry = bundle.load(copy).manifest["files"]["model.tflite"]
    assert entry["bytes"] == 3 and entry["export"] == {"quantize": "none"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest", "model"]  # no leftovers
    with folder_lock.output_lock(copy), pytest.raises(SentigruError, match="is already writing"):
        bundle.add_file(copy, "model.tflite", b"three")
    assert (copy / "model.tflite").read_bytes() == b"two"


@contextlib.contextmanager
def _held_elsewhere(lock: Path, content: bytes | None = None) -> Iterator[None]:
    """Another process holding ``lock``'s flock (writing ``content`` into it, if given)
    until the block ends."""
    import subprocess
    import sys

    code = (
        "import fcntl, os, sys, time\n"
        "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\n"
        "if len(sys.argv) > 2:\n"
        "    os.write(fd, sys.argv[2].encode())\n"
        "print('held', flush=True)\n"
        "time.sleep(60)\n"
    )
    args = [sys.executable, "-c", code, str(lock), *([content.decode()] if content else [])]
    holder = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        yield
    finally:
        holder.kill()
        holder.wait()


def test_a_lock_is_told_live_by_its_flock_not_only_by_its_pid(tmp_path: Path) -> None:
    """Containers: a run in another PID namespace writes a pid not visible here (taken as
    dead: its live checkpoint was discarded and both runs saved the folder), and a
    container restarted as pid 1 finds its old lock naming itself (taken as live: it
    could never --resume)."""
    out = tmp_path / "model"
    lock = folder_lock.lock_path(out)
    lock.write_text(str(os.getpid()))  # the killed container's pid 1, now this process
    with folder_lock.output_lock(out):
        pass
    lock.write_text("1 flock")  # a killed container's pid 1 that held the flock: free now
    with folder_lock.output_lock(out):
        assert lock.read_text() == f"{os.getpid()} flock"
    lock.write_text("999999999")  # a pid of another namespace, its run alive there
    with _held_elsewhere(lock):
        bundle.checkpoint_path(out).mkdir()
        with pytest.raises(SentigruError, match=r"\(pid 999999999 in another container\?\)"):
            bundle.refuse_leftover(out, resume=False, force=True)
        with pytest.raises(SentigruError, match="is writing"), folder_lock.output_lock(out):
            pass
    with folder_lock.output_lock(out):  # its holder gone: stale, taken over
        assert lock.read_text().split()[0] == str(os.getpid())
    # Two runs both found a lock stale; the first took it over: the second's removal
    # of "the stale lock" must leave the first's new, held lock alone.
    with _held_elsewhere(lock, b"424242 flock"):
        folder_lock._remove_stale(lock)
        assert lock.read_text() == "424242 flock"
    folder_lock._remove_stale(lock)  # its holder gone: now it goes
    assert not lock.exists()
    # Another thread of this process writing the folder (a notebook cell run again): its
    # live checkpoint was discarded with force=True before the lock was even tried.
    with folder_lock.output_lock(out):
        with pytest.raises(SentigruError, match="this process is already writing"):
            bundle.refuse_leftover(out, resume=False, force=True)
        assert bundle.checkpoint_path(out).exists()
    # What is put at the lock's name is read with care: a FIFO hung train for ever, and a
    # pid of 0 or below read as a live run for ever.
    os.mkfifo(lock)
    with folder_lock.output_lock(out):
        pass
    for pid in ("0", "-1"):
        lock.write_text(pid)
        with folder_lock.output_lock(out):
            pass


def test_a_lock_is_never_written_through_a_link_left_beside_the_folder(
    copy: Path, tmp_path: Path
) -> None:
    """An archive that brings ``.model.lock-PID`` links beside the folder cannot make the
    lock write over what they point at (the user's ``.bashrc``)."""
    import os

    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (tmp_path / f".model.lock-{os.getpid()}").symlink_to(victim)
    bundle.add_file(copy, "model.tflite", b"x")
    assert victim.read_text() == "precious"


def test_the_sweep_puts_back_an_old_copy_whatever_its_pid_and_removes_stale_links(
    tmp_path: Path, monkeypatch
) -> None:
    """A copy moved aside by pid 1 (always alive in a container) was never put back and
    was then swept: the user's only copy. A link swapped out of `--out` was skipped by
    the sweep and stayed for good; its target is the user's and stays."""
    from sentigru import atomic

    (tmp_path / ".m.old-1").mkdir()
    (tmp_path / ".m.old-1" / "model.tflite").write_text("only copy")
    (tmp_path / "site").mkdir()
    (tmp_path / ".x.tmp-abcd1234").symlink_to("site")
    monkeypatch.setattr(atomic, "LEFTOVER_AGE", -1.0)  # as if an hour had passed
    atomic.staging_folder(tmp_path / "m").rmdir()
    assert (tmp_path / "m" / "model.tflite").read_text() == "only copy"
    atomic.staging_folder(tmp_path / "x").rmdir()
    assert not os.path.lexists(tmp_path / ".x.tmp-abcd1234") and (tmp_path / "site").is_dir()


def test_labels_that_the_model_does_not_score_are_refused(copy: Path) -> None:
    """A third label written in (and vouched for in the manifest): every answer would
    be read against the wrong names."""
    bundle.add_file(copy, "labels.txt", b"negative\npositive\nneutral\n")
    with pytest.raises(SentigruError, match="labels.txt has 3 labels but the model scores 2"):
        bundle.load(copy)


def test_a_checkpoint_is_made_whole_or_not_at_all(tmp_path: Path, monkeypatch) -> None:
    """A full disk (or Ctrl-C) as the checkpoint's stamp was written left an empty
    checkpoint: the next run was told to --resume it, and --resume could not read it."""
    import errno

    from sentigru.spec import Spec

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    out = tmp_path / "m"
    monkeypatch.setattr(bundle.os, "rename", full)
    with pytest.raises(SentigruError, match=r"cannot start the checkpoint .*No space left"):
        bundle.checkpoint_folder(out, resume=False, fingerprint="f", spec=Spec())
    assert list(tmp_path.iterdir()) == []  # no checkpoint, no staged folder
    monkeypatch.undo()
    folder = bundle.checkpoint_folder(out, resume=False, fingerprint="f", spec=Spec())
    assert bundle.checkpoint_folder(out, resume=True, fingerprint="f", spec=Spec()) == folder


def test_a_lock_that_cannot_be_written_is_named_and_leaves_no_file(
    tmp_path: Path, monkeypatch
) -> None:
    """A full disk as the lock was taken: a bare "No space left on device", and an
    empty .NAME.lock-PID-hex file no later run removed."""
    import errno

    from sentigru import folder_lock

    def full(handle: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(folder_lock.os, "write", full)
    refused = pytest.raises(SentigruError, match=r"cannot lock .*m \(.*\.m\.lock\): No space")
    with refused, folder_lock.output_lock(tmp_path / "m"):
        pass
    assert list(tmp_path.iterdir()) == []


def test_files_that_go_together_are_replaced_together(tmp_path: Path, monkeypatch) -> None:
    """A re-export whose manifest could not be written (a full disk, SIGTERM between the
    two renames) left the new phone file beside the old manifest: the folder then failed
    its own check everywhere. Both are written first; a failure leaves both old."""
    import errno

    from sentigru import atomic

    phone, manifest = tmp_path / "model.tflite", tmp_path / "manifest.json"
    phone.write_bytes(b"old phone")
    manifest.write_bytes(b"old manifest")
    real = atomic._written_beside

    def full_at_the_manifest(out: Path, content: bytes) -> Path:
        if out == manifest:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(out, content)

    monkeypatch.setattr(atomic, "_written_beside", full_at_the_manifest)
    together = {phone: b"new phone", manifest: b"new manifest"}
    with pytest.raises(SentigruError, match=r"cannot write .*manifest.json: No space left"):
        atomic.write_atomic_together(together)
    assert (phone.read_bytes(), manifest.read_bytes()) == (b"old phone", b"old manifest")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.json", "model.tflite"]
    monkeypatch.undo()
    atomic.write_atomic_together(together)
    assert (phone.read_bytes(), manifest.read_bytes()) == (b"new phone", b"new manifest")


def test_a_checkpoint_stopped_in_its_first_epoch_write_is_discarded(tmp_path: Path) -> None:
    """Ctrl-C while the first epoch was written left the stamp and a hidden half epoch:
    the run said the last completed epoch was kept, and the next was told to --resume."""
    folder = tmp_path / ".m.checkpoint"
    (folder / ".epoch.tmp-abcdefgh").mkdir(parents=True)
    (folder / "sentigru-run.json").write_text("{}")
    assert bundle.discard_empty_checkpoint(folder) and not folder.exists()
    (folder / ".epoch.old-123").mkdir(parents=True)  # one being replaced: kept
    (folder / "sentigru-run.json").write_text("{}")
    assert not bundle.discard_empty_checkpoint(folder) and folder.is_dir()
    (folder / "epoch").mkdir(parents=True)  # a completed epoch stays
    (folder / "sentigru-run.json").write_text("{}")
    assert not bundle.discard_empty_checkpoint(folder) and folder.is_dir()


def test_signals_held_hold_while_other_threads_run() -> None:
    """The mask held Ctrl-C for this thread alone: with another thread running (an export
    has TensorFlow's and LiteRT's), the system gave it the signal, Python raised in the
    block, and a new phone file was left beside the old manifest."""
    import signal
    import threading

    from sentigru import atomic

    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    reached = []
    try:
        with pytest.raises(KeyboardInterrupt), atomic._signals_held():
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(1000):  # bytecodes in which Python runs a handler it has
                reached.append(1)
    finally:
        stop.set()
    assert len(reached) == 1000  # the block ran to its end; Ctrl-C came after it


def test_a_checkpoint_that_cannot_be_listed_leaves_the_runs_own_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under `ulimit -v`, TensorFlow's import failed with sentigru's advice to raise the
    limit, and listing the checkpoint then failed too (no memory): its OSError replaced
    the advice. Not knowing what it holds, the cleanup keeps it and says nothing."""
    import errno

    folder = bundle.checkpoint_path(tmp_path / "m")
    folder.mkdir()

    def no_memory(self: Path) -> None:
        raise OSError(errno.ENOMEM, "Cannot allocate memory")

    monkeypatch.setattr(Path, "iterdir", no_memory)
    assert bundle.discard_empty_checkpoint(folder) is False
    assert folder.exists()


def test_what_came_into_a_folder_while_it_was_written_is_not_lost(
    trained_model: Path, tmp_path: Path
) -> None:
    """Found with two processes at once: an export whose folder was trained again while
    it converted put the old network's phone file into the new folder, vouched for; a
    file the user put into the folder while it trained went with the old folder under
    --force; a folder that came to exist meanwhile was refused with advice (--force)
    that threw the finished training away."""
    folder = shutil.copytree(trained_model, tmp_path / "m")
    phone = (folder / bundle.PHONE_FILE).read_bytes()
    with pytest.raises(SentigruError, match="was trained again while this export ran"):
        bundle.add_file(folder, bundle.PHONE_FILE, phone, made_from="0" * 64)
    network = json.loads((folder / "manifest.json").read_text())["files"][bundle.MODEL_FILE]
    bundle.add_file(folder, bundle.PHONE_FILE, phone, made_from=network["sha256"])
    bundle._check_still_replaceable(folder, force=True)  # only sentigru's files: replaced
    (folder / "notes.txt").write_text("my A/B results")
    with pytest.raises(SentigruError, match="'notes.txt' while the model trained.*--resume"):
        bundle._check_still_replaceable(folder, force=True)
    bundle._check_still_replaceable(folder, force=False)  # refused as occupied instead
    trained = type("T", (), {})()
    with pytest.raises(
        SentigruError,
        match=r"came to exist while the model trained.*--force \(force=True\) --resume",
    ):
        bundle.save(trained, folder)


def test_a_plot_that_came_meanwhile_is_replaced_only_with_force(tmp_path: Path) -> None:
    """Two evaluates at once both 'wrote' one picture; a file the user put there while one
    ran was replaced without --force."""
    import sentigru

    clf = sentigru.load()
    report = clf.evaluate(Path(__file__).resolve().parents[1] / "data" / "reviews_test.tsv")
    picture = tmp_path / "c.png"
    picture.write_text("my notes")
    with pytest.raises(SentigruError, match="exists; use --force"):
        clf.draw_confusion(report, picture)
    with pytest.raises(SentigruError, match="a file sentigru did not draw"):
        clf.draw_confusion(report, picture, force=True)
    assert picture.read_text() == "my notes"
    picture.unlink()
    clf.draw_confusion(report, picture)
    clf.draw_confusion(report, picture, force=True)  # its own picture: replaced
