"""The ``sentigru`` program, also as ``python -m sentigru``."""

from __future__ import annotations

import signal
import sys


def program() -> None:
    """:func:`sentigru.cli.run`, with a Ctrl-C during its imports (a tenth of a second,
    half of a short ``predict``'s time) said in one line and ended by the signal, as
    the command itself ends: it printed a traceback and exited 1, and a shell loop of
    such commands ran on."""
    from sentigru.errors import interrupted_within  # light: the standard library only
    from sentigru.portable import end_by_signal

    try:
        from sentigru.cli import run
    except BaseException as exc:
        if not interrupted_within(exc):
            raise
        sys.stderr.write("sentigru: interrupted\n")
        sys.stderr.flush()
        end_by_signal(signal.SIGINT)
        sys.exit(128 + signal.SIGINT)  # where the signal is held, or on Windows
    run()


if __name__ == "__main__":
    program()
