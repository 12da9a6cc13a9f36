"""The project's own error type.

Every failure a user can fix (a bad file, a missing model, a bad setting) is raised as
:class:`SentigruError`; the CLI prints its message on one line and exits with code 1.
Anything else is a bug and keeps its traceback.
"""

import os


class SentigruError(Exception):
    """A failure the user can fix; its message is one line that says what to do."""


class UsageError(SentigruError):
    """Settings that do not go together, or one missing that another needs (``--title``
    with a phone file, ``--format web`` without ``--out``): the CLI's bad usage, exit 2."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM) during a training, with what was kept and how to go on. Still
    a KeyboardInterrupt, so that a notebook's loop over trainings stops; the CLI prints
    its message."""


def home_note(path: object) -> str:
    """What to say of a path that starts with a ``~`` no one expanded: a shell makes it
    the home folder only unquoted (``--data "~/x.tsv"`` keeps it), and Python never. Empty
    for any other path, and where a file or folder so named exists here."""
    text = os.fspath(path) if isinstance(path, os.PathLike) else str(path)
    if not text.startswith("~") or os.path.lexists(text.split(os.sep, 1)[0]):
        return ""
    return (
        "its ~ is not your home folder here (a shell expands ~ only unquoted; in Python, "
        "use os.path.expanduser)"
    )


def with_home_note(message: str, path: object) -> str:
    """``message``, and :func:`home_note` of ``path`` where it has one."""
    note = home_note(path)
    return f"{message}; {note}" if note else message


def empty_path(name: str) -> SentigruError:
    """``NAME: an empty path``: ``Path("")`` is the working folder, which an unset
    variable would have read (or written) without a word; the CLI refuses it too."""
    return SentigruError(f"{name}: an empty path (an unset variable?)")


def refuse_nul(path: object, name: str) -> None:
    """A path holding a NUL names no file (the OS refuses it); Python's ``open`` says so
    with a ValueError, not an error of sentigru's."""
    if "\0" in str(path):
        raise SentigruError(f"{name}: {str(path)!r} holds a NUL character, which no path can")


def refuse_table(value: object, name: str, give: str) -> None:
    """A table (a pandas DataFrame, a 2-D array) where one column or a pair of columns is
    read: iterating a DataFrame gives its column names, which were classified as two
    texts, or read as two file names."""
    shape = getattr(value, "shape", None)
    if getattr(value, "ndim", 1) == 2 and isinstance(shape, tuple):
        kind = type(value).__name__
        raise SentigruError(f"{name} is a table ({kind} of shape {shape}): give {give}")


def missing(path: object, what: str = "file or folder") -> SentigruError:
    """``PATH: no such WHAT``, with :func:`home_note`."""
    return SentigruError(with_home_note(f"{path}: no such {what}", path))


def missing_model(path: object, what: str, bundled: str) -> SentigruError:
    """:func:`missing` for a model; where ``path`` is ``bundled``, the name ``--init``
    and ``--teacher`` take, how to name the bundled model here: no ``--model`` (Python:
    ``bundled``, as ``load()`` or ``model=None``)."""
    exc = missing(path, what)
    if str(path) != "bundled":
        return exc
    return SentigruError(f"{exc}; for the bundled model, leave out --model (Python: {bundled})")


_REPLACED = "REPLACED BY KeyboardInterrupt"
"""pybind11's word when Ctrl-C or SIGTERM came while native code raised an error of its own
(TensorFlow's collective op losing the peer that stopped first): the error it raises is a
RuntimeError that names both."""


def interrupted_within(exc: BaseException | None) -> bool:
    """Whether a Ctrl-C lies in ``exc``'s causes: native code (LiteRT's module loading)
    hands it on as another error, a class made while it came wraps it in a RuntimeError,
    and pybind11 replaces an error it was raising by a RuntimeError naming both."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, KeyboardInterrupt):
            return True
        if isinstance(exc, RuntimeError) and _REPLACED in str(exc):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False
