"""Where the rows' work runs: in this process, or in a pool of worker processes.

An :class:`Executor` gets the batch's :class:`~edc_issue.batch.RowWork` once
(:meth:`~Executor.start`), then chunks of :class:`~edc_issue.batch.RowTask` to run
(:meth:`~Executor.submit`), and hands back a future per chunk; the runner collects them
in order. The work is pure (it returns bytes, it writes nothing), so an executor may run
it anywhere: :class:`InlineExecutor` runs it at once, :class:`ProcessExecutor` in worker
processes, and an adapter for a cluster (Dask's ``Client.submit``, say) needs only the
three methods.

Worker processes never outlive the batch: they ignore Ctrl-C and SIGTERM (the parent
decides, finishes what is running and shuts them down), and each one watches its parent
and exits at once when the parent is gone, even if it was killed with SIGKILL.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Protocol, runtime_checkable

from ..errors import BatchInputError
from .rows import RowOutcome, RowTask, RowWork

__all__ = ["Executor", "InlineExecutor", "ProcessExecutor"]


@runtime_checkable
class Executor(Protocol):
    """Runs a batch's row work, one chunk of tasks at a time."""

    def start(self, work: RowWork) -> None:
        """Get ready to run *work* (called once, before the first :meth:`submit`)."""
        ...

    def submit(self, tasks: Sequence[RowTask]) -> Future[list[RowOutcome]]:
        """Run ``work.run(tasks)``; the future gives one outcome per task, in order."""
        ...

    def close(self, *, cancel: bool = False) -> None:
        """Stop: wait for what runs; with *cancel*, drop what has not started."""
        ...


class InlineExecutor:
    """Runs each chunk at once, in this process (``jobs=1``)."""

    def __init__(self) -> None:
        self._work: RowWork | None = None

    def start(self, work: RowWork) -> None:
        """Keep *work*."""
        self._work = work

    def submit(self, tasks: Sequence[RowTask]) -> Future[list[RowOutcome]]:
        """Run *tasks* now; return a finished future."""
        assert self._work is not None, "start() first"
        future: Future[list[RowOutcome]] = Future()
        future.set_result(self._work.run(tasks))
        return future

    def close(self, *, cancel: bool = False) -> None:
        """Nothing to stop."""
        self._work = None


_WORK: RowWork | None = None


def _watch_parent() -> None:
    """Exit this worker as soon as its parent process is gone (killed, crashed)."""
    parent = multiprocessing.parent_process()
    if parent is None:  # pragma: no cover - not a multiprocessing child
        return
    parent.join()  # waits on the parent's sentinel: returns when the parent has exited
    os._exit(1)


def _init_worker(work: RowWork) -> None:
    global _WORK
    # the parent handles Ctrl-C and SIGTERM: it finishes what runs, then stops the workers
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, name="edc-issue-parent-watch", daemon=True).start()
    _WORK = work


def _run_chunk(tasks: Sequence[RowTask]) -> list[RowOutcome]:
    assert _WORK is not None
    return _WORK.run(tasks)


class ProcessExecutor:
    """Runs chunks in *jobs* worker processes (``spawn``: the same on Linux, macOS, Windows).

    The row work (the output step with its key) is sent to each worker once, when it
    starts; each chunk then carries only its credentials.

    :param jobs: the number of worker processes (at least 1).
    """

    def __init__(self, jobs: int) -> None:
        if jobs < 1:
            raise BatchInputError(f"jobs must be at least 1, found {jobs}", code="batch.bad_jobs")
        self.jobs = jobs
        self._pool: ProcessPoolExecutor | None = None

    def start(self, work: RowWork) -> None:
        """Start the pool (the workers start on the first chunks)."""
        self._pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=_mp_context(),
                                         initializer=_init_worker, initargs=(work,))

    def submit(self, tasks: Sequence[RowTask]) -> Future[list[RowOutcome]]:
        """Queue *tasks* for a worker."""
        assert self._pool is not None, "start() first"
        return self._pool.submit(_run_chunk, list(tasks))

    def close(self, *, cancel: bool = False) -> None:
        """Shut the pool down and wait for the workers to exit."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=cancel)
            self._pool = None


def _mp_context() -> Any:
    # "spawn" everywhere: no fork of a process that may hold threads or locks, the same
    # behaviour on Linux, macOS and Windows, and workers are this process's children.
    return multiprocessing.get_context("spawn")
