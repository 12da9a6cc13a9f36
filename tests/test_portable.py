"""Windows and macOS: the calls that differ from Linux, walked on Linux.

Windows lacks ``fork``, ``chown``, ``getuid``, ``pathconf`` and ``SIGPIPE``, flushes only
files open for writing, and ends a process asked ``os.kill(pid, 0)``; macOS refuses an
address-space limit. Each test takes the call away (or sets :data:`portable.WINDOWS`)
and checks that sentigru still does its job, and never calls ``os.kill`` on Windows.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sentigru import atomic, comparison, folder_lock, portable, tf_quiet, trust
from sentigru.errors import SentigruError


@pytest.fixture
def windows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows' rules, where ``os.kill`` would end the process it asks about."""

    def killing(pid: int, sig: int) -> None:
        raise AssertionError(f"os.kill({pid}, {sig}) ends process {pid} on Windows")

    monkeypatch.setattr(portable, "WINDOWS", True)
    monkeypatch.setattr(os, "kill", killing)


class _Kernel32:
    """OpenProcess, GetExitCodeProcess and CloseHandle as Windows answers them."""

    def __init__(self, handle: int, error: int = 0, exit_code: int = 0) -> None:
        self.handle, self.error, self.exit_code = handle, error, exit_code
        self.closed: list[int] = []

    def OpenProcess(self, access: int, inherit: bool, pid: int) -> int:
        return self.handle

    def GetExitCodeProcess(self, handle: int, code: object) -> int:
        code._obj.value = self.exit_code  # type: ignore[attr-defined]
        return 1

    def CloseHandle(self, handle: int) -> int:
        self.closed.append(handle)
        return 1


@pytest.mark.parametrize(
    ("kernel", "alive"),
    [
        (_Kernel32(0, error=87), False),  # no such process
        (_Kernel32(0, error=5), True),  # another user's
        (_Kernel32(7, exit_code=259), True),  # STILL_ACTIVE
        (_Kernel32(7, exit_code=0), False),  # ended, its handle still held somewhere
    ],
)
def test_windows_asks_whether_a_process_runs_without_ending_it(
    windows: None, monkeypatch: pytest.MonkeyPatch, kernel: _Kernel32, alive: bool
) -> None:
    monkeypatch.setattr(portable, "_kernel32", lambda: kernel)
    monkeypatch.setattr(portable, "_last_error", lambda: kernel.error)
    assert portable.pid_alive(4242) is alive
    assert kernel.closed == ([kernel.handle] if kernel.handle else [])


def test_posix_tells_a_running_process_from_an_ended_one() -> None:
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    assert portable.pid_alive(os.getpid())
    assert not portable.pid_alive(ended.pid)


def test_a_stale_lock_is_taken_over_and_a_live_one_refused_on_windows(
    windows: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without flock (Windows), the pid in the lock file tells; asked without os.kill."""
    running = {4242}
    monkeypatch.setattr(portable, "_windows_pid_alive", lambda pid: pid in running)
    monkeypatch.setitem(sys.modules, "fcntl", None)
    out = tmp_path / "model"
    folder_lock.lock_path(out).write_text("4242")
    busy = pytest.raises(SentigruError, match="another sentigru .pid 4242. is writing")
    with busy, folder_lock.output_lock(out):
        pass
    running.clear()
    with folder_lock.output_lock(out):
        assert folder_lock.lock_path(out).read_text() == str(os.getpid())
    assert not folder_lock.lock_path(out).exists()


def test_a_folder_is_replaced_where_files_have_no_owner_or_group(
    windows: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No chown, and fsync only on a handle open for writing (a read-only one fails)."""
    synced: list[int] = []
    real_fsync = os.fsync

    def writable_only(handle: int) -> None:
        if _read_only(handle):
            raise OSError(errno.EBADF, "Bad file descriptor")
        synced.append(handle)
        real_fsync(handle)

    monkeypatch.delattr(os, "chown")
    monkeypatch.setattr(os, "fsync", writable_only)
    target = tmp_path / "model"
    target.mkdir()
    (target / "old.txt").write_text("old")
    staged = atomic.staging_folder(target)
    (staged / "new.txt").write_text("new")
    atomic.replace_path(staged, target, force=True)
    assert [p.name for p in target.iterdir()] == ["new.txt"] and synced


def _read_only(handle: int) -> bool:
    fcntl = pytest.importorskip("fcntl")  # POSIX locks: Windows has none

    return fcntl.fcntl(handle, fcntl.F_GETFL) & os.O_ACCMODE == os.O_RDONLY


def test_a_file_system_without_hard_links_still_gets_whole_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FAT and exFAT cards refuse os.link: the target is claimed, then the file renamed
    over it, and an existing target is still refused."""

    def no_links(source: object, target: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted", str(source), None, str(target))

    monkeypatch.setattr(os, "link", no_links)
    out = tmp_path / "model.tflite"
    atomic.write_atomic(out, b"whole", replace=False)
    assert out.read_bytes() == b"whole"
    with pytest.raises(SentigruError, match="exists; use --force"):
        atomic.write_atomic(out, b"other", replace=False)
    assert out.read_bytes() == b"whole"
    assert [p.name for p in tmp_path.iterdir()] == ["model.tflite"]  # no temporary file
    with folder_lock.output_lock(tmp_path / "folder"):
        assert folder_lock.lock_path(tmp_path / "folder").read_text().startswith(str(os.getpid()))


def test_what_windows_lacks_is_not_called(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("register_at_fork", "pathconf", "getuid", "chown"):
        monkeypatch.delattr(os, name)
    portable.at_fork_in_child(lambda: None)
    assert portable.name_max(tmp_path) == portable.NAME_MAX
    assert portable.user_id() is None
    portable.same_group(tmp_path, tmp_path)


def test_the_verified_cache_reads_on_windows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No uid, permission bits that say 0o666, and a cache another editor wrote with
    CRLF: the hashes in it still count."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delattr(os, "getuid")
    trust.remember(b"first")
    cache = trust.cache_file()
    assert cache is not None and b"\r" not in cache.read_bytes()
    cache.write_bytes(cache.read_bytes().replace(b"\n", b"\r\n"))
    cache.chmod(0o666)
    assert trust.is_verified(b"first") and not trust.is_verified(b"second")


def test_the_check_child_runs_where_memory_cannot_be_capped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Windows has no ``resource``; macOS refuses the limit with ValueError."""
    monkeypatch.setitem(sys.modules, "resource", None)
    trust._limit_memory(1 << 30)
    monkeypatch.delitem(sys.modules, "resource")
    resource = pytest.importorskip("resource")  # the rest: macOS, which has it

    def refusing(*args: object) -> None:
        raise ValueError("current limit exceeds maximum limit")

    monkeypatch.setattr(resource, "setrlimit", refusing)
    trust._limit_memory(1 << 30)


def test_compare_says_it_needs_posix_before_any_work(windows: None, tmp_path: Path) -> None:
    with pytest.raises(SentigruError, match="Windows lacks: run it under WSL"):
        comparison.run(["gru"], [], None, None, tmp_path / "out", False, print)
    assert not (tmp_path / "out").exists()


def test_a_missing_litert_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """ai-edge-litert has no wheel for some platforms (Intel Macs)."""
    monkeypatch.setitem(sys.modules, "ai_edge_litert", None)
    monkeypatch.setitem(sys.modules, "ai_edge_litert.interpreter", None)
    with pytest.raises(SentigruError, match="pip install ai-edge-litert"):
        tf_quiet.litert()


def test_predict_without_litert_says_what_to_install(tmp_path: Path) -> None:
    (tmp_path / "sitecustomize.py").write_text(
        "import sys\nsys.modules['ai_edge_litert'] = None\n", encoding="utf-8"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), *sys.path]))
    run = subprocess.run(
        [sys.executable, "-m", "sentigru", "predict", "great film"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert run.returncode == 1 and run.stdout == ""
    assert run.stderr.count("\n") == 1 and "pip install ai-edge-litert" in run.stderr


def test_text_files_are_written_with_lf_on_every_system() -> None:
    """Windows writes text with CRLF unless told otherwise: a model folder's files then
    hash differently from the same training on Linux."""
    import ast

    unset = []
    for path in Path(portable.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "write_text"
                and not any(k.arg == "newline" for k in node.keywords)
                and not _is_super(node.func.value)  # click's help formatter, not a file
            ):
                unset.append(f"{path.name}:{node.lineno}")
    assert unset == []


def _is_super(node: object) -> bool:
    import ast

    return (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "super"
    )


def test_a_file_is_replaced_whole_not_written_over(tmp_path: Path) -> None:
    """A reader holding the old file (a predict under way) keeps reading it whole; a
    write in place would hand it half of each."""
    out = tmp_path / "model.tflite"
    out.write_bytes(b"old model")
    with open(out, "rb") as reader:
        atomic.write_atomic(out, b"new model, longer")
        assert reader.read() == b"old model"
    assert out.read_bytes() == b"new model, longer"


def test_an_empty_lock_is_a_run_taking_it_until_it_is_old(tmp_path: Path) -> None:
    """Without hard links a lock is created empty, then filled by a rename: a run that
    took that moment's empty file for a stale lock held the folder with the other."""
    out = tmp_path / "model"
    folder_lock.lock_path(out).write_bytes(b"")
    with pytest.raises(SentigruError, match="is writing"), folder_lock.output_lock(out):
        pass
    old = time.time() - folder_lock.CLAIM_SECONDS - 1
    os.utime(folder_lock.lock_path(out), (old, old))  # left by a run killed in that moment
    with folder_lock.output_lock(out):
        pass


def test_a_claim_whose_rename_fails_leaves_no_empty_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(source: object, target: object) -> None:
        raise OSError(errno.ENOTSUP, "Operation not supported")

    def full(source: object, target: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "link", no_links)
    monkeypatch.setattr(os, "replace", full)
    out = tmp_path / "model.tflite"
    with pytest.raises(SentigruError, match="No space left"):
        atomic.write_atomic(out, b"model", replace=False)
    assert list(tmp_path.iterdir()) == []


def test_one_lock_under_two_spellings_is_still_this_processs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without flock (Windows), a lock holding this process's pid reads as stale unless
    the process knows it holds it: ``sub/../model`` is the same folder."""
    monkeypatch.setitem(sys.modules, "fcntl", None)
    (tmp_path / "sub").mkdir()
    busy = pytest.raises(SentigruError, match="this process is already writing")
    with (
        folder_lock.output_lock(tmp_path / "model"),
        busy,
        folder_lock.output_lock(tmp_path / "sub" / ".." / "model"),
    ):
        pass


def test_a_lock_held_at_this_pid_elsewhere_is_another_run(tmp_path: Path) -> None:
    """Two containers on one volume both run as pid 1: a lock naming this process's pid
    that this process does not hold is another run's, whose advice stays whole."""
    fcntl = pytest.importorskip("fcntl")  # POSIX locks: Windows has none

    out = tmp_path / "model"
    lock = folder_lock.lock_path(out)
    lock.write_text(f"{os.getpid()} flock")
    busy = pytest.raises(SentigruError, match="another sentigru .*remove its lock file")
    with open(lock, "rb+") as other:
        fcntl.flock(other, fcntl.LOCK_EX)
        with busy, folder_lock.output_lock(out):
            pass


def test_a_disk_that_ignores_case_is_still_refused_what_the_command_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """macOS's default disk reads models/A as models/a; the names alone never matched,
    and a training from models/A replaced models/a, the model it started from."""
    from sentigru import outputs

    (tmp_path / "a").mkdir()
    real = outputs.file_identity

    def ignoring_case(path: Path) -> tuple[int, int] | None:
        return real(Path(str(path).lower()))

    monkeypatch.setattr(outputs, "file_identity", ignoring_case)
    with pytest.raises(SentigruError, match="would replace"):
        outputs.check_not_input(tmp_path / "a", [tmp_path / "A"])
    with pytest.raises(SentigruError, match="lies inside"):
        outputs.check_not_input(tmp_path / "a" / "x.tflite", [tmp_path / "A"])
    assert outputs.same_path(tmp_path / "A" / "model.tflite", tmp_path / "a" / "model.tflite")
    outputs.check_not_input(tmp_path / "b", [tmp_path / "A"])  # another folder: taken
    (tmp_path / "a" / "model.tflite").write_bytes(b"x")
    (tmp_path / "dist").mkdir()
    os.link(tmp_path / "a" / "model.tflite", tmp_path / "dist" / "model.tflite")
    # a hard link elsewhere is another entry: an export there is not the folder's own
    assert not outputs.same_path(
        tmp_path / "dist" / "model.tflite", tmp_path / "a" / "model.tflite"
    )


def test_windows_counts_a_names_length_in_utf16_units(windows: None, tmp_path: Path) -> None:
    """NTFS takes 255 UTF-16 units a name: an 84-character Japanese name (252 bytes of
    UTF-8) was refused there."""
    from sentigru import outputs

    name = "日本語レビュー感情分析モデル" * 6
    assert portable.name_size(name) == 84
    outputs.check_name_fits(tmp_path / name)


def test_a_windows_crash_code_of_the_check_child_is_a_crash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Windows ends a crashed process with an exception code (0xC0000005), not a signal:
    it read as "the check of this file failed (exit 3221225477)"."""
    monkeypatch.setattr(portable, "WINDOWS", True)
    crashed = subprocess.CompletedProcess([], 0xC0000005, b"", b"")
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: crashed)  # imported in verify
    with pytest.raises(SentigruError, match=r"LiteRT crashed on this file \(0xc0000005\)"):
        trust.verify(b"x", "model.tflite", 10)
