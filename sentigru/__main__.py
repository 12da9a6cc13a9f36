"""Allow ``python -m sentigru``."""

from sentigru.cli import main

main()
