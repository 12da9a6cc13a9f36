"""The ``sentigru`` program, also as ``python -m sentigru``."""

from __future__ import annotations

import os
import signal
import sys


def program() -> None:
    """:func:`sentigru.cli.run`, with a Ctrl-C during its imports (a tenth of a second,
    half of a short ``predict``'s time) said in one line and ended by the signal, as
    the command itself ends: it printed a traceback and exited 1, and a shell loop of
    such commands ran on."""
    from sentigru.errors import interrupted_within  # light: the standard library only

    try:
        from sentigru.cli import run
    except BaseException as exc:
        if not interrupted_within(exc):
            raise
        sys.stderr.write("sentigru: interrupted\n")
        sys.stderr.flush()
        if os.name == "posix":  # on Windows, os.kill would exit 2 (bad usage)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGINT)
        sys.exit(128 + signal.SIGINT)  # where the signal is held, or on Windows
    run()


if __name__ == "__main__":
    program()
