"""What a batch build did, and the reporter of its progress: what the ``build`` command reports, without running a batch.

:mod:`reportkit.tools.batch` runs batches; a split Typst build (:mod:`reportkit.tools.split`) reports its one
document as a batch of one from here, without importing the batch machinery (worker pools,
``concurrent.futures``), whose import cost that process 0.007 s of CPU more (medians of 25 interleaved runs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from .build import BuildResult

__all__ = ["BatchInterrupted", "BatchReport", "Progress"]


@dataclass
class BatchReport:
    """What a batch build did: one result per input, in the order of the inputs."""

    results: list[BuildResult] = field(default_factory=list)
    seconds: float = 0.0
    #: True when the batch was stopped (Ctrl-C) before every input was built.
    interrupted: bool = False

    @property
    def built(self) -> list[BuildResult]:
        """Inputs whose outputs were (re)built."""
        return [r for r in self.results if r.status == "built"]

    @property
    def skipped(self) -> list[BuildResult]:
        """Inputs skipped because none of their outputs had to change."""
        return [r for r in self.results if r.status == "skipped"]

    @property
    def failed(self) -> list[BuildResult]:
        """Inputs that failed, each with its error."""
        return [r for r in self.results if r.status == "failed"]

    @property
    def ok(self) -> bool:
        """True when every input was built or skipped, and the batch ran to its end."""
        return not self.failed and not self.interrupted

    @property
    def exit_code(self) -> int:
        """The CLI's exit status: 0, 2 (an input or layout is wrong), 1 (rendering or writing failed), 130."""
        if self.interrupted:
            return 130
        return max((r.error.exit_code for r in self.failed if r.error is not None), default=0)

    def summary(self) -> str:
        """One line: how many were built, skipped as unchanged and failed, and how fast."""
        done = len(self.built) + len(self.failed)
        rate = f", {done / self.seconds:.2f} documents/s" if done and self.seconds > 0 else ""
        text = (
            f"{len(self.built)} built, {len(self.skipped)} skipped as unchanged, {len(self.failed)} failed "
            f"in {self.seconds:.1f} s{rate}"
        )
        return text + (" (interrupted)" if self.interrupted else "")


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a batch; :attr:`report` says what was finished before."""

    def __init__(self, report: BatchReport) -> None:
        super().__init__("the batch build was interrupted")
        self.report = report


class Progress(Protocol):
    """Receives a batch's progress (the CLI draws a progress bar or prints lines)."""

    def start(self, total: int) -> None:
        """The batch starts with ``total`` inputs."""

    def update(self, result: BuildResult) -> None:
        """One input is done (built, skipped or failed)."""

    def finish(self, report: BatchReport) -> None:
        """The batch ended (also when it was interrupted)."""
