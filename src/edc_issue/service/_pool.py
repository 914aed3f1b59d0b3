"""Where CPU work runs: a pool of worker processes, so one slow request never blocks others.

Signing (JSON-LD expansion, RDFC-1.0) and SHACL validation are pure-Python CPU work;
run on the event loop, one large credential would stall every other request of the
process. :class:`WorkPool` sends them to worker processes (started with ``spawn``: a
server process has threads, and ``fork`` would copy their locks), each initialised once
with the tenants' keys. With ``workers=0`` the work runs in threads of the server
instead (tests, tiny deployments).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import multiprocessing
from collections.abc import Callable
from typing import Any, TypeVar

from . import _core

__all__ = ["WorkPool"]

T = TypeVar("T")


class WorkPool:
    """Runs :mod:`._core` functions off the event loop.

    :param tenants: the keys each worker loads once (:func:`._core.init_worker`).
    :param workers: worker processes; 0 runs the work in a thread pool in this process.
    """

    def __init__(self, tenants: dict[str, _core.TenantKeys], workers: int) -> None:
        self.workers = workers
        self._executor: concurrent.futures.Executor
        if workers > 0:
            self._executor = concurrent.futures.ProcessPoolExecutor(
                max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_core.init_worker, initargs=(tenants,))
        else:
            _core.init_worker(tenants)
            self._executor = concurrent.futures.ThreadPoolExecutor(
                max_workers=8, thread_name_prefix="edc-issue-work")

    def warm_up(self) -> None:
        """Start every worker and have it sign once (blocks until done)."""
        futures = [self._executor.submit(_core.warm_up) for _ in range(max(self.workers, 1))]
        for future in futures:
            future.result()

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn(*args, **kwargs)`` in the pool and await its result."""
        loop = asyncio.get_running_loop()
        future = self._executor.submit(fn, *args, **kwargs)
        return await asyncio.wrap_future(future, loop=loop)

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn`` in the pool and wait (from a thread that may block)."""
        return self._executor.submit(fn, *args, **kwargs).result()

    def close(self) -> None:
        """Stop the workers (pending work is cancelled)."""
        self._executor.shutdown(wait=True, cancel_futures=True)
