"""A bounded pool of warm worker processes for the server: jobs wait in a short queue, or are refused.

At most ``workers`` jobs render at once and ``queue`` more wait (4 per worker by default); a job beyond that is
refused at once with :class:`Busy` (the server answers 429 with ``Retry-After``), so no
request ever hangs behind an unbounded queue. Each worker caps its own memory and bounds
every job's time; a worker that still does not answer in time, or dies (killed, out of
memory, a crash in a C library), is replaced with the whole pool, and the jobs it held fail
with an error instead of being lost.
"""

from __future__ import annotations

import asyncio
import logging
import math
import multiprocessing
import os
import signal
from concurrent import futures
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from . import jobs
from .jobs import Job, Outcome

__all__ = ["Busy", "RenderPool"]

log = logging.getLogger("reportkit.serve")

#: Worker processes are replaced after this many jobs, so that a long-running server cannot grow without bound.
TASKS_PER_WORKER = 200
#: Seconds a job may run beyond its own time limit before its worker is presumed stuck.
GRACE_SECONDS = 15.0


class Busy(Exception):
    """Every worker is busy and the queue is full; try again after :attr:`retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"the server is busy: try again in {retry_after} s")
        self.retry_after = retry_after


class RenderPool:
    """``workers`` warm processes and room for ``queue`` waiting jobs, used from one event loop."""

    def __init__(self, workers: int = 1, queue: int | None = None, *, memory_mb: int = 2048) -> None:
        self.workers = max(1, workers)
        self.queue = max(0, 4 * self.workers if queue is None else queue)
        self.memory_mb = memory_mb
        self._context = multiprocessing.get_context("spawn")
        self._pids: Any = self._context.SimpleQueue()
        self._known: set[int] = set()
        self._executor: futures.ProcessPoolExecutor | None = None
        self._admitted = 0
        #: Mean seconds of recent jobs, for Retry-After.
        self._mean = 1.0

    @property
    def capacity(self) -> int:
        """How many jobs may be running or waiting at once."""
        return self.workers + self.queue

    @property
    def admitted(self) -> int:
        """Jobs running or waiting now."""
        return self._admitted

    def start(self) -> None:
        """Start the workers now (each imports the writers and loads the fonts), not on the first request."""
        executor = self._pool()
        for _ in range(self.workers):
            executor.submit(jobs.ready)

    async def run(self, job: Job, *, timeout: float | None = None) -> Outcome:
        """Run ``job`` in a worker; raises :class:`Busy` at once when the queue is full."""
        if self._admitted >= self.capacity:
            raise Busy(self.retry_after())
        self._admitted += 1
        try:
            limit = (timeout if timeout is not None else job.limits.render_seconds) + GRACE_SECONDS
            executor = self._pool()
            try:
                future = executor.submit(jobs.run, job)
            except BrokenProcessPool:
                executor = self._restart(executor)
                future = executor.submit(jobs.run, job)
            try:
                outcome = await asyncio.wait_for(asyncio.wrap_future(future), timeout=limit)
            except TimeoutError:
                log.error("a worker did not finish a job within %.0f s: the workers are replaced", limit)
                self._restart(executor)
                return _failed("rendering did not finish in time and was stopped", 503)
            except BrokenProcessPool:
                log.error("a worker process died: the workers are replaced")
                self._restart(executor)
                return _failed("the worker process rendering it died (out of memory, or a crash in a library)", 500)
            self._mean = 0.8 * self._mean + 0.2 * max(outcome.seconds, 0.05)
            return outcome
        finally:
            self._admitted -= 1

    def retry_after(self) -> int:
        """Seconds after which a refused client may expect room in the queue."""
        waiting = max(1, self._admitted - self.workers + 1)
        return max(1, math.ceil(self._mean * waiting / self.workers))

    def close(self) -> None:
        """Stop the workers (jobs still waiting are cancelled, running ones abandoned)."""
        executor, self._executor = self._executor, None
        if executor is not None:
            self._kill()
            executor.shutdown(wait=True, cancel_futures=True)

    def _pool(self) -> futures.ProcessPoolExecutor:
        if self._executor is None:
            self._executor = futures.ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=self._context,
                initializer=jobs.start_worker,
                initargs=(self.memory_mb, self._pids),
                max_tasks_per_child=TASKS_PER_WORKER,
            )
        return self._executor

    def _restart(self, broken: futures.ProcessPoolExecutor) -> futures.ProcessPoolExecutor:
        """Replace ``broken`` with a new pool (once: other jobs that saw it break find the new one)."""
        if self._executor is broken:
            self._executor = None
            self._kill()
            broken.shutdown(wait=False, cancel_futures=True)
        return self._pool()

    def _kill(self) -> None:
        """Kill the live children of this process that announced themselves as workers of this pool."""
        while not self._pids.empty():
            self._known.add(self._pids.get())
        for child in multiprocessing.active_children():
            if child.pid in self._known:
                try:
                    os.kill(child.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


def _failed(message: str, status: int) -> Outcome:
    return Outcome(error={"error": "RenderError", "status": status, "message": message})
