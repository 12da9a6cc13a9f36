"""Hostile model files: whatever a ``.tflite`` holds, ``sentigru predict`` answers or
says what is wrong on one line (exit 1), within bounded memory and time; it never dies
of a signal, hangs or prints a traceback.

The files are made here, cheaply: a packed vocabulary deflated from gigabytes, a sparse
giant, shapes and indices edited into the bundled model with LiteRT's schema object
API, random byte flips. Each runs through the real command in a child process under an
address-space limit, with a private verification cache.
"""

from __future__ import annotations

import io
import os
import random
import struct
import subprocess
import sys
import threading
import zipfile
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from sentigru import limits, trust
from sentigru.errors import SentigruError
from sentigru.presets import MODELS

resource = pytest.importorskip("resource")  # address-space limits: POSIX (not Windows)

BUNDLED = MODELS / "default" / "model.tflite"
GIB = 1 << 30
TEXT = "a fine film"


# -- running the command ----------------------------------------------------------------------


def _predict(model: Path, cache: Path, memory: int = 4 * GIB, timeout: float = 120) -> Any:
    """``python -m sentigru predict --model MODEL TEXT`` under RLIMIT_AS ``memory``."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    command = [sys.executable, "-m", "sentigru", "predict", "--model", str(model), TEXT]
    try:
        return subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, env=env, preexec_fn=limit
        )
    except subprocess.TimeoutExpired:
        return None


def _assert_answer_or_one_line(proc: Any, what: str) -> None:
    assert proc is not None, f"{what}: hung"
    assert proc.returncode >= 0, f"{what}: killed by signal {-proc.returncode}"
    assert "Traceback" not in proc.stderr, f"{what}: {proc.stderr[-2000:]}"
    if proc.returncode == 0:
        assert proc.stdout.strip(), what
    else:
        assert proc.returncode in (1, 2), f"{what}: exit {proc.returncode}"
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1, f"{what}: {proc.stderr[-2000:]}"


def _assert_refused(proc: Any, *words: str) -> None:
    _assert_answer_or_one_line(proc, " ".join(words))
    assert proc.returncode == 1, proc.stdout
    message = proc.stderr.strip()
    assert message.startswith("sentigru: error: "), message
    for word in words:
        assert word in message, message


# -- building files ---------------------------------------------------------------------------


def _split(content: bytes) -> tuple[bytes, dict[str, bytes]]:
    """The model flatbuffer and the packed files of a sentigru ``.tflite``."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        start = min(info.header_offset for info in archive.infolist())
        files = {name: archive.read(name) for name in archive.namelist()}
    return content[:start], files


def _zip(offset: int, entries: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip archive to append at ``offset``, written by hand so that its headers can say
    anything: ``(name, payload, method, declared size, crc)`` per entry."""
    local, central = b"", b""
    for name, payload, method, size, crc in entries:
        raw = name.encode()
        at = offset + len(local)
        fields = (method, 0, 0x21, crc, len(payload), size, len(raw))
        local += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, *fields, 0) + raw + payload
        central += struct.pack(
            "<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, *fields, 0, 0, 0, 0, 0o644 << 16, at
        )
        central += raw
    end = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central),
        offset + len(local), 0,
    )  # fmt: skip
    return local + central + end


def _stored(name: str, data: bytes) -> tuple[str, bytes, int, int, int]:
    return name, data, zipfile.ZIP_STORED, len(data), zlib.crc32(data)


def _deflated_lines(total: int) -> tuple[bytes, int]:
    """A raw deflate stream of about ``total`` bytes of vocabulary lines, made in
    milliseconds: a full flush resets the compressor, so one compressed chunk repeats."""
    chunk = b"spam 3\n" * (1 << 17)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    copies = total // len(chunk)
    return piece * copies + compressor.flush(zlib.Z_FINISH), copies * len(chunk)


def _bomb(flat: bytes, files: dict[str, bytes], declared: int | None) -> bytes:
    """The model with its vocab.txt replaced by ~2.9 GB of deflated lines, its header
    declaring ``declared`` bytes (None: the truth)."""
    stream, size = _deflated_lines(2_900_000_000)
    vocab = ("vocab.txt", stream, zipfile.ZIP_DEFLATED, declared or size, 0)
    return flat + _zip(len(flat), [vocab, _stored("labels.txt", files["labels.txt"])])


Change = tuple[Any, str, Any]
"""``(object, attribute, new value)``: one edit of the model tree."""


def _edited(tree: Any, files: dict[str, bytes], edit: Callable[[Any], list[Change]]) -> bytes:
    """The bundled model (``tree``: its object-API tree) with ``edit``'s changes packed in;
    ``tree`` is left as it was."""
    import flatbuffers

    changes = edit(tree)
    saved = [getattr(target, name) for target, name, _ in changes]
    for target, name, value in changes:
        setattr(target, name, value)
    try:
        builder = flatbuffers.Builder(1 << 20)
        builder.Finish(tree.Pack(builder), b"TFL3")
    finally:
        for (target, name, _), old in reversed(list(zip(changes, saved))):
            setattr(target, name, old)
    flat = bytes(builder.Output())
    return flat + _zip(len(flat), [_stored(name, data) for name, data in files.items()])


def _graph(tree: Any) -> Any:
    return tree.subgraphs[0]


def _weights(tree: Any) -> Any:
    """A constant tensor (one with data)."""
    tensors = _graph(tree).tensors
    return next(t for t in tensors if tree.buffers[t.buffer].data is not None)


def _set_shape(tensor: Callable[[Any], Any], shape: list[int]) -> Callable[[Any], list[Change]]:
    return lambda tree: [(tensor(tree), "shape", shape)]


def _input(tree: Any) -> Any:
    return _graph(tree).tensors[_graph(tree).inputs[0]]


def _op_input(tree: Any) -> list[Change]:
    op = _graph(tree).operators[10]
    return [(op, "inputs", [len(_graph(tree).tensors) + 7, *op.inputs[1:]])]


def _graph_output(tree: Any) -> list[Change]:
    return [(_graph(tree), "outputs", [10**6])]


def _buffer_index(tree: Any) -> list[Change]:
    return [(_weights(tree), "buffer", len(tree.buffers) + 5)]


def _custom_op(tree: Any) -> list[Change]:
    code = tree.operatorCodes[_graph(tree).operators[0].opcodeIndex]
    return [
        (code, "builtinCode", 32),
        (code, "deprecatedBuiltinCode", 32),
        (code, "customCode", b"Evil"),
    ]


EDITS: dict[str, tuple[Callable[[Any], list[Change]], tuple[str, ...]]] = {
    "huge dimension": (_set_shape(_weights, [1 << 30]), ("dimension outside",)),
    "huge tensor": (_set_shape(_weights, [1 << 20, 1 << 20]), ("over the limit",)),
    "negative dimension": (_set_shape(_weights, [-5, 3]), ("dimension outside",)),
    "long input": (_set_shape(_input, [1, 1 << 17]), ("input length",)),
    "operator input index": (_op_input, ("uses tensor",)),
    "subgraph output index": (_graph_output, ("tensor 1000000",)),
    "buffer index": (_buffer_index, ("buffer",)),
    "custom operator": (_custom_op, ("custom operator",)),
}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Any]]:
    """Every hostile file, each already run through ``sentigru predict`` (two at a time,
    the bombs under a 2 GiB address-space limit): name -> (file, finished process)."""
    from ai_edge_litert import schema_py_generated as schema

    folder = tmp_path_factory.mktemp("hostile")
    cache = folder / "cache"
    content = BUNDLED.read_bytes()
    flat, files = _split(content)
    tree = schema.ModelT.InitFromObj(schema.Model.GetRootAs(flat, 0))
    made = {name: _edited(tree, files, edit) for name, (edit, _) in EDITS.items()}
    made["bomb"] = _bomb(flat, files, None)
    made["bomb with a lying header"] = _bomb(flat, files, 10_000)
    made["stored giant"] = flat + _zip(
        len(flat), [("vocab.txt", b"", zipfile.ZIP_STORED, 3_000_000_000, 0)]
    )
    made["many entries"] = flat + _zip(len(flat), [_stored(f"f{i}", b"") for i in range(40)])
    paths = {}
    for name, data in made.items():
        paths[name] = folder / f"{name.replace(' ', '_')}.tflite"
        paths[name].write_bytes(data)
    paths["sparse giant"] = folder / "sparse.tflite"
    with open(paths["sparse giant"], "wb") as stream:
        stream.write(content)
        stream.truncate(limits.TFLITE_BYTES + 1)  # a hole: no disk, no time

    def run(name: str) -> Any:
        return _predict(paths[name], cache, memory=2 * GIB if "bomb" in name else 4 * GIB)

    with ThreadPoolExecutor(2) as pool:
        done = dict(zip(paths, pool.map(run, paths)))
    return {name: (paths[name], done[name]) for name in paths}


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("bomb", ("packed vocab.txt", "16 MiB limit")),
        ("bomb with a lying header", ("packed vocab.txt", "damaged")),
        ("stored giant", ("packed vocab.txt", "16 MiB limit")),
        ("many entries", ("40 zip entries", "limit of 16")),
        ("sparse giant", ("sparse.tflite", "64 MiB limit")),
    ],
)
def test_bombs_and_giants_are_refused_in_bounded_memory(
    hostile: dict[str, tuple[Path, Any]], name: str, words: tuple[str, ...]
) -> None:
    path, proc = hostile[name]
    _assert_refused(proc, path.name, *words)


@pytest.mark.parametrize("name", list(EDITS))
def test_absurd_shapes_and_indices_are_refused(
    hostile: dict[str, tuple[Path, Any]], name: str
) -> None:
    path, proc = hostile[name]
    _assert_refused(proc, path.name, *EDITS[name][1])


def test_a_page_is_never_made_of_a_file_predict_refuses(
    hostile: dict[str, tuple[Path, Any]], tmp_path: Path
) -> None:
    """export --format web checked the metadata only: a file with a custom operator or a
    dimension of 2^30, refused by predict, became a site that visitors' browsers run."""
    import sentigru

    for name in ("custom operator", "huge dimension"):
        with pytest.raises(SentigruError, match=EDITS[name][1][0]):
            sentigru.export(hostile[name][0], tmp_path / "site", format="web")
        assert not (tmp_path / "site").exists()


def test_a_model_that_fails_on_a_text_is_one_line() -> None:
    """A file that passes its checks may still fail in LiteRT on one word (an index out
    of its table): that was a traceback, and a RuntimeError to Python."""
    from sentigru.bulk import invoke

    class Failing:
        def invoke(self) -> None:
            raise RuntimeError("gather index out of boundsNode number 8 (GATHER) failed.\nmore")

    with pytest.raises(SentigruError, match=r"^the model failed on this text \(LiteRT: gather"):
        invoke(Failing())


def test_a_named_pipe_in_a_model_folder_is_read_as_empty_not_waited_on(tmp_path: Path) -> None:
    """A FIFO with no writer blocked open() for good (Ctrl-C did nothing): it is refused
    at once, by name."""
    import threading

    pipe = tmp_path / "model.tflite"
    os.mkfifo(pipe)
    said: list[str] = []

    def read() -> None:
        with pytest.raises(SentigruError) as caught:
            limits.read_file(pipe, 1024)
        said.append(str(caught.value))

    reader = threading.Thread(target=read, daemon=True)  # the old code never returned
    reader.start()
    reader.join(20)
    assert said and said[0].endswith("model.tflite: a named pipe, not a file"), said


def test_labels_with_escape_sequences_are_shown_not_obeyed() -> None:
    """evaluate printed a model's labels raw: one holding ESC ] 0; set the terminal's
    title, ESC [ 2 J cleared the screen."""
    from sentigru.evaluation import classification_report, format_report

    evil = ["neg\x1b]0;PWNED\x07\x1b[2J", "pos\x9b2J"]
    shown = format_report(classification_report([0, 1], [1, 1], evil))
    assert "\x1b" not in shown and "\x9b" not in shown and "\x07" not in shown
    assert "neg\\x1b]0;PWNED" in shown


def test_bomb_is_refused_before_inflating(tmp_path: Path) -> None:
    """In-process too: the refusal costs milliseconds, not gigabytes."""
    from sentigru.modelfile import read_metadata

    flat, files = _split(BUNDLED.read_bytes())
    with pytest.raises(SentigruError, match="16 MiB limit"):
        read_metadata(_bomb(flat, files, limits.VOCAB_BYTES + 1))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(SentigruError, match="damaged"):
        read_metadata(_bomb(flat, files, limits.VOCAB_BYTES))  # the most it may claim
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # KiB


# -- random byte flips ------------------------------------------------------------------------


def _structure_offsets(content: bytes) -> list[int]:
    """Offsets of the flatbuffer's tables and vectors, outside the weights' data, where
    a flip changes structure rather than a number."""
    from ai_edge_litert import schema_py_generated as schema

    flat, _ = _split(content)
    model = schema.Model.GetRootAs(flat, 0)
    data = bytearray(len(flat))
    for i in range(model.BuffersLength()):
        buffer = model.Buffers(i)
        if buffer.DataLength():
            start = buffer._tab.Vector(buffer._tab.Offset(4))
            data[start : start + buffer.DataLength()] = b"\1" * buffer.DataLength()
    return [i for i, inside in enumerate(data) if not inside]


def _mutant(content: bytes, structure: list[int], seed: int) -> bytes:
    """1-8 random byte changes, anywhere (even seeds) or in the structure (odd seeds)."""
    rng = random.Random(seed)
    data = bytearray(content)
    for _ in range(rng.randint(1, 8)):
        at = rng.choice(structure) if seed % 2 else rng.randrange(len(data))
        data[at] ^= 1 << rng.randrange(8) if rng.random() < 0.5 else rng.randrange(1, 256)
    return bytes(data)


def _mutation_run(tmp_path: Path, seeds: range) -> None:
    content = BUNDLED.read_bytes()
    structure = _structure_offsets(content)
    cache = tmp_path / "cache"

    def run(seed: int) -> tuple[int, Any]:
        path = tmp_path / f"mutant{seed}.tflite"
        path.write_bytes(_mutant(content, structure, seed))
        return seed, _predict(path, cache, memory=4 * GIB, timeout=90)

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(run, seeds))
    for seed, proc in results:
        _assert_answer_or_one_line(proc, f"mutant seed {seed}")
    refused = sum(proc.returncode != 0 for _, proc in results)
    assert 0 < refused < len(results)  # flips both break files and leave some working


def test_random_byte_flips(tmp_path: Path) -> None:
    _mutation_run(tmp_path, range(12))  # 300 more in the slow set


CRASHER = 2231
"""A seed whose mutant of the bundled phone file passes every check and still kills
LiteRT (SIGSEGV while allocating; LiteRT reads a flatbuffer's options without question).
It depends on the file's layout: after a new export, find another (odd seeds, the
structure flips, whose mutant passes ``check_model`` and makes ``RAW_LOAD`` die by a
signal)."""

RAW_LOAD = (
    "import sys\n"
    "from ai_edge_litert.interpreter import Interpreter\n"
    "Interpreter(model_path=sys.argv[1]).allocate_tensors()\n"
)


def test_a_file_that_crashes_litert_is_one_line(tmp_path: Path) -> None:
    content = BUNDLED.read_bytes()
    path = tmp_path / "crasher.tflite"
    path.write_bytes(_mutant(content, _structure_offsets(content), CRASHER))
    raw = subprocess.run(
        [sys.executable, "-c", RAW_LOAD, str(path)], capture_output=True, timeout=120
    )
    assert raw.returncode < 0, "this mutant no longer crashes LiteRT: find another CRASHER"
    proc = _predict(path, tmp_path / "cache")
    _assert_refused(proc, path.name)
    assert "LiteRT crashed on this file (SIGSEGV)" in proc.stderr  # the child took the crash


@pytest.mark.slow
def test_many_random_byte_flips(tmp_path: Path) -> None:
    _mutation_run(tmp_path, range(1000, 1300))


# -- the child process and the cache ----------------------------------------------------------


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(trust, "_CHECKED", set())  # what earlier tests found safe
    return tmp_path / "cache" / "sentigru" / "verified"


def _fake_child(monkeypatch: pytest.MonkeyPatch, code: str) -> None:
    monkeypatch.setattr(trust, "_child_command", lambda vocab_size: [sys.executable, "-c", code])


def test_a_crash_in_the_child_is_one_line(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_child(monkeypatch, "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)")
    with pytest.raises(SentigruError) as caught:
        trust.verify(b"model", "evil.tflite", 10)
    message = str(caught.value)
    assert message.startswith("evil.tflite: LiteRT crashed") and "SIGSEGV" in message
    assert "\n" not in message and not cache.exists()


def test_a_silent_child_failure_is_one_line(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_child(monkeypatch, "import sys; sys.exit(3)")
    with pytest.raises(
        SentigruError, match=r"^m.tflite: the check of this file failed \(exit 3\)$"
    ):
        trust.verify(b"model", "m.tflite", 10)


def test_a_hang_in_the_child_is_one_line(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_child(monkeypatch, "import time; time.sleep(60)")
    monkeypatch.setattr(limits, "CHILD_SECONDS", 1.0)
    with pytest.raises(SentigruError, match=r"^slow.tflite: LiteRT did not load and run it"):
        trust.verify(b"model", "slow.tflite", 10)


def test_the_child_runs_the_model_for_real(cache: Path) -> None:
    from sentigru.modelfile import read_metadata

    content = BUNDLED.read_bytes()
    trust.verify(content, "bundled", len(read_metadata(content)["vocab"]))
    # Ids past the embedding: LiteRT's own error, from the child, on one line.
    with pytest.raises(SentigruError, match=r"^big: LiteRT cannot run it: .*GATHER") as caught:
        trust.verify(content, "big", 10**6)
    assert "\n" not in str(caught.value)
    with pytest.raises(SentigruError, match="^junk: LiteRT cannot run it"):
        trust.verify(b"junk", "junk", 10)


def test_the_child_runs_a_sentencepiece_file_with_all_three_inputs(
    cache: Path, parity_pieces: Any
) -> None:
    """The check fed a SentencePiece file its ids alone: its mask and segment ids held
    whatever memory had, and the lookup failed, so a model folder copied to another
    machine (or after the cache was cleared) was refused as a file LiteRT cannot run."""
    pytest.importorskip("tensorflow")
    from probe_model import small_sentencepiece_file
    from test_parity_sentencepiece import parity_texts

    content, _, _ = small_sentencepiece_file(parity_pieces, parity_texts()[:20], 64, 16)
    assert trust._run_child(content, len(parity_pieces)) == "ok"
    trust.verify(content, "copied.tflite", len(parity_pieces))  # in the child process
    assert trust.is_verified(content)


def test_the_child_runs_where_python_is_embedded_in_a_server(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under uWSGI or mod_wsgi ``sys.executable`` is the server's binary: the check runs
    the environment's own Python instead, and a copied file still loads."""
    import subprocess

    monkeypatch.setattr(sys, "executable", "/usr/sbin/uwsgi")
    python = trust.python_executable()
    assert Path(python).name.startswith("python") and Path(python).is_file()
    ran = subprocess.run([python, "-c", "import sentigru.trust"], capture_output=True)
    assert ran.returncode == 0, ran.stderr
    content = BUNDLED.read_bytes()
    trust.verify(content, "copied", 100)


def test_a_file_pays_once_and_the_bundled_one_never(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sentigru.predictor import LiteRTPredictor

    calls = []
    real = trust.verify
    monkeypatch.setattr(trust, "verify", lambda *args: calls.append(args) or real(*args))
    copy_of = tmp_path / "copy.tflite"
    copy_of.write_bytes(BUNDLED.read_bytes())
    assert trust.trusted_location(BUNDLED) and not trust.trusted_location(copy_of)
    first = LiteRTPredictor.load(copy_of).scores([TEXT])
    again = LiteRTPredictor.load(copy_of).scores([TEXT])
    LiteRTPredictor.load(BUNDLED)
    assert len(calls) == 1 and (first == again).all()
    assert cache.read_text() == trust.digest(BUNDLED.read_bytes()) + "\n"


def test_the_cache_is_bounded_and_survives_junk(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(trust, "CACHE_LINES", 3)
    cache.parent.mkdir(parents=True)
    cache.write_text("junk\n" + "f" * 64 + "\n")
    for i in range(5):
        trust.remember(bytes([i]))
    kept = cache.read_text().split()
    assert kept == [trust.digest(bytes([i])) for i in (2, 3, 4)]
    assert trust.is_verified(bytes([4])) and not trust.is_verified(bytes([0]))
    names = sorted(p.name for p in cache.parent.iterdir())
    assert names == [".verified.lock", "verified"]  # no temp file left


def test_processes_verifying_at_once_keep_every_file(cache: Path) -> None:
    """Six processes each loading new files at once: the cache was read, changed and
    written again without a lock, and kept 4 lines of 6 (the others checked again)."""
    code = (
        "import sys\nfrom sentigru import trust\n"
        "for i in range(25):\n    trust.remember(bytes([int(sys.argv[1]), i]))\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(cache.parents[1])}
    runs = [subprocess.Popen([sys.executable, "-c", code, str(n)], env=env) for n in range(6)]
    assert [run.wait(timeout=120) for run in runs] == [0] * 6
    kept = set(cache.read_text().split())
    assert kept == {trust.digest(bytes([n, i])) for n in range(6) for i in range(25)}


def test_an_unwritable_cache_only_costs_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # a file: no folder can go there
    trust.remember(b"x")
    assert not trust.is_verified(b"x")


def test_a_process_checks_a_file_once_where_the_cache_cannot_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read-only home: each load (each unpickled classifier in a pool) ran the check
    child again, half a second every time."""
    from sentigru.predictor import LiteRTPredictor

    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # a file: no folder can go there
    monkeypatch.setattr(trust, "_CHECKED", set())
    calls = []
    real = trust.verify
    monkeypatch.setattr(trust, "verify", lambda *args: calls.append(args) or real(*args))
    copy_of = tmp_path / "copy.tflite"
    copy_of.write_bytes(BUNDLED.read_bytes())
    first = LiteRTPredictor.load(copy_of).scores([TEXT])
    again = LiteRTPredictor.load(copy_of).scores([TEXT])
    assert len(calls) == 1 and (first == again).all()
    assert not trust.is_verified(copy_of.read_bytes())  # the cache itself holds nothing


def test_a_user_with_no_home_checks_in_each_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``docker run --user 12345``: no HOME and no passwd entry. The cache is skipped;
    loading a copied file was a traceback, and train lost its phone file to it."""
    from sentigru.predictor import LiteRTPredictor

    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv("HOME", raising=False)

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert trust.cache_file() is None
    trust.remember(b"x")
    assert not trust.is_verified(b"x")
    copy_of = tmp_path / "copy.tflite"
    copy_of.write_bytes(BUNDLED.read_bytes())
    assert LiteRTPredictor.load(copy_of).scores([TEXT]).shape == (1, 2)


# -- model folders ----------------------------------------------------------------------------


def test_folder_files_are_size_checked_before_reading(tmp_path: Path) -> None:
    from sentigru.tokenizer import Vocabulary

    vocab = tmp_path / "vocab.txt"
    with open(vocab, "wb") as stream:
        stream.truncate(limits.VOCAB_BYTES + 1)
    with pytest.raises(SentigruError, match=r"vocab.txt is over the 16 MiB limit"):
        Vocabulary.load(vocab)
    with pytest.raises(SentigruError, match="over the 16 MiB limit"):
        Vocabulary.load(Path("/dev/zero"))  # no size to check: the bounded read stops it


def _keras_zip(path: Path, entries: list[tuple[str, bytes, int, int, int]]) -> Path:
    path.write_bytes(_zip(0, entries))
    return path


def test_keras_zips_are_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sentigru.bundle import load_keras

    many = _keras_zip(tmp_path / "many.keras", [_stored(f"f{i}", b"") for i in range(300)])
    with pytest.raises(SentigruError, match="cannot load the Keras model: 300 zip entries"):
        load_keras(many)
    stream, size = _deflated_lines(300 << 20)
    bomb = [("model.weights.h5", stream, zipfile.ZIP_DEFLATED, size, 0)]
    with pytest.raises(SentigruError, match=r"inflate to [0-9.]+ MiB, over the 256 MiB limit"):
        load_keras(_keras_zip(tmp_path / "bomb.keras", bomb))
    monkeypatch.setattr(limits, "KERAS_BYTES", 1 << 20)
    split = [(f"part{i}", b"", zipfile.ZIP_DEFLATED, 600_000, 0) for i in range(2)]
    with pytest.raises(SentigruError, match="inflate to 1.1 MiB, over the 1 MiB limit"):
        load_keras(_keras_zip(tmp_path / "split.keras", split))


def test_the_check_imports_nothing_from_the_users_folder(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``python -m`` imports from the current folder first: a ``numpy.py`` beside a
    downloaded model ran inside the very check meant to contain that model."""
    here = tmp_path / "downloaded"
    here.mkdir()
    marker = tmp_path / "ran"
    for name in ("numpy.py", "ai_edge_litert.py", "flatbuffers.py"):
        (here / name).write_text(f"open({str(marker)!r}, 'w').write('{name}')\n")
    monkeypatch.chdir(here)
    content = BUNDLED.read_bytes()
    trust.verify(content, "copied", 100)
    assert not marker.exists(), marker.read_text()


def test_what_else_a_hostile_file_could_hold_is_refused(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another delimiter than the contract's (phones would split on it, Python not; ``\\s*``
    froze the web page), a file packed twice (readers take different copies), and a
    cache another user may write (a hash there would skip the check)."""
    from sentigru.modelfile import check_model, read_metadata, write_metadata

    content = BUNDLED.read_bytes()
    meta = read_metadata(content)
    common = dict(vocab=meta["vocab"], labels=meta["labels"], name="x", description="x",
                  version="1")  # fmt: skip
    check_model(write_metadata(content, **common, delim_regex=r"[^\w\']+"))  # Model Maker's
    with pytest.raises(SentigruError, match=r"splits on '\[\^\\\\w\]\+', not on"):
        check_model(write_metadata(content, **common, delim_regex=r"[^\w]+"))
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive, pytest.warns(UserWarning, match="Duplicate"):
        archive.writestr("labels.txt", "negative\npositive\n")
        archive.writestr("labels.txt", "positive\nnegative\n")
    packed.seek(0)
    with pytest.raises(SentigruError, match="'labels.txt' is packed twice"):
        limits.open_zip(packed, "x.tflite", 8)
    trust.remember(content)
    assert trust.is_verified(content) and oct(cache.parent.stat().st_mode)[-3:] == "700"
    cache.chmod(0o666)  # another user could have put the hash there
    assert not trust.is_verified(content)


def test_a_bounded_read_reserves_the_file_not_the_bound(tmp_path: Path) -> None:
    """Reading a 0.4 MB phone file asked Python for its 64 MiB bound at once: a
    MemoryError traceback under `ulimit -v 200000`. Files of any size, and devices
    without one, are read whole, up to the bound."""
    import resource

    data = os.urandom(3 << 20)
    big = tmp_path / "big.bin"
    big.write_bytes(data)
    assert limits.read_file(big, 4 << 20) == data
    with pytest.raises(SentigruError, match="big.bin"):
        limits.read_file(big, 1 << 20)
    with pytest.raises(SentigruError):
        limits.read_file(Path("/dev/zero"), 3 << 20)  # no size: stopped by the bound
    small = tmp_path / "small.bin"
    small.write_bytes(b"model")
    code = (
        "import resource, sys\n"
        "from pathlib import Path\n"
        "from sentigru import limits\n"
        "resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[2]), resource.RLIM_INFINITY))\n"
        "print(limits.read_file(Path(sys.argv[1]), 1 << 40))\n"
    )
    import subprocess
    import sys

    used = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss << 10
    bound = max(used, 1 << 30) * 4  # room for Python, not for a terabyte
    done = subprocess.run(
        [sys.executable, "-c", code, str(small), str(bound)], capture_output=True, text=True
    )
    assert done.returncode == 0 and done.stdout == "b'model'\n", done.stderr[-500:]


def test_no_writable_temporary_folder_is_one_line_naming_tmpdir() -> None:
    """With no home and no writable temporary folder, Keras' own folder failed before the
    check that names TMPDIR: Python's "No usable temporary directory" came through."""
    import subprocess
    import sys

    code = (
        "import tempfile\n"
        "def none():\n"
        "    raise FileNotFoundError('No usable temporary directory found in [/tmp]')\n"
        "tempfile.gettempdir = none\n"
        "from sentigru.errors import SentigruError\n"
        "from sentigru.tf_quiet import import_tensorflow\n"
        "try:\n"
        "    import_tensorflow('training')\n"
        "except SentigruError as exc:\n"
        "    print(exc)\n"
    )
    env = {**os.environ, "HOME": "no-home"}  # not a folder one can write in
    env.pop("KERAS_HOME", None)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert "needs a writable temporary folder" in done.stdout, done.stderr[-800:]
    assert "set TMPDIR to one" in done.stdout


@pytest.mark.parametrize(("what", "mode"), [("file", 0o620), ("folder", 0o777), ("folder", 0o770)])
def test_a_cache_others_can_write_vouches_for_nothing(cache: Path, what: str, mode: int) -> None:
    """A hash another user (or group) put there would skip the check of their file."""
    trust.remember(b"model")
    assert trust.is_verified(b"model")
    (cache if what == "file" else cache.parent).chmod(mode)
    assert not trust.is_verified(b"model")


# -- files someone else put where sentigru reads or writes ---------------------------------------

DEEP = "[" * 5000  # a kilobyte's JSON that Python's parser ends in RecursionError


def test_json_nested_thousands_deep_is_a_bad_row_or_a_one_line_refusal(tmp_path: Path) -> None:
    from sentigru.data import ReadOptions, read_examples
    from sentigru.outputs import has_sentigru_manifest
    from sentigru.spec import Spec

    rows = tmp_path / "deep.jsonl"
    rows.write_text(DEEP + '\n{"text": "great", "label": "pos"}\n')
    with pytest.raises(SentigruError, match=r"deep.jsonl:1: not JSON \(nested too deeply\)"):
        read_examples(rows, ReadOptions())
    assert read_examples(rows, ReadOptions(skip_bad_rows=True)).examples.texts == ["great"]
    with pytest.raises(SentigruError, match="nested too deeply"):
        Spec.from_json(DEEP)
    (tmp_path / "manifest.json").write_text(DEEP)
    assert not has_sentigru_manifest(tmp_path)
    with pytest.raises(SentigruError, match="manifest.json is unreadable: nested too deeply"):
        limits_free_load(tmp_path)


def limits_free_load(folder: Path) -> None:
    import sentigru

    sentigru.load(folder)


def test_a_named_pipe_or_a_giant_above_an_output_is_not_read(tmp_path: Path) -> None:
    """Checks made before writing read every manifest.json above --out: a named pipe hung
    them, a sparse file of gigabytes was read whole. Neither is a model's."""
    from sentigru.outputs import has_sentigru_manifest, is_sentigru_png

    os.mkfifo(tmp_path / "manifest.json")
    os.mkfifo(tmp_path / "c.png")
    giant = tmp_path / "giant"
    giant.mkdir()
    with open(giant / "manifest.json", "wb") as sparse:
        sparse.truncate(GIB)
    from sentigru.comparison import _is_comparison

    os.mkfifo(tmp_path / "comparison.json")
    found: list[bool] = []
    checks = threading.Thread(  # a daemon: a hang fails this test, not the whole run
        target=lambda: found.extend(
            [
                has_sentigru_manifest(tmp_path),
                is_sentigru_png(tmp_path / "c.png"),
                _is_comparison(tmp_path / "comparison.json"),
            ]
        ),
        daemon=True,
    )
    checks.start()
    checks.join(timeout=20)
    assert found == [False, False, False]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert not has_sentigru_manifest(giant)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 64 * 1024  # KiB


def test_result_lines_show_escape_sequences_in_paths_as_escapes(tmp_path: Path) -> None:
    """'wrote PATH' printed the name raw: an OSC 8 link and an erased line took effect."""
    from click.testing import CliRunner

    from sentigru.cli import main

    site = tmp_path / "x\x1b]8;;http://example.invalid/\x07click\x1b[2K\r"
    result = CliRunner().invoke(main, ["export", "--format", "web", "--out", str(site)])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout and "\r" not in result.stdout and "\x07" not in result.stdout
    assert "x\\x1b]8;;http:/example.invalid/\\x07click" in result.stdout  # a Path: one /
    assert limits.shown("great \u202edab yllaer") == "great \\u202edab yllaer"  # shows 'really bad'
