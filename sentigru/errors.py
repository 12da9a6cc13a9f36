"""The project's own error type.

Every failure a user can fix (a bad file, a missing model, a bad setting) is raised as
:class:`SentigruError`; the CLI prints its message on one line and exits with code 1.
Anything else is a bug and keeps its traceback.
"""


class SentigruError(Exception):
    """A failure the user can fix; its message is one line that says what to do."""


class UsageError(SentigruError):
    """Settings that do not go together, or one missing that another needs (``--title``
    with a phone file, ``--format web`` without ``--out``): the CLI's bad usage, exit 2."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM) during a training, with what was kept and how to go on. Still
    a KeyboardInterrupt, so that a notebook's loop over trainings stops; the CLI prints
    its message."""
