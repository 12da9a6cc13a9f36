"""Bulk prediction: many texts through one phone file, on every core, with the answers
the phone file gives one text at a time.

The phone file has one fixed input, ``[1, L]`` ids (MediaPipe's contract), so running it
text by text pays for ``L`` ids per text: 1,024 for the bundled model, where an IMDB
review has some 240 and a sentence some 20. Its graph sizes everything from its input
(:mod:`sentigru.exporters.graph`), so LiteRT's ``resize_tensor_input`` gives the same file,
with the same weights, at other shapes. Each text runs at the shortest length that holds
its ids (a whole number of the model's chunks; a few lengths, see :func:`bucket_lengths`),
several texts per invoke. No row sees another: dynamic int8 quantization is per row and
every reduction is within a row, so a text's scores do not depend on its neighbours nor
on the length it ran at (tests/test_bulk.py holds them to the fixed shape's, 1e-5).

A file that does not resize that way (written by an older sentigru, or a ``WHILE``
graph) is found out on first use by a probe against its fixed shape; then every text
runs at ``[1, L]`` as before, still on every core.

Parallel work is ``jobs`` threads (None: every core the process may use), each running
an interpreter of its own at a time (idle ones are shared by shape): LiteRT releases the
GIL while it runs a graph, threads start at once and share the model's bytes, and the
caller's thread tokenizes the next window meanwhile. Worker processes and LiteRT's own
threads were measured against them (``benchmarks/bulk_speed.md``); ``parallel=
"processes"`` and ``parallel="litert"`` remain for that measurement. Results come out in
input order, a window of texts at a time, so memory stays bounded however many come in.

No TensorFlow here: this is the predict path.
"""

from __future__ import annotations

import contextlib
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice, zip_longest
from typing import Any

import numpy as np

from sentigru.contract import cut_at_nul
from sentigru.errors import SentigruError
from sentigru.limits import available_cores, one_line
from sentigru.pieces import SentencePieceTokenizer, phone_inputs
from sentigru.portable import at_fork_in_child
from sentigru.tf_quiet import litert, quiet_litert
from sentigru.tokenizer import Tokenizer

ROWS = 16
"""Chunk rows per invoke (batch x chunks per text): enough that per-operator overhead
is shared, few enough that a graph's tensors stay in cache (measured per row: about
1.5x dearer with 1 row than with 8 to 32; no better beyond)."""
_Part = tuple[list[int], Future[np.ndarray]]
"""Positions in a window and the future of their scores."""

MIN_TEXTS = 32
"""Fewer texts than this run at the file's own shape (``LiteRTPredictor.scores``): the
first bulk call sets up a graph per length and worker, some 10 ms each."""
WINDOW = 2048
"""Texts tokenized and sorted by length at a time: the unit of ordering and memory."""
PAUSE_EVERY = 0.0005
PAUSE_SLEEP = 1e-6
"""The caller's thread, tokenizing while worker threads run graphs, sleeps (some 60 us
in practice) every half millisecond, so a worker waits at most that for the GIL."""
PARALLEL = ("threads", "processes", "litert")
TOLERANCE = 1e-5
"""How far a resized graph's scores may stray from the fixed shape's in the probe."""


def check_jobs(jobs: int | None) -> int:
    """``jobs`` as a number of workers: None is every available core."""
    if jobs is None:
        return available_cores()
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise SentigruError(f"jobs must be a whole number of at least 1, or None, got {jobs!r}")
    return jobs


def bucket_lengths(chunk: int, full: int) -> list[int]:
    """The lengths texts run at: whole chunks about 1.25x apart (1, 2, 3, 4, 5, 6, 8,
    10, 12, 15, 19, 24, ... chunks) below ``full``, then ``full`` itself. Each length
    costs a few milliseconds to set up per worker, so not every multiple of the chunk."""
    lengths, k = [], 1
    while chunk * k < full:
        lengths.append(chunk * k)
        k = max(k + 1, round(k * 1.25))
    return [*lengths, full]


@dataclass(frozen=True)
class Plan:
    """Which shapes to run: ``lengths`` ascending (the last is the file's own), and the
    batch for each. ``resizable`` False: the file runs only at its fixed shape."""

    lengths: tuple[int, ...]
    batches: tuple[int, ...]
    resizable: bool

    def length_for(self, n: int) -> int:
        """Index of the shortest length that holds ``n`` ids."""
        for i, length in enumerate(self.lengths):
            if n <= length:
                return i
        return len(self.lengths) - 1

    @classmethod
    def fixed(cls, shape: tuple[int, int]) -> Plan:
        return cls((shape[1],), (shape[0],), False)

    @classmethod
    def resized(cls, chunk: int, full: int, rows: int = ROWS) -> Plan:
        lengths = tuple(bucket_lengths(chunk, full))
        batches = tuple(max(1, rows // -(-length // chunk)) for length in lengths)
        return cls(lengths, batches, True)


class _Graph:
    """One interpreter at one input shape."""

    def __init__(self, content: bytes, shape: tuple[int, int], threads: int = 1) -> None:
        runtime = litert()
        try:  # the file passed its checks: what fails here is memory (ulimit -v)
            self.interpreter = runtime.Interpreter(model_content=content, num_threads=threads)
            details = self.interpreter.get_input_details()
            self.inputs = [detail["index"] for detail in details]  # ids (mask, segment ids)
            self.output = self.interpreter.get_output_details()[0]["index"]
            rows, length = (int(d) for d in details[0]["shape"])  # the file's own shape
            self.shape = (rows, length)
            self.resize(shape)
        except (RuntimeError, ValueError, MemoryError) as exc:
            raise SentigruError(
                f"LiteRT could not set the model up ({one_line(exc, 120)}): short of "
                "memory? Under a memory limit (ulimit -v) raise it, or give --jobs 1"
            ) from None

    def resize(self, shape: tuple[int, int]) -> None:
        """Raises RuntimeError or ValueError where the graph cannot take ``shape``; the
        interpreter may be resized again after that."""
        if shape != self.shape:
            for index in self.inputs:
                self.interpreter.resize_tensor_input(index, list(shape))
        self.shape = shape
        self.interpreter.allocate_tensors()

    def __call__(self, ids: np.ndarray) -> np.ndarray:
        for index, array in zip(self.inputs, phone_inputs(ids, len(self.inputs))):
            self.interpreter.set_tensor(index, array)
        invoke(self.interpreter)
        return self.interpreter.get_tensor(self.output).copy()


def invoke(interpreter: Any) -> None:
    """Run ``interpreter``; LiteRT's failure on these ids (a file from elsewhere that
    indexes out of its table on one word: "gather index out of bounds", a traceback
    after it had passed its checks) as one line."""
    try:
        interpreter.invoke()
    except RuntimeError as exc:
        raise SentigruError(
            f"the model failed on this text (LiteRT: {one_line(exc, 200)})"
        ) from None


class Engine:
    """Interpreters of one file by input shape, made when first needed and shared by
    threads: each takes an idle one of its shape, or makes one. At most ``calls`` run at
    once (:meth:`bound`), so that a server's request threads, each scoring in its own
    thread, do not each make an interpreter of every shape (memory grew with them)."""

    def __init__(self, content: bytes, threads: int = 1) -> None:
        self.content = content
        self.threads = threads
        self._idle: dict[tuple[int, int], list[_Graph]] = {}
        self._lock = threading.Lock()
        self._calls: threading.Semaphore | None = None

    def bound(self, calls: int) -> None:
        """Let at most ``calls`` threads run at once; the others wait for one."""
        self._calls = threading.BoundedSemaphore(calls)

    def add(self, graph: _Graph) -> None:
        with self._lock:
            self._idle.setdefault(graph.shape, []).append(graph)

    def run(self, ids: np.ndarray) -> np.ndarray:
        """Scores of the rows of ``ids`` ``[B, L]`` at that shape."""
        shape = (int(ids.shape[0]), int(ids.shape[1]))
        with self._calls or contextlib.nullcontext():
            with self._lock:
                idle = self._idle.get(shape)
                graph = idle.pop() if idle else None
            if graph is None:
                graph = _Graph(self.content, shape, self.threads)
            try:
                return graph(ids)
            finally:
                self.add(graph)


def discover(
    content: bytes, shape: tuple[int, int], vocab_size: int, rows: int = ROWS
) -> tuple[Plan, Engine]:
    """The plan for a phone file of input ``shape``: the shortest length it resizes to
    with the fixed shape's answers (its chunk), else its fixed shape only. Returns an
    engine holding the graphs the probe made."""
    engine = Engine(content)
    batch, full = shape
    with quiet_litert():  # LiteRT announces its CPU delegate, once a process
        fixed = _Graph(content, shape)
    engine.add(fixed)
    if batch != 1:
        return Plan.fixed(shape), engine
    rng = np.random.default_rng(0)
    probe_graph = _Graph(content, shape)
    for chunk in [d for d in range(2, full + 1) if full % d == 0]:
        probe = np.zeros((2, chunk), np.int32)
        for row, n in enumerate((chunk, chunk // 2 + 1)):
            probe[row, :n] = rng.integers(3, max(4, vocab_size), n)
            probe[row, 0] = 1
        try:  # one interpreter through every try: a failed allocation leaves it usable
            probe_graph.resize((2, chunk))
        except (RuntimeError, ValueError):  # a part of a chunk: the graph cannot allocate
            continue
        got = probe_graph(probe)
        wide = np.pad(probe, ((0, 0), (0, full - chunk)))
        expected = np.concatenate([fixed(wide[i : i + 1]) for i in range(2)])
        if got.shape == expected.shape and np.abs(got - expected).max() <= TOLERANCE:
            engine.add(probe_graph)
            return Plan.resized(chunk, full, rows), engine
        break  # it resized but answered otherwise: not a graph to resize
    return Plan.fixed(shape), engine


def _batches(rows: list[list[int]], plan: Plan) -> Iterator[tuple[list[int], np.ndarray]]:
    """``(positions, ids)`` batches of a window's id rows, each at one shape of the plan:
    rows grouped by the shortest length that holds them, a last part batch padded with
    empty rows."""
    groups: list[list[int]] = [[] for _ in plan.lengths]
    for position, row in enumerate(rows):
        groups[plan.length_for(len(row))].append(position)
    per_length = [
        _split(members, plan.batches[i], plan.resizable) for i, members in enumerate(groups)
    ]
    # One length after another in turn: workers taking batches in this order are mostly
    # at different lengths, so each length needs a graph in fewer of them.
    for turn in zip_longest(*per_length):
        for i, taken in enumerate(turn):
            if taken:
                size = 1 if len(taken) == 1 and plan.resizable else plan.batches[i]
                ids = np.zeros((size, plan.lengths[i]), np.int32)
                for j, position in enumerate(taken):
                    ids[j, : len(rows[position])] = rows[position]
                yield taken, ids


def _split(members: list[int], batch: int, resizable: bool) -> list[list[int]]:
    """``members`` in batches of ``batch``; the last few, when fewer than half a batch,
    one by one (a batch padded with empty rows would cost more)."""
    parts = [members[i : i + batch] for i in range(0, len(members), batch)]
    if parts and resizable and 2 * len(parts[-1]) < batch:
        parts[-1:] = [[position] for position in parts[-1]]
    return parts


_WORKER: dict[str, Any] = {}
"""A worker process's engine (``parallel="processes"``)."""


def _start_worker(content: bytes, shape: tuple[int, int]) -> None:
    _WORKER["engine"] = engine = Engine(content)
    with quiet_litert():  # LiteRT announces its CPU delegate, once a process
        engine.add(_Graph(content, shape))


def _run_in_worker(ids: np.ndarray) -> np.ndarray:
    return _WORKER["engine"].run(ids)


class BucketRunner:
    """Scores of many texts, in input order, from the bytes of a phone file.

    ``tokenizer`` is the file's (its ``seq_len`` the file's input length): the regex
    tokenizer for a one-input file, SentencePiece for a three-input one (ids, mask and
    segment ids, all resized alike). ``buckets`` overrides the lengths texts run at
    (each a whole number of chunks; the file's own length is always added). ``jobs``:
    workers, None for every available core.
    """

    def __init__(
        self,
        content: bytes,
        tokenizer: Tokenizer | SentencePieceTokenizer,
        buckets: Sequence[int] | None = None,
        jobs: int | None = None,
        *,
        shape: tuple[int, int] | None = None,
        rows: int = ROWS,
        window: int = WINDOW,
        parallel: str = "threads",
    ) -> None:
        if parallel not in PARALLEL:
            raise SentigruError(f"parallel must be one of {', '.join(PARALLEL)}, got {parallel!r}")
        self.content = content
        self.tokenizer = tokenizer
        self.jobs = check_jobs(jobs)
        self.shape = shape or (1, tokenizer.seq_len)
        self.parallel = parallel
        self.window = window
        self._buckets = buckets
        self._rows = rows
        self._plan: Plan | None = None
        self._engine: Engine | None = None  # made by the probe, shared by the threads
        self._pool: Executor | None = None
        self._setup = threading.RLock()  # one plan and one pool, whichever thread asks
        _RUNNERS.add(self)

    def _forget(self) -> None:
        """In a forked child, before any thread of its own runs: forget the parent's
        workers and interpreters. The pool has no threads there (work given to it would
        wait forever) and a lock may be held by a thread that does not exist; they are
        made again on first use."""
        self._setup = threading.RLock()
        self._plan, self._engine, self._pool = None, None, None

    @property
    def plan(self) -> Plan:
        """The shapes texts run at, probed from the file on first use."""
        with self._setup:
            return self._probed()

    def _probed(self) -> Plan:
        if self._plan is None:
            plan, self._engine = discover(
                self.content, self.shape, len(self.tokenizer.vocab), self._rows
            )
            if self._buckets is not None and plan.resizable:
                plan = self._custom_plan(plan)
            if self.parallel == "litert":
                self._engine = Engine(self.content, threads=self.jobs)
            self._engine.bound(1 if self.parallel == "litert" else self.jobs)
            self._plan = plan
        return self._plan

    def _custom_plan(self, probed: Plan) -> Plan:
        chunk, full = probed.lengths[0], self.shape[1]
        lengths = sorted({int(b) for b in self._buckets or ()} | {full})
        bad = [b for b in lengths if b < 1 or b > full or b % chunk]
        if bad:
            raise SentigruError(
                f"bucket lengths must be whole chunks of {chunk} ids up to {full}, got {bad[0]}"
            )
        batches = tuple(max(1, self._rows * chunk // length) for length in lengths)
        return Plan(tuple(lengths), batches, True)

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """``[len(texts), labels]`` float32 scores."""
        parts = list(self.iter_scores(texts))
        if parts:
            return np.concatenate(parts)
        labels = self._any_engine().run(np.zeros(self.shape, np.int32)).shape[1]
        return np.zeros((0, labels), np.float32)

    def iter_scores(self, texts: Iterable[str]) -> Iterator[np.ndarray]:
        """Scores a window of texts at a time (``[n, labels]`` arrays), in input order,
        the next window tokenized while the workers run this one."""
        for _, scores, _ in self.iter_windows(texts):
            yield scores

    def iter_windows(
        self, texts: Iterable[str], window: int | None = None
    ) -> Iterator[tuple[list[str], np.ndarray, np.ndarray]]:
        """``(texts, scores, read)`` a window (``window`` texts, or the runner's) at a
        time, in input order, two windows held at most: ``read`` counts
        each text's words with an id of their own and its unknown words (
        ``known_tokens``, ``unknown_tokens``), from the ids made for scoring (each text
        is looked at again for fragments: words cut at a letter, words of emoticons), and
        whether it was cut (``[n, 3]``; only a text that fills
        the model's length is tokenized again, to tell)."""
        iterator, size = iter(texts), window or self.window
        pending: deque[tuple[list[str], np.ndarray, list[_Part]]] = deque()
        while True:
            try:
                batch = list(islice(iterator, size))
            except Exception:  # the input failed: what was sent off is answered first
                while pending:
                    done, read, parts = pending.popleft()
                    yield done, self._collect(len(done), parts), read
                raise
            if batch:
                pending.append((batch, *self._submit(batch)))
            if pending and (not batch or len(pending) > 1):
                done, read, parts = pending.popleft()
                yield done, self._collect(len(done), parts), read
            if not batch and not pending:
                return

    def _submit(self, window: list[str]) -> tuple[np.ndarray, list[_Part]]:
        run = self._runner()
        pause = _Pause() if self._pool is not None and self.parallel == "threads" else None
        rows = []
        for text in window:
            rows.append(self.tokenizer.ids(text))
            if pause:
                pause()
        read = np.zeros((len(rows), 3), np.int64)
        full = [i for i, row in enumerate(rows) if len(row) == self.tokenizer.seq_len]
        read[full, 2] = [self.tokenizer.is_cut(window[i]) for i in full]
        nul = [i for i, text in enumerate(window) if "\0" in text and cut_at_nul(text)]
        read[nul, 2] = 1
        parts = []
        for positions, ids in _batches(rows, self.plan):
            read[positions, 0] = self.tokenizer.count_known(ids[: len(positions)])
            read[positions, 1] = self.tokenizer.count_unknown(ids[: len(positions)])
            parts.append((positions, run(ids)))
            if pause:
                pause()
        for i, text in enumerate(window):  # known ids of cut words (caf of café, 3 of <3)
            if fragments := self.tokenizer.cut_known(text):
                read[i, :2] += (-fragments, fragments)
        return read, parts

    def _collect(self, n: int, parts: list[_Part]) -> np.ndarray:
        out: np.ndarray | None = None
        for positions, future in parts:
            scores = future.result()
            if out is None:
                out = np.empty((n, scores.shape[1]), np.float32)
            out[positions] = scores[: len(positions)]
        assert out is not None
        return out

    def _runner(self) -> Callable[[np.ndarray], Future[np.ndarray]]:
        """A function that starts one batch and returns its future."""
        with self._setup:
            return self._made_runner()

    def _made_runner(self) -> Callable[[np.ndarray], Future[np.ndarray]]:
        if self.jobs == 1 or self.parallel == "litert":
            return lambda ids: _done(self._any_engine().run(ids))
        if self._pool is None:
            if self.parallel == "processes":
                import multiprocessing
                from concurrent.futures import ProcessPoolExecutor

                self._pool = ProcessPoolExecutor(
                    self.jobs,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start_worker,
                    initargs=(self.content, self.shape),
                )
            else:
                self._pool = ThreadPoolExecutor(self.jobs, thread_name_prefix="sentigru-bulk")
        pool, engine = self._pool, self._any_engine()
        work = _run_in_worker if self.parallel == "processes" else engine.run
        return lambda ids: _submitted(pool, work, engine, ids)

    def _any_engine(self) -> Engine:
        _ = self.plan
        assert self._engine is not None
        return self._engine

    def close(self) -> None:
        """Stop the workers and free the interpreters (a runner is reusable: they start
        again when needed, also for a call running now)."""
        with self._setup:
            if self._pool is not None:
                self._pool.shutdown()
            self._plan, self._engine, self._pool = None, None, None

    def __enter__(self) -> BucketRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Pause:
    """Lets the worker threads have the GIL while this thread tokenizes: a thread back
    from LiteRT waits for the GIL up to the switch interval (5 ms) while this one runs
    Python, idle for longer than a batch takes (measured: a worker ran a third of its
    invokes while the caller tokenized IMDB reviews). A short sleep every
    :data:`PAUSE_EVERY` seconds hands it over at once."""

    def __init__(self) -> None:
        self.due = time.perf_counter() + PAUSE_EVERY

    def __call__(self) -> None:
        now = time.perf_counter()
        if now >= self.due:
            time.sleep(PAUSE_SLEEP)
            self.due = now + PAUSE_EVERY


def _submitted(
    pool: Executor, work: Callable[[np.ndarray], np.ndarray], engine: Engine, ids: np.ndarray
) -> Future[np.ndarray]:
    """``work`` on ``pool``; here, on the engine this call began with, when ``close`` shut
    the pool down while the call ran."""
    try:
        return pool.submit(work, ids)
    except RuntimeError:  # cannot schedule new futures after shutdown
        return _done(engine.run(ids))


_RUNNERS: weakref.WeakSet[BucketRunner] = weakref.WeakSet()


def _forget_in_child() -> None:
    for runner in list(_RUNNERS):
        runner._forget()


at_fork_in_child(_forget_in_child)


def _done(value: np.ndarray) -> Future[np.ndarray]:
    future: Future[np.ndarray] = Future()
    future.set_result(value)
    return future
