"""What the command line writes to the terminal: one line per message or result, with
the characters a terminal or a script would misread escaped, and the library's
two-caller spelling of a setting (``--force (force=True)``) cut to the option."""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
from typing import TextIO

import click

from sentigru import limits


def one_line(text: str) -> str:
    """``text`` as one output line: newlines, tabs, other control characters (C1's
    too), line and paragraph separators and the backslash escaped, so that a script
    reads one result per line, each escape means one character, and no escape sequence
    reaches the terminal."""
    return limits.shown(text, backslash=True)


def echo_err(line: str) -> None:
    """A note or progress line on stderr. They are advice beside the results: a stderr
    that is full or whose reader has gone (``2> >(…)`` ended) stopped the predictions on
    stdout after 376 of 49,730 lines, silently; the results go on without them."""
    try:
        click.echo(shown(line), err=True)
    except OSError:
        settle(sys.stderr)


def settle(stream: TextIO | None) -> bool:
    """Write out what ``stream`` still holds, or drop it where the stream cannot take it
    (a full disk, a reader gone): its file is pointed at the null device. Python
    flushes every stream again as it exits, and a buffered one that still failed there
    printed "Exception ignored ... OSError" and made the exit status 120, not the
    command's own (seen only without ``PYTHONUNBUFFERED``, as a user's shell runs).
    False where it had to drop."""
    if stream is None:  # started with the descriptor closed
        return True
    try:
        stream.flush()
        os.write(stream.fileno(), b"")  # unbuffered, the write failed with nothing held
        return True
    except io.UnsupportedOperation:  # no descriptor: a test's stream, flushed
        return True
    except (OSError, ValueError):
        with contextlib.suppress(OSError, ValueError):  # no descriptor: a test's stream
            null = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(null, stream.fileno())
            finally:
                os.close(null)
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
        return False


def shown(line: str) -> str:
    """A message as one line that the terminal shows as written: control characters in
    the names it quotes (a file named with a newline or an escape sequence) escaped.
    The library names each setting for both its callers (``--force (force=True)``); the
    command line shows the option alone."""
    return limits.shown(options_only(line))


def options_only(text: str) -> str:
    """``text`` with each setting named by its option alone (the command line's)."""
    return _PYTHON_NAME.sub(_option_only, text)


_PYTHON_NAME = re.compile(r"(--([a-z][\w-]*)(?: [^\s(]+)?) \((\w+)=[^)\s]*\)")
"""``--option [value] (python_name=…)``, as the library's messages spell a setting."""


def _option_only(match: re.Match[str]) -> str:
    same = match.group(3) == match.group(2).replace("-", "_")
    return match.group(1) if same else match.group(0)
