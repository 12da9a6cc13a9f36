"""Training under tf.distribute: MirroredStrategy over two logical CPU devices and a real
two-process MultiWorkerMirroredStrategy on loopback ports, each reaching the accuracy
of a single-process run; resuming under a strategy; streaming through the CLI.

Every run is its own process, started and stopped here with a time limit: strategies
and logical devices must be set up before TensorFlow does anything else."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SMALL, synthetic_reviews, write_tsv  # SMALL: trained_model's settings

from sentigru import bundle
from sentigru.cli import main
from sentigru.distribute import Role, _tasks, cluster_role, resolve
from sentigru.errors import SentigruError

LIMIT = 300  # seconds any one training process may take


def _two_workers(ports: list[int], index: int) -> str:
    workers = [f"127.0.0.1:{port}" for port in ports]
    return json.dumps({"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}})


def test_cluster_role_reads_tf_config() -> None:
    assert cluster_role({}) == Role(1, 0)
    assert cluster_role({"TF_CONFIG": _two_workers([1, 2], 1)}) == Role(2, 1)
    assert not cluster_role({"TF_CONFIG": _two_workers([1, 2], 1)}).is_chief
    chief = {"cluster": {"chief": ["a:1"], "worker": ["b:1"]}, "task": {"type": "chief"}}
    assert cluster_role({"TF_CONFIG": json.dumps(chief)}) == Role(2, 0)
    chief["task"] = {"type": "worker", "index": 0}
    assert cluster_role({"TF_CONFIG": json.dumps(chief)}) == Role(2, 1)
    # the joining line names the other tasks' addresses
    assert _tasks({"TF_CONFIG": json.dumps(chief)}) == ("b:1", ["a:1"])
    assert _tasks({"TF_CONFIG": _two_workers([1, 2], 1)}) == ("127.0.0.1:2", ["127.0.0.1:1"])
    for bad in ("{not json", json.dumps({"cluster": {"worker": ["a:1"]}, "task": {"type": "ps"}})):
        with pytest.raises(SentigruError, match="TF_CONFIG"):
            cluster_role({"TF_CONFIG": bad})
    # a lone address was read as a list of its characters: 15 workers, index 5 taken
    lone = {"cluster": {"worker": "localhost:12345"}, "task": {"type": "worker", "index": 5}}
    with pytest.raises(SentigruError, match='"worker" must be a list of "host:port" strings'):
        cluster_role({"TF_CONFIG": json.dumps(lone)})
    with pytest.raises(SentigruError, match="TF_CONFIG has no task"):
        cluster_role({"TF_CONFIG": json.dumps({"cluster": {"worker": ["a:1"]}})})


def test_strategy_names_resolve_from_the_environment() -> None:
    assert resolve("auto", {"TF_CONFIG": _two_workers([1, 2], 0)}) == "multi-worker"
    assert resolve("mirrored", {}) == "mirrored"
    with pytest.raises(SentigruError, match="needs TF_CONFIG"):
        resolve("multi-worker", {})


TWO_CPUS = (
    "import sys\n"
    "import tensorflow as tf\n"
    "cpu = tf.config.list_physical_devices('CPU')[0]\n"
    "two = [tf.config.LogicalDeviceConfiguration()] * 2\n"
    "tf.config.set_logical_device_configuration(cpu, two)\n"
    "from sentigru.cli import main\n"
    "sys.argv[0] = 'sentigru'\n"
    "main()\n"
)
"""A program embedding sentigru on a machine with two logical CPU devices, so that
``--strategy mirrored`` has two replicas without a GPU."""


def _command(data: Path, out: Path, *extra: str, cpus: int = 1) -> list[str]:
    train = ["train", "--data", str(data), "--out", str(out), *SMALL, "--no-phone-file", *extra]
    start = ["-c", TWO_CPUS] if cpus == 2 else ["-m", "sentigru"]
    return [sys.executable, *start, *train]


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": "", **extra}


def _accuracy(model: Path, data: Path) -> float:
    result = CliRunner().invoke(main, ["evaluate", "--model", str(model), "--data", str(data)])
    assert result.exit_code == 0, result.output
    return float(result.output.split("accuracy\t")[1].split()[0])


def _run_two_workers(commands: dict[int, list[str]]) -> tuple[list[int], list[str]]:
    """Run worker 1's command, then worker 0's, on loopback ports; their exit codes and
    stderr in that order (worker 1 first)."""
    ports = _free_ports(2)
    workers = [
        subprocess.Popen(
            commands[index],
            env=_env(TF_CONFIG=_two_workers(ports, index)),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for index in (1, 0)
    ]
    try:
        errors = [w.communicate(timeout=LIMIT)[1] for w in workers]
    finally:
        for w in workers:
            w.kill()
    return [w.returncode for w in workers], errors


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


@pytest.mark.slow  # the same loop runs in the loopback and resume tests
def test_mirrored_over_two_cpu_devices_matches_one_device(
    synthetic_files: tuple[Path, Path], trained_model: Path, tmp_path: Path
) -> None:
    train, test = synthetic_files
    out = tmp_path / "mirrored"
    done = subprocess.run(
        _command(train, out, "--strategy", "mirrored", cpus=2),
        env=_env(),
        capture_output=True,
        text=True,
        timeout=LIMIT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    placement = json.loads((out / "manifest.json").read_text())["placement"]
    assert placement == {"strategy": "mirrored", "replicas": 2, "workers": 1, "streamed": False}
    single = _accuracy(trained_model, test)
    assert single > 0.9
    assert abs(_accuracy(out, test) - single) <= 0.05


@pytest.mark.e2e
def test_two_workers_on_loopback_train_one_model(
    synthetic_files: tuple[Path, Path], trained_model: Path, tmp_path: Path
) -> None:
    train, test = synthetic_files
    out = tmp_path / "models" / "multi"
    ports = _free_ports(2)
    logs = [(tmp_path / f"worker{i}.out", tmp_path / f"worker{i}.err") for i in (0, 1)]
    workers = []
    try:
        for index in (1, 0):
            stdout, stderr = (path.open("w") for path in logs[index])
            workers.append(
                subprocess.Popen(
                    _command(train, out, "--strategy", "multi-worker"),
                    env=_env(TF_CONFIG=_two_workers(ports, index)),
                    stdout=stdout,
                    stderr=stderr,
                )
            )
        codes = [w.wait(timeout=LIMIT) for w in workers]
    finally:
        for w in workers:
            w.kill()
    chief_out, chief_err = (path.read_text() for path in logs[0])
    assert codes == [0, 0], chief_err[-2000:] + logs[1][1].read_text()[-2000:]
    assert "worker 1 of 2 done; the chief writes" in logs[1][0].read_text()
    assert "saved" in chief_out
    # One valid model folder, and nothing else left beside it (locks, checkpoints, temps).
    assert [p.name for p in out.parent.iterdir()] == ["multi"]
    folder = bundle.load(out)
    manifest = folder.manifest
    assert manifest["placement"]["workers"] == 2 and manifest["placement"]["replicas"] == 2
    assert abs(_accuracy(out, test) - _accuracy(trained_model, test)) <= 0.05


@pytest.mark.e2e
def test_two_workers_start_from_a_model(
    synthetic_files: tuple[Path, Path], trained_model: Path, tmp_path: Path
) -> None:
    """--init reads its model with TensorFlow before training, as a tfds set is read:
    both workers then failed with "Collective ops must be configured at program startup"
    and a traceback. The workers' collective ops are now set up first."""
    out = tmp_path / "tuned"
    args = ["--strategy", "multi-worker", "--init", str(trained_model), "--epochs", "1"]
    command = _command(synthetic_files[0], out, *args)
    codes, errors = _run_two_workers({0: command, 1: command})
    assert codes == [0, 0], [err[-1500:] for err in errors]
    assert bundle.load(out).manifest["init"]["model_sha256"]


@pytest.mark.e2e
@pytest.mark.parametrize("other", ["rows", "units", "order"])
def test_workers_given_other_data_are_refused_in_one_line(
    synthetic_files: tuple[Path, Path], tmp_path: Path, other: str
) -> None:
    """Each worker reads its own files and builds its own vocabulary: with other rows on
    one of them (the same words in another order: the same shapes), the two trained one
    model on ids that meant other words, and both said they were done; with other shapes
    (fewer rows, another --units), both stopped in the broadcast of the model's first
    weights with a page of traceback. Both now stop before the model, with one line."""
    lines = synthetic_files[0].read_text("utf-8").splitlines()
    kept = {"rows": lines[1 : len(lines) // 2], "order": lines[1:][::-1][5:]}.get(other)
    data = tmp_path / "other.tsv"
    data.write_text("\n".join([lines[0], *(kept or lines[1:])]) + "\n", "utf-8")
    extra = ["--units", "8"] if other == "units" else []
    out, args = tmp_path / "multi", ["--strategy", "multi-worker", "--epochs", "1"]
    codes, errors = _run_two_workers(
        {1: _command(data, out, *args, *extra), 0: _command(synthetic_files[0], out, *args)}
    )
    assert codes == [1, 1], [err[-1500:] for err in errors]
    for err in errors:
        assert "the workers were given other data or settings" in err, err[-1500:]
        assert "Traceback" not in err, err[-1500:]
    assert not out.exists()


@pytest.mark.e2e
def test_a_worker_that_stops_is_named_by_the_one_left_waiting(
    synthetic_files: tuple[Path, Path], tmp_path: Path
) -> None:
    """Worker 1 refuses its input at once; the chief, waiting for it in a collective op,
    printed a page of TensorFlow traceback."""
    out, args = tmp_path / "multi", ["--strategy", "multi-worker", "--epochs", "1"]
    codes, errors = _run_two_workers(
        {
            1: _command(tmp_path / "missing.tsv", out, *args),
            0: _command(synthetic_files[0], out, *args),
        }
    )
    assert codes == [1, 1], [err[-1500:] for err in errors]
    chief = errors[1]
    assert "worker 1 stopped or cannot be reached (its own output may say why)" in chief, chief
    assert "Traceback" not in chief and not out.exists()


@pytest.mark.e2e
def test_resume_under_a_strategy_continues_after_the_last_epoch(tmp_path: Path) -> None:
    data = write_tsv(tmp_path / "train.tsv", synthetic_reviews(600, seed=4))
    out = tmp_path / "model"
    args = ["--strategy", "mirrored", "--epochs", "6", "--patience", "6", "--average-epochs", "2"]
    env = _env()
    process = subprocess.Popen(
        _command(data, out, *args, cpus=2),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    state = tmp_path / ".model.checkpoint" / "worker-state.npz"
    deadline = time.monotonic() + LIMIT
    while time.monotonic() < deadline and process.poll() is None and not state.exists():
        time.sleep(0.05)
    assert process.poll() is None, "training ended before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    import numpy as np

    with np.load(state) as saved:
        done = int(saved["scalars"][0])
        first_losses = saved["history_loss"].tolist()
    assert 1 <= done < 6

    again = subprocess.run(
        _command(data, out, *args, cpus=2), env=env, capture_output=True, text=True
    )
    assert again.returncode == 1 and "--resume" in again.stderr  # never silently discarded
    one = [*args[:1], "one", *args[2:], "--resume"]
    other = subprocess.run(
        _command(data, out, *one, cpus=2), env=env, capture_output=True, text=True
    )
    assert other.returncode == 1 and "under another --strategy" in other.stderr
    resumed = subprocess.run(
        _command(data, out, *args, "--resume", cpus=2),
        env=env,
        capture_output=True,
        text=True,
        timeout=LIMIT,
    )
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    history = json.loads((out / "history.json").read_text())
    assert len(history["loss"]) == 6 and history["loss"][:done] == first_losses
    assert not state.parent.exists()
    resumed_model = bundle.load(out).model
    # The same result as an unbroken run: the resumed one replayed the first epoch's
    # order and ended with other weights.
    whole = tmp_path / "whole"
    unbroken = subprocess.run(
        _command(data, whole, *args, cpus=2), env=env, capture_output=True, text=True
    )
    assert unbroken.returncode == 0, unbroken.stderr[-2000:]
    assert json.loads((whole / "history.json").read_text())["loss"] == history["loss"]
    expected = bundle.load(whole).model.get_weights()
    for got, want in zip(resumed_model.get_weights(), expected, strict=True):
        np.testing.assert_array_equal(got, want)


@pytest.mark.e2e
def test_streamed_training_through_the_cli(tmp_path: Path) -> None:
    rows = synthetic_reviews(900, seed=8)
    for i in range(3):
        write_tsv(tmp_path / f"part-{i}.tsv", rows[i * 300 : (i + 1) * 300])
    test = write_tsv(tmp_path / "test.tsv", synthetic_reviews(200, seed=9))
    out = tmp_path / "streamed"
    glob = str(tmp_path / "part-*.tsv")
    args = ["train", "--data", glob, "--out", str(out), "--stream", *SMALL, "--no-phone-file"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["placement"]["streamed"] is True
    assert json.loads((out / "spec.json").read_text())["training"]["stream"] is True
    # The training rows are those the hash split did not hold out, from all three files.
    held = manifest["metrics"]["val_examples"]
    assert manifest["metrics"]["train_examples"] + held == 900 and 40 <= held <= 150
    assert _accuracy(out, test) > 0.9


@pytest.mark.e2e
def test_a_run_that_fails_before_its_first_epoch_leaves_nothing(
    synthetic_files: tuple[Path, Path], tmp_path: Path
) -> None:
    """A batch that does not split over the replicas is refused in one line, and the
    checkpoint folder made for the run is removed, so the next run is not blocked."""
    out = tmp_path / "model"
    command = _command(
        synthetic_files[0], out, "--strategy", "mirrored", "--batch-size", "63", cpus=2
    )
    done = subprocess.run(command, env=_env(), capture_output=True, text=True, timeout=LIMIT)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        "sentigru: error: batch size 63 must be a multiple of the 2 replicas training it"
    )
    assert list(tmp_path.iterdir()) == []


def _wait_for(path: Path, text: str, process: subprocess.Popen, limit: float = LIMIT) -> None:
    """Until ``text`` is in the file ``path`` (a process's stderr), while it runs."""
    end = time.monotonic() + limit
    while text not in path.read_text("utf-8", errors="replace"):
        assert process.poll() is None, path.read_text("utf-8", errors="replace")[-1500:]
        assert time.monotonic() < end, f"no {text!r} in {limit} s"
        time.sleep(0.2)


@pytest.mark.e2e
def test_a_worker_waiting_for_an_absent_peer_says_so_and_stops_on_ctrl_c(
    synthetic_files: tuple[Path, Path], tmp_path: Path
) -> None:
    """TensorFlow waits for every worker of TF_CONFIG inside its C++, where no Python
    handler runs: a worker whose peer never came printed nothing and ignored Ctrl-C and
    SIGTERM (kill -9 alone ended it). It now names the peers it waits for, and Ctrl-C
    ends it at once, leaving nothing."""
    ports = _free_ports(2)
    err = tmp_path / "worker0.err"
    with err.open("w") as stderr:
        worker = subprocess.Popen(
            _command(synthetic_files[0], tmp_path / "multi", "--strategy", "multi-worker"),
            env=_env(TF_CONFIG=_two_workers(ports, 0)),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        _wait_for(err, "joining the other workers of TF_CONFIG", worker, 120)
        time.sleep(3)  # well inside TensorFlow's wait
        assert worker.poll() is None
        worker.send_signal(signal.SIGINT)
        assert worker.wait(timeout=20) == -signal.SIGINT
    finally:
        worker.kill()
    assert f"(127.0.0.1:{ports[1]}): each must start with the same command" in err.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["worker0.err"]


def _ended_within(process: subprocess.Popen, limit: float) -> int | None:
    """The process's exit code, or None if it still runs after ``limit`` seconds."""
    try:
        return process.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        return None


@pytest.mark.e2e
def test_sigterm_stops_two_training_workers_as_ctrl_c_does(
    synthetic_files: tuple[Path, Path], tmp_path: Path
) -> None:
    """docker stop, SLURM and Kubernetes stop a run with SIGTERM: TensorFlow's own handler,
    installed as the workers joined, took it, and both trained on to the end (exit 0).
    Each now stops as on Ctrl-C (exit 143, nothing written, the chief's last epoch kept
    to resume), or names the worker that stopped first."""
    ports, out = _free_ports(2), tmp_path / "multi"
    args = ["--strategy", "multi-worker", "--epochs", "500", "--patience", "500"]
    errs = [tmp_path / f"worker{i}.err" for i in (0, 1)]
    workers = []
    try:
        for index in (1, 0):
            with errs[index].open("w") as stderr:
                workers.append(
                    subprocess.Popen(
                        _command(synthetic_files[0], out, *args),
                        env=_env(TF_CONFIG=_two_workers(ports, index)),
                        stdout=subprocess.DEVNULL,
                        stderr=stderr,
                    )
                )
        _wait_for(errs[0], "epoch 2/", workers[1])
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        codes = {index: _ended_within(worker, 120) for index, worker in zip((1, 0), workers)}
    finally:
        for worker in workers:
            worker.kill()
    said = {index: errs[index].read_text() for index in (0, 1)}
    assert None not in codes.values(), (codes, said)  # one went on after its SIGTERM
    stopped = {
        i for i in (0, 1) if codes[i] == -signal.SIGTERM and "sentigru: terminated" in said[i]
    }
    assert stopped, (codes, said)
    # Each stops on its own signal or, where the two were a step apart, the other's exit
    # ends its step and it names the worker that stopped: one line either way. Rarely
    # TensorFlow's C++ aborts in that step instead, its peer gone mid-collective (seen
    # once in CI: "munmap_chunk(): invalid pointer", SIGABRT): third-party, not a sentigru
    # line to assert; the one that stopped still did so as asked.
    for i in {0, 1} - stopped:
        named = codes[i] == 1 and "stopped or cannot be reached" in said[i]
        assert named or codes[i] == -signal.SIGABRT, (codes[i], said[i])
    if 0 in stopped:  # the chief keeps the last epoch for --resume
        assert "nothing was written to" in said[0] and "--resume" in said[0]
        assert (out.parent / f".{out.name}.checkpoint").is_dir()
    assert "Traceback" not in said[0] + said[1] and not out.exists()
    if 0 in stopped:  # --resume on the chief only: it went on, the other began again
        again = _command(synthetic_files[0], out, *args)
        codes_again, errors = _run_two_workers({0: [*again, "--resume"], 1: again})
        assert codes_again == [1, 1], [err[-1500:] for err in errors]
        for err in errors:
            assert "(or --resume on some only)" in err and "Traceback" not in err, err[-1500:]


def test_a_worker_server_that_cannot_start_is_one_line(monkeypatch) -> None:
    """A port already taken made TensorFlow raise "Could not start gRPC server" through
    a page of traceback; it is one line naming this worker's address. The handlers of
    Ctrl-C and SIGTERM are put back either way."""
    from sentigru import distribute

    monkeypatch.setenv("TF_CONFIG", _two_workers([23001, 23002], 1))
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: None)  # a caller's
    try:
        before = [signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)]

        def taken() -> None:
            raise RuntimeError("Could not start gRPC server")

        with pytest.raises(SentigruError, match=r"server at 127\.0\.0\.1:23002 .*gRPC.*port"):
            distribute._waited_for(taken)
        assert [signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)] == before

        def made() -> object:  # as TensorFlow does while it waits: takes SIGTERM
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            return signal.getsignal(signal.SIGINT)

        assert distribute._waited_for(made) is signal.SIG_DFL  # Ctrl-C ends the wait
        assert [signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)] == before
    finally:
        signal.signal(signal.SIGTERM, previous)
