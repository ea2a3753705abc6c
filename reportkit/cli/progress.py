"""How the ``build`` command shows a batch's progress: a rich progress bar on a terminal, plain lines otherwise.

Both print the same facts: ``wrote PATH`` / ``unchanged PATH`` for every output (on
standard output), warnings and errors (on standard error), and at the end a summary
of what was built, skipped as unchanged and failed, with the reasons.
"""

from __future__ import annotations

import sys
import time
from typing import IO, TYPE_CHECKING, Any

import click

from ..tools.build import BuildResult
from ..errors import printable

if TYPE_CHECKING:
    from ..tools.report import BatchReport

__all__ = ["LineProgress", "RichProgress", "choose"]


def _reason(result: BuildResult) -> str:
    """The first line of a failure, led by the input's name unless the message names it already."""
    line = str(result.error).splitlines()[0] if result.error is not None else ""
    return line if result.error is not None and result.error.file == str(result.input) else f"{result.input}: {line}"


class _Base:
    """What both reporters share: counting, and the lines printed for each result."""

    def __init__(self, *, debug: bool = False, out: IO[str] | None = None, err: IO[str] | None = None) -> None:
        self.debug = debug
        self.out = out
        self.err = err
        self.total = 0
        self.done = 0
        self.counts = {"built": 0, "skipped": 0, "failed": 0, "pending": 0}
        self.started = time.perf_counter()

    def start(self, total: int) -> None:
        self.total = total
        self.started = time.perf_counter()

    def _echo(self, text: str, *, err: bool = False, **style: Any) -> None:
        click.secho(printable(text, newlines=True), file=(self.err if err else self.out), err=err, **style)

    def _lines(self, result: BuildResult) -> None:
        for message in result.warnings:
            self._echo(f"warning: {message}", err=True, fg="yellow")
        for output in result.outputs:
            self._echo(f"{'unchanged' if output in result.unchanged else 'wrote'} {output}")
        if result.error is not None:
            self._echo(f"error: {result.error}", err=True, fg="red")
            if self.debug and result.traceback:
                self._echo(result.traceback.rstrip(), err=True)

    def _count(self, result: BuildResult) -> None:
        self.done += 1
        self.counts[result.status] += 1

    def _summary(self, report: BatchReport) -> None:
        if self.total > 1 or report.skipped or report.interrupted:
            self._echo(report.summary(), err=True, bold=True)
        if self.total > 1:
            for result in report.failed:
                self._echo(f"  failed: {_reason(result)}", err=True, fg="red")
        if report.interrupted:
            missing = self.total - self.done
            self._echo(
                f"interrupted: {missing} input{'s' if missing != 1 else ''} not built; finished outputs are kept",
                err=True,
                fg="yellow",
            )


class LineProgress(_Base):
    """Plain lines, for logs and pipes: one progress line per input on standard error."""

    def update(self, result: BuildResult) -> None:
        self._count(result)
        self._lines(result)
        if self.total > 1:
            built = self.counts["built"] + self.counts["failed"]
            elapsed = time.perf_counter() - self.started
            remaining = self.total - self.done
            speed = f", {built / elapsed:.2f}/s" if built and elapsed > 0 else ""
            eta = f", ETA {remaining * elapsed / built:.0f} s" if built and remaining else ""
            verb = {"built": "built", "skipped": "unchanged", "failed": "FAILED"}[result.status]
            timing = f" in {result.seconds:.1f} s" if result.status == "built" else ""
            self._echo(f"[{self.done}/{self.total}{speed}{eta}] {verb} {result.input}{timing}", err=True)

    def finish(self, report: BatchReport) -> None:
        self._summary(report)


class RichProgress(_Base):
    """A live progress bar (counts, rate, ETA) on a terminal; results are printed above it."""

    def __init__(self, console: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        from rich.console import Console

        self.console = console or Console(stderr=True)
        self.progress: Any = None
        self.task: Any = None

    def start(self, total: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        super().start(total)
        self.progress = Progress(
            TextColumn("[bold]building"),
            BarColumn(),
            MofNCompleteColumn(),
            _RateColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[counts]}"),
            console=self.console,
            redirect_stdout=sys.stdout.isatty(),
            redirect_stderr=False,
        )
        self.task = self.progress.add_task("build", total=total, counts=self._counts_text())
        self.progress.start()

    def _counts_text(self) -> str:
        c = self.counts
        return f"[green]{c['built']} built[/] · [cyan]{c['skipped']} unchanged[/] · [red]{c['failed']} failed[/]"

    def _echo(self, text: str, *, err: bool = False, **style: Any) -> None:
        if err:  # on the bar's console: above the bar while it runs
            from rich.text import Text

            self.console.print(Text(printable(text, newlines=True), style=style.get("fg") or ("bold" if style.get("bold") else "")))
        else:
            super()._echo(text, err=err, **style)

    def update(self, result: BuildResult) -> None:
        self._count(result)
        self._lines(result)
        if result.status == "skipped":  # unchanged inputs take no time: keep them out of the rate and ETA
            self.progress.update(self.task, total=self.progress.tasks[0].total - 1, counts=self._counts_text())
        else:
            self.progress.update(self.task, advance=1, counts=self._counts_text())

    def finish(self, report: BatchReport) -> None:
        if self.progress is not None:
            self.progress.refresh()
            self.progress.stop()
            self.progress = None
        self._summary(report)


def _rate_column() -> Any:
    from rich.progress import ProgressColumn
    from rich.text import Text

    class RateColumn(ProgressColumn):
        """Documents per second."""

        def render(self, task: Any) -> Text:
            speed = task.finished_speed or task.speed
            return Text(f"{speed:.2f}/s" if speed else "–/s", style="progress.data.speed")

    return RateColumn


def _RateColumn() -> Any:  # noqa: N802 - reads like the column class it builds
    return _rate_column()()


def choose(total: int, *, debug: bool = False) -> LineProgress | RichProgress:
    """A progress bar when standard error is a terminal and there is more than one input, else plain lines."""
    if total > 1:
        from rich.console import Console

        console = Console(stderr=True)
        if console.is_terminal:
            return RichProgress(console, debug=debug)
    return LineProgress(debug=debug)
