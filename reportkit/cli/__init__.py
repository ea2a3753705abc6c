"""The ``reportkit`` command: a thin layer over the library.

Exit status: 0 when everything was built, 2 when an input (or layout) is wrong,
1 when rendering or writing failed. User errors are one clear message, never a
traceback (``--debug`` shows it).

This module holds the group and its settings; each command lives in its own module under
``reportkit/cli/commands/`` and is registered here (:data:`COMMANDS`), imported when it runs.
Libraries are imported inside the commands, so that ``reportkit --version`` and ``--help`` start quickly.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from .._version import __version__
from .shared import secho

#: Each command's name, and its module under ``reportkit/cli/commands/`` and the click command's name there.
COMMANDS: dict[str, tuple[str, str]] = {
    "build": ("build", "build"),
    "bundle": ("bundle", "bundle_command"),
    "extract": ("extract", "extract"),
    "import": ("import_", "import_"),
    "layouts": ("layouts", "layouts_command"),
    "preview": ("preview", "preview_command"),
    "schema": ("schema", "schema"),
    "serve": ("serve", "serve"),
    "sign": ("sign", "sign_command"),
    "verify": ("verify", "verify"),
}


class CommandGroup(click.Group):
    """The group of :data:`COMMANDS`, each imported when it is asked for (to run it, or by ``--help``).

    A command's run imports its own module only: importing the other nine cost a Typst build of the
    sample 0.0034 s of CPU (medians of 25 interleaved runs, issue 18).
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command's name, sorted (as click lists the commands of a group)."""
        return sorted({*self.commands, *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command ``cmd_name``, its module imported the first time; None for an unknown name."""
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            import importlib

            module, attribute = COMMANDS[cmd_name]
            self.add_command(getattr(importlib.import_module(f"{__name__}.commands.{module}"), attribute), cmd_name)
        return self.commands.get(cmd_name)


def _quiet_interrupt_in_finaliser(unraisable: Any) -> None:
    """A Ctrl-C that lands in an object's finaliser prints no traceback.

    Python ignores an exception raised in ``__del__`` (a ``zipfile`` being closed while the user
    presses Ctrl-C) and prints it as "Exception ignored in ..."; the command handles the interrupt
    itself (exit 130, nothing half-written), so the traceback is noise. Other errors still print.
    """
    if isinstance(unraisable.exc_value, KeyboardInterrupt):
        return
    sys.__unraisablehook__(unraisable)


@click.group(cls=CommandGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="reportkit")
def main() -> None:
    """Typeset fact-checks as print-ready PDF and EPUB 3.

    Write a fact-check as Markdown with a YAML front matter (see samples/), then:

        reportkit build samples/russia-nato.md -o out/
    """
    import warnings

    warnings.showwarning = show_warning  # every command's warnings are printed as ours are: escaped
    sys.unraisablehook = _quiet_interrupt_in_finaliser
    _collect_less()


_exit_hook_set = False

#: Young collections between two collections of the middle generation in a command's process (Python: 10).
MIDDLE_GENERATION_EVERY = 100


def _collect_less() -> None:
    """Leave the objects of the imports out of Python's garbage collections, and every object out of the last one.

    A command's process imports a few hundred modules, whose objects live as long as it does;
    every collection during the build would walk them again. They are frozen (``gc.freeze``)
    as the command starts: about 0.06 s of CPU less per build (BENCHMARKS.md, "Typst engine").
    As the process ends, Python's finalisation would walk every object still alive in a full
    collection (about 0.1 s), only to give the memory back with the process: what is alive
    then is frozen too. Registered first, that hook runs after every other exit handler
    (temporary folders are removed as before); files are closed by the code that writes them
    (:mod:`reportkit.files`), never left to a collection. The PDF engine's own collections
    during a render (:mod:`reportkit.writers.pdf.gctune`) unfreeze everything as they end.

    The middle generation is collected after :data:`MIDDLE_GENERATION_EVERY` young collections
    instead of Python's 10: the modules imported after the command starts (the whole build's)
    survive the young collections, and every middle one walked them again, only to keep them
    (a Typst build of the sample, in its three processes: 0.009 s of collections less; the two middle
    collections left run while the command line is imported, before any command). Garbage with
    reference cycles that outlives a young collection waits longer: at most that many young
    collections' survivors, about 1 MB for the sample.
    """
    global _exit_hook_set
    import gc

    gc.freeze()
    young, _, old = gc.get_threshold()
    gc.set_threshold(young, MIDDLE_GENERATION_EVERY, old)
    if not _exit_hook_set:
        import atexit

        atexit.register(gc.freeze)
        _exit_hook_set = True


def show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                 file: Any = None, line: str | None = None) -> None:
    """Print a warning that no command caught as ``warning: ...``, its control characters escaped."""
    secho(f"warning: {message}", fg="yellow", err=True)


def run() -> None:
    """The ``reportkit`` command (the console script and ``python -m reportkit``): :func:`main`, then a quick end.

    When a command is done, Python's finalisation would still deallocate, one by one, every object
    of the few hundred modules it imported, only for the process to give the memory back as it
    ends: about 0.02 s of CPU, 3 % of a Typst build of the sample (BENCHMARKS.md, issue 18). Once
    the command has exited and no other thread runs, the process does what finalisation does
    first, runs the exit handlers (temporary folders are removed, logging is flushed: see
    :func:`quick_exit`) and flushes the standard streams, then ends. Anything else, an
    uncaught exception or a thread still running, ends as Python ends it.

    pydantic's plugins are off in the command's process unless ``PYDANTIC_DISABLE_PLUGINS`` is
    set: looking for them reads the entry points of every installed distribution as the first
    model class is built, about 0.006 s of every build; the library (``import reportkit``) leaves them on.
    """
    import os

    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    try:
        main()
    except SystemExit as stop:
        if stop.code is None or isinstance(stop.code, int):
            quick_exit(stop.code or 0)
        raise


def quick_exit(status: int) -> None:
    """End the process with ``status`` after running the exit handlers, without Python's teardown of its objects.

    Does nothing (returns) while another thread runs: Python's finalisation waits for it first, and
    so must the process. The exit handlers are run by ``atexit._run_exitfuncs``, the function
    Python's finalisation calls (CPython has no public name for it; tests/cli/test_cli.py fails if
    it goes, and without it the process ends as Python ends it). Files are closed by the code
    that writes them (:mod:`reportkit.files`), never left to finalisation.
    """
    import atexit
    import os
    import threading

    run_handlers = getattr(atexit, "_run_exitfuncs", None)
    if run_handlers is None or threading.active_count() > 1:
        return
    run_handlers()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # a closed pipe (`reportkit ... | head`): nothing more can be written
            pass
    os._exit(status)


if __name__ == "__main__":  # pragma: no cover
    run()
