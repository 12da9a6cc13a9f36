"""Classifying texts with a model folder (Keras) or a ``.tflite`` file (LiteRT).

Both give ``[{"label", "score"}]`` per text from the same tokenizer. The LiteRT path
imports neither TensorFlow nor Keras, so ``sentigru predict`` on a phone file starts in a
fraction of a second.
"""

from __future__ import annotations

import contextlib
import os
import threading
import weakref
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from sentigru.contract import cut_at_nul
from sentigru.errors import SentigruError
from sentigru.pieces import Pieces, SentencePieceTokenizer, phone_inputs, tokenizer_for
from sentigru.portable import at_fork_in_child
from sentigru.tf_quiet import litert, quiet_litert
from sentigru.tokenizer import Tokenizer, Vocabulary, read_verdict

CHUNK = 256


class Predictor:
    """Common interface: ``labels`` and ``scores(texts) -> [N, num_labels]``."""

    labels: list[str]
    tokenizer: Tokenizer | SentencePieceTokenizer

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        raise NotImplementedError

    def close(self) -> None:
        """Free what scoring keeps beyond the model itself (nothing, here)."""

    def classify(self, texts: Sequence[str], top_k: int = 1) -> list[dict[str, Any]]:
        """One result per text: the top label and score, the ``top_k`` best labels, and
        ``known_tokens``, how many of the words the model reads are in its vocabulary,
        and ``unknown_tokens``, how many it reads as unknown. With no known token the
        model saw nothing but ``<START>`` and unknown words (another language, emoji, an
        empty text, or fragments of words the tokenizer cut): its score says nothing
        about the text, so every label gets 1/n here (:meth:`result`); a phone file of
        sentigru 0.3.2 or later and a model folder give 1/n themselves only where no word
        had an id at all (:func:`sentigru.model.answer_gate`). With some of each it read
        part of the text (a typo, a word it never learnt). ``read`` says which, by the
        rule the CLI's notes and the web page follow: ``"none"``, ``"part"`` (a third or
        more of the words unknown or unread: :func:`~sentigru.tokenizer.reads_part`) or
        ``"all"``."""
        scores, read = self.scores_read(texts)
        return [self.result(*parts, top_k) for parts in zip(texts, scores, read)]

    def result(
        self, text: str, row: np.ndarray, read: np.ndarray, top_k: int = 1
    ) -> dict[str, Any]:
        """One text's result from its scores and its :meth:`read` counts; ``unread_words``
        counts what the tokenizer drops whole: words in other scripts, emoji, emoticons
        (phones cannot tell these; see :meth:`~sentigru.tokenizer.Tokenizer.unread_words`).
        With no word read (``"read": "none"``) every label scores 1/n, the first label
        first, as the phone file scores a text with no word id: a text of fragments
        (*F* and *r* of *Für*, the *3* of *<3*) has ids, and the model's score for them
        (0.8 and more, right no more often than a coin) would read as an answer."""
        known, unknown, cut = (int(x) for x in read)
        unread = self.tokenizer.unread_words(text)
        verdict = read_verdict(known, unknown + unread)
        if verdict == "none":
            row = np.full_like(row, 1.0 / len(row))
        order = np.argsort(-row, kind="stable")[: max(1, top_k)]
        ranked = [{"label": self.labels[i], "score": float(row[i])} for i in order]
        return {
            **ranked[0],
            "scores": ranked,
            "known_tokens": known,
            "unknown_tokens": unknown,
            "unread_words": unread,
            "read": verdict,
            "truncated": bool(cut),
        }

    def scores_read(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`scores` and each text's :meth:`read` counts, ``[len(texts), 3]``."""
        read = np.array([self.read(t) for t in texts], np.int64).reshape(len(texts), 3)
        return self.scores(texts), read

    def read(self, text: str) -> tuple[int, int, int]:
        """Words (pieces, with SentencePiece) of ``text`` within the model's length that
        have an id of their own, words (characters) it reads as unknown or only a fragment
        of (``caf`` of *café*), and 1 where the text is longer than the model reads or
        goes on after a NUL character, where phones stop reading (0 else)."""
        rows = self.tokenizer.encode([text])  # tokenized once for the counts
        known, unknown = self.tokenizer.count_known(rows)[0], self.tokenizer.count_unknown(rows)[0]
        fragments = self.tokenizer.cut_known(text)  # known ids, but of cut words
        cut = rows[0, -1] != 0 and self.tokenizer.is_cut(text)  # a full row, and more
        cut = cut or cut_at_nul(text)
        return int(known - fragments), int(unknown + fragments), int(cut)

    def classify_stream(
        self, texts: Iterable[str], top_k: int = 1, chunk_size: int = CHUNK
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """``(text, result)`` pairs, classified a chunk at a time so that memory stays flat
        however long the input, and results come out as the input goes in."""
        chunk: list[str] = []
        for text in texts:
            chunk.append(text)
            if len(chunk) == chunk_size:
                yield from zip(chunk, self.classify(chunk, top_k))
                chunk = []
        if chunk:
            yield from zip(chunk, self.classify(chunk, top_k))


class KerasPredictor(Predictor):
    """A model folder, run through one compiled inference function reused for every
    batch (``model.predict`` re-plans each call; an eager RNN call takes seconds)."""

    def __init__(self, folder: Any, seq_len: int | None = None) -> None:
        """``seq_len``: the ids read per text, the spec's unless given (an export's
        check reads the length the phone file reads)."""
        from sentigru.tf_quiet import import_tensorflow

        tf = import_tensorflow()
        self.folder = folder
        self.labels = folder.labels
        self.tokenizer = tokenizer_for(folder.vocab, seq_len or folder.spec.tokenizer.seq_len)
        from sentigru.model import answer_gate, with_current_graph

        model = with_current_graph(folder.model, folder.spec.model)
        known = self.tokenizer.known_ids()
        self._run = tf.function(  # gated as the phone file is
            lambda ids: answer_gate(model(ids, training=False), ids, known),
            input_signature=[tf.TensorSpec([None, None], tf.int32)],
            autograph=False,
        )
        self._pid = os.getpid()

    @classmethod
    def load(cls, path: Path) -> KerasPredictor:
        from sentigru import bundle  # loads TensorFlow quietly, only for the model itself

        return cls(bundle.load(path))

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        if os.getpid() != self._pid:  # TensorFlow's threads stayed in the parent: it hangs
            raise SentigruError(
                "a model folder without its phone file runs TensorFlow, which a forked "
                "process cannot use: load the model in the child (or use the 'spawn' start "
                "method), or export its phone file (sentigru export)"
            )
        parts = []
        for start in range(0, len(texts), CHUNK):
            ids = self.tokenizer.encode(texts[start : start + CHUNK])
            used = max(1, int((ids != 0).sum(axis=1).max()))  # drop all-padding columns
            parts.append(self._run(ids[:, :used]).numpy())
        if not parts:
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        return np.concatenate(parts)


class LiteRTPredictor(Predictor):
    """A ``.tflite`` file with sentigru metadata, run by the LiteRT interpreter.

    Every file is checked structurally first (:func:`sentigru.modelfile.check_model`);
    one that is not trusted (:mod:`sentigru.trust`) is also run once in a child process
    before LiteRT loads it here, so a file that crashes LiteRT cannot crash sentigru.
    ``content`` given directly is trusted unless ``trusted=False``: callers pass bytes
    they built. One LiteRT thread per interpreter: the phone graph is a thousand small
    operators, and LiteRT's own threads cost more in hand-offs than they gain; many texts
    go through :mod:`sentigru.bulk`, which uses the other cores with interpreters of its
    own (``benchmarks/bulk_speed.md``)."""

    def __init__(
        self,
        content: bytes,
        source: str = "model",
        threads: int | None = 1,
        *,
        trusted: bool = True,
        jobs: int | None = None,
        few_to_bulk: bool = True,
    ) -> None:

        from sentigru import trust
        from sentigru.limits import one_line
        from sentigru.modelfile import check_model

        try:
            meta = check_model(content)
            pieces = None
            if meta["sentencepiece"] is not None:
                pieces = Pieces(meta["sentencepiece"], "packed sentencepiece.model")
        except SentigruError as exc:  # damaged or hostile file, or not a sentigru one
            raise SentigruError(f"{source}: {exc}") from None
        if not trusted:
            trust.ensure_safe(content, source, len(pieces or meta["vocab"]))
        self._threads = threads
        try:
            self.interpreter = self._interpreter(content)
        except (ValueError, RuntimeError) as exc:
            raise SentigruError(f"{source}: not a loadable TFLite model: {one_line(exc)}") from None
        self.labels = list(meta["labels"])
        details = self.interpreter.get_input_details()
        self.batch, seq_len = (int(d) for d in details[0]["shape"])
        self._inputs = [detail["index"] for detail in details]
        self._output = self.interpreter.get_output_details()[0]["index"]
        vocab = pieces or Vocabulary(tuple(meta["vocab"]), tuple(meta["aliases"]))
        self.tokenizer = tokenizer_for(vocab, seq_len)
        self.jobs = jobs  # cores for bulk scoring (sentigru.bulk); None: all
        self._content = content
        self._bulk: Any = None
        self._scored = 0  # texts scored at the file's own shape, until the bulk runner
        self._few_to_bulk = few_to_bulk
        self._lock = threading.Lock()  # one interpreter: one call at a time
        self._forked = False  # made again in a forked child before its first use
        _PREDICTORS.add(self)

    def _interpreter(self, content: bytes) -> Any:
        Interpreter = litert().Interpreter

        with quiet_litert():  # LiteRT announces its CPU delegate on stderr
            interpreter = Interpreter(model_content=content, num_threads=self._threads)
            interpreter.allocate_tensors()
        return interpreter

    @classmethod
    def load(
        cls, path: Path, threads: int | None = 1, *, jobs: int | None = None
    ) -> LiteRTPredictor:
        """Read ``path`` (at most :data:`limits.TFLITE_BYTES`) and load it; a file outside
        the bundled models is verified in a child process unless it was before."""
        from sentigru import trust

        content, real = read_model_file(Path(path))
        return cls(content, str(path), threads, trusted=trust.trusted_location(real), jobs=jobs)

    def _runner(self, count: int) -> Any:
        """The bulk runner (:mod:`sentigru.bulk`) for ``count`` texts, or None where the
        file's own shape serves better: a few texts, while few have come. A server's
        requests of one text each go to it too once :data:`bulk.MIN_TEXTS` texts have
        come (a text at its own length took a third of the time at the file's 1,024),
        unless ``few_to_bulk`` is off (the file's own answers, to compare with)."""
        from sentigru import bulk

        few = count < bulk.MIN_TEXTS and (self._scored < bulk.MIN_TEXTS or not self._few_to_bulk)
        if self._bulk is None and few:
            return None
        with self._lock:
            if self._bulk is None:
                shape = (self.batch, self.tokenizer.seq_len)
                self._bulk = bulk.BucketRunner(
                    self._content, self.tokenizer, jobs=self.jobs, shape=shape
                )
            return self._bulk

    def close(self) -> None:
        """Stop the bulk workers and free their interpreters (memory grows with ``jobs``
        and the lengths texts ran at); they start again when many texts come."""
        with self._lock:
            bulk, self._bulk = self._bulk, None
        if bulk is not None:
            bulk.close()
            _return_freed_memory()

    def scores_read(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        runner = self._runner(len(texts)) if texts else None
        if runner is None:
            return super().scores_read(texts)
        parts = list(runner.iter_windows(texts))
        return np.concatenate([p[1] for p in parts]), np.concatenate([p[2] for p in parts])

    def classify_stream(
        self, texts: Iterable[str], top_k: int = 1, chunk_size: int = CHUNK
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """As :meth:`Predictor.classify_stream`; with ``chunk_size`` > 1 and enough texts,
        one bulk stream of ``chunk_size`` texts a window, the next tokenized while this
        one runs: at most two chunks are held, so the first answers come once two are
        read (or the input ends)."""
        from itertools import chain, islice

        from sentigru import bulk

        iterator = iter(texts)
        first = list(islice(iterator, chunk_size)) if chunk_size >= bulk.MIN_TEXTS else []
        runner = self._runner(len(first)) if first else None
        if runner is None:
            yield from super().classify_stream(chain(first, iterator), top_k, chunk_size)
            return
        for window, scores, read in runner.iter_windows(chain(first, iterator), chunk_size):
            for text, row, counts in zip(window, scores, read):
                yield text, self.result(text, row, counts, top_k)

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """Scores ``[len(texts), labels]``. Many texts go through :mod:`sentigru.bulk`:
        each at the shortest length that holds it, on ``jobs`` cores, with the answers
        the file gives them one at a time; a few run here at the file's own shape."""
        runner = self._runner(len(texts)) if texts else None
        if runner is not None:
            return runner.scores(texts)
        from sentigru.bulk import invoke  # loaded here: a short predict needs no pool

        out = np.zeros((len(texts), len(self.labels)), dtype=np.float32)
        self._scored += len(texts)  # counted here only: every other way ends here
        for start in range(0, len(texts), self.batch):
            ids = self.tokenizer.encode(texts[start : start + self.batch])
            n = len(ids)
            if n < self.batch:
                ids = np.concatenate([ids, np.zeros((self.batch - n, ids.shape[1]), np.int32)])
            with self._lock:  # threads sharing a classifier would swap each other's inputs
                if self._forked:  # a parent thread's call may have held it as it forked
                    self.interpreter, self._forked = self._interpreter(self._content), False
                for index, array in zip(self._inputs, phone_inputs(ids, len(self._inputs))):
                    self.interpreter.set_tensor(index, array)
                invoke(self.interpreter)
                out[start : start + n] = self.interpreter.get_tensor(self._output)[:n]
        return out


_PREDICTORS: weakref.WeakSet[LiteRTPredictor] = weakref.WeakSet()


def read_model_file(path: Path) -> tuple[bytes, Path]:
    """A phone file's bytes (at most :data:`limits.TFLITE_BYTES`) and where they were
    read: where a file lies decides whether it is trusted, so it is read from there, not
    through a link that may since have moved."""
    from sentigru import limits

    try:
        real = path.resolve()
    except (OSError, RuntimeError):  # a symlink loop: the read names it
        real = path
    return limits.read_file(real, limits.TFLITE_BYTES), real


def _unlock_in_child() -> None:
    """A forked child gets new locks: the parent's may be held by a thread the child does
    not have (its bulk runners forget their workers likewise: :mod:`sentigru.bulk`). Its
    interpreter is made again before it runs: one a parent's thread was running as the
    process forked keeps that call's reference in the child, and LiteRT then refuses
    every call ("There is at least 1 reference to internal data")."""
    for predictor in list(_PREDICTORS):
        predictor._lock = threading.Lock()
        predictor._forked = True


at_fork_in_child(_unlock_in_child)


def _return_freed_memory() -> None:
    """Hand the bulk interpreters' freed memory back to the system: glibc keeps it for
    the process (after 1,000 IMDB reviews and close(), 218 MB without this, 95 MB with
    it). Elsewhere than glibc, nothing."""
    import ctypes

    with contextlib.suppress(AttributeError, OSError, TypeError):  # not glibc (Windows: TypeError)
        ctypes.CDLL(None).malloc_trim(0)
