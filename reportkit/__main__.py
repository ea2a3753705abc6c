"""``python -m reportkit``: the command-line interface."""

from .cli import run

run()
