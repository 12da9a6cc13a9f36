"""Allow ``python -m sentigru``."""

from sentigru.cli import run

run()
