"""Where training runs: one device, every GPU of one machine, or several machines.

sentigru uses TensorFlow's own ``tf.distribute`` strategies and invents none:

* ``one``: the default strategy (one device);
* ``mirrored``: ``MirroredStrategy`` over the machine's GPUs (with no GPU, over its
  logical CPU devices: one, unless the embedding program configured more);
* ``multi-worker``: ``MultiWorkerMirroredStrategy`` over the machines named in the
  standard ``TF_CONFIG`` environment variable;
* ``auto``: ``multi-worker`` when ``TF_CONFIG`` names more than one task, else
  ``mirrored`` when there is more than one GPU, else ``one``.

The role of this process in the cluster is read from ``TF_CONFIG`` without importing
TensorFlow, so the CLI knows before training whether it is the chief (the only worker
that writes the model folder).
"""

from __future__ import annotations

import json
import os
import signal
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sentigru.errors import SentigruError
from sentigru.limits import note

STRATEGIES = ("auto", "one", "mirrored", "multi-worker")


@dataclass(frozen=True)
class Role:
    """This process's place in the cluster: ``index`` of ``workers`` (chief first)."""

    workers: int = 1
    index: int = 0

    @property
    def is_chief(self) -> bool:
        return self.index == 0


def cluster_role(environ: Mapping[str, str] = os.environ) -> Role:
    """The role ``TF_CONFIG`` gives this process; a single worker without it."""
    if not environ.get("TF_CONFIG", "").strip():
        return Role()
    try:
        chiefs, workers, kind, index = _parsed(environ)
    except (ValueError, AttributeError, TypeError) as exc:
        raise SentigruError(f"TF_CONFIG is not valid JSON of the usual shape: {exc}") from None
    if kind is None:
        raise SentigruError('TF_CONFIG has no task: give {"type": "worker", "index": N}')
    if len(chiefs) > 1:
        raise SentigruError("TF_CONFIG names more than one chief")
    if kind == "chief" and index == 0 and chiefs:
        return Role(len(chiefs) + len(workers), 0)
    if kind == "worker" and 0 <= index < len(workers):
        return Role(len(chiefs) + len(workers), index + len(chiefs))
    raise SentigruError(
        f"TF_CONFIG task {kind!r} {index} is not in its cluster; sentigru runs chief and "
        "worker tasks only"
    )


def _parsed(environ: Mapping[str, str]) -> tuple[list[str], list[str], Any, int]:
    """``TF_CONFIG``'s chief and worker addresses, and this task's type and index."""
    config = json.loads(environ.get("TF_CONFIG", ""))
    cluster, task = config.get("cluster", {}), config.get("task", {})
    chiefs, workers = _addresses(cluster, "chief"), _addresses(cluster, "worker")
    return chiefs, workers, task.get("type"), int(task.get("index", 0))


def _addresses(cluster: Mapping[str, Any], job: str) -> list[str]:
    """A job's list of ``host:port`` addresses (a lone string was read as a list of its
    characters: fifteen workers)."""
    found = cluster.get(job, [])
    if not isinstance(found, list) or not all(isinstance(a, str) for a in found):
        raise TypeError(f'cluster "{job}" must be a list of "host:port" strings, got {found!r:.60}')
    return found


def resolve(name: str, environ: Mapping[str, str] = os.environ) -> str:
    """The strategy ``name`` stands for here (``auto`` decided; GPUs counted lazily)."""
    if name not in STRATEGIES:
        raise SentigruError(f"strategy must be one of {', '.join(STRATEGIES)}, got {name!r}")
    if name == "multi-worker" and not environ.get("TF_CONFIG", "").strip():
        raise SentigruError("--strategy multi-worker needs TF_CONFIG (see the README)")
    if name != "auto":
        return name
    if cluster_role(environ).workers > 1:
        return "multi-worker"
    return "mirrored" if len(_gpus()) > 1 else "one"


def _gpus() -> list[Any]:
    import tensorflow as tf

    return tf.config.list_physical_devices("GPU")


def make_strategy(name: str) -> Any:
    """The ``tf.distribute`` strategy for a resolved ``name``. Call it before any other
    TensorFlow work: logical devices and collective ops must be set up first."""
    import tensorflow as tf

    if name == "one":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        if _gpus():
            return tf.distribute.MirroredStrategy()
        devices = [d.name for d in tf.config.list_logical_devices("CPU")]
        return tf.distribute.MirroredStrategy(devices)
    if not _MULTI_WORKER:  # one a process: made early where data is read with TensorFlow
        _MULTI_WORKER.append(_waited_for(tf.distribute.MultiWorkerMirroredStrategy))
    return _MULTI_WORKER[0]


_MULTI_WORKER: list[Any] = []


def _waited_for(make: Callable[[], Any]) -> Any:
    """``make()``, the strategy, which TensorFlow makes only once every worker of
    ``TF_CONFIG`` has started: it waits inside its C++ holding Python's lock, where no
    Python signal handler runs, so Ctrl-C and SIGTERM did nothing (``kill -9`` alone
    ended a worker whose peer never came) and it said nothing; and its own SIGTERM
    handler (a preemption notifier) took the place of sentigru's for the whole run. It
    says first what it waits for; meanwhile Ctrl-C takes its default action (the process
    ends at once, exit 130 as sentigru's own stop, nothing written yet), SIGTERM stays
    TensorFlow's, and once the workers have joined the caller's handlers come back."""
    own, others = _tasks()
    note(
        f"joining the other workers of TF_CONFIG ({', '.join(others) or '?'}): each "
        "must start with the same command; meanwhile Ctrl-C (SIGINT) ends this one at once, "
        "SIGTERM not (TensorFlow holds it until the workers have joined)"
    )
    main = threading.current_thread() is threading.main_thread()  # signals live there
    stops = (signal.SIGINT, signal.SIGTERM) if main else ()
    kept = {stop: signal.getsignal(stop) for stop in stops}  # TensorFlow takes SIGTERM
    if main:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
    try:
        return make()
    except Exception as exc:  # TensorFlow's OpError; its message is one line
        if "grpc" not in str(exc).lower():
            raise
        raise SentigruError(
            f"TensorFlow could not start this worker's server at {own} (TF_CONFIG): "
            f"{str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__}"
            " (is another process on that port, or is the host not this machine?)"
        ) from None
    finally:
        for stop, handler in kept.items():
            if handler is not None:  # None: not set from Python
                signal.signal(stop, handler)


def _tasks(environ: Mapping[str, str] = os.environ) -> tuple[str, list[str]]:
    """This task's address in ``TF_CONFIG`` and the other tasks' ("?" where unknown)."""
    try:
        chiefs, workers, kind, index = _parsed(environ)
    except (ValueError, AttributeError, TypeError):
        return "?", []
    tasks = {("chief", i): a for i, a in enumerate(chiefs)}
    tasks.update({("worker", i): a for i, a in enumerate(workers)})
    return tasks.pop((kind, index), "?"), list(tasks.values())
