"""``python -m reportkit``: the command-line interface."""

from .cli import main

main()
