"""Where CPU work runs: a pool of worker processes, so one slow request never blocks others.

Signing (JSON-LD expansion, RDFC-1.0) and SHACL validation are pure-Python CPU work;
run on the event loop, one large credential would stall every other request of the
process. :class:`WorkPool` sends them to worker processes (started with ``spawn``: a
server process has threads, and ``fork`` would copy their locks), each initialised once
with the tenants' keys. With ``workers=0`` the work runs in threads of the server
instead (tests, tiny deployments).

A small document (the request body at most :data:`INLINE_BYTES`) is signed or verified
on a thread of the server process instead (:meth:`WorkPool.run_sync`, ``size=``): for a
badge of a few kilobytes, signing takes ~0.2 ms, and sending it to a worker and back
(pickling, a pipe each way, a wake-up on each side) cost more than the work. It holds
the process's interpreter lock for about that long, which the event loop does not
notice; anything larger still goes to the worker processes, so one large credential
never stalls the small ones. Such work waits for one lane (:data:`INLINE_THREADS`,
:meth:`WorkPool.inline_limiter`): threads doing Python work side by side only take the
interpreter lock from each other (with 16 concurrent clients on 2 workers, one lane each
answered 935 issues a second at 1.7 ms of CPU each; two lanes 707 at 2.2 ms; forty, 487
at 2.7 ms); the waiting requests cost nothing on the event loop. A verification that may
fetch from the network (``network.allow_fetch``) does not take the lane.
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

#: the largest request body (bytes) whose work runs on a thread of the server process
INLINE_BYTES = 16 * 1024
#: how many threads of a server process do that work at once
INLINE_THREADS = 1


class WorkPool:
    """Runs :mod:`._core` functions off the event loop.

    :param tenants: the keys each worker loads once (:func:`._core.init_worker`).
    :param workers: worker processes; 0 runs the work in a thread pool in this process.
    """

    def __init__(self, tenants: dict[str, _core.TenantKeys], workers: int) -> None:
        self.workers = workers
        self._inline_limiter: Any = None
        self._executor: concurrent.futures.Executor
        # this process signs small documents itself (and everything with workers=0)
        _core.init_worker(tenants)
        if workers > 0:
            self._executor = concurrent.futures.ProcessPoolExecutor(
                max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_core.init_worker, initargs=(tenants,))
        else:
            self._executor = concurrent.futures.ThreadPoolExecutor(
                max_workers=8, thread_name_prefix="edc-issue-work")

    def warm_up(self) -> None:
        """Start every worker and have it sign once (blocks until done); this process too."""
        futures = [self._executor.submit(_core.warm_up) for _ in range(max(self.workers, 1))]
        if self.workers > 0:
            _core.warm_up()
        for future in futures:
            future.result()

    def inline_limiter(self) -> Any:
        """The ``anyio.CapacityLimiter`` of the inline work (:data:`INLINE_THREADS`), made
        in the event loop on first use."""
        if self._inline_limiter is None:
            import anyio

            self._inline_limiter = anyio.CapacityLimiter(INLINE_THREADS)
        return self._inline_limiter

    def inline(self, size: int | None) -> bool:
        """True when work on a document of *size* bytes runs on a thread of this process
        (:data:`INLINE_BYTES`; None: unknown, so the pool)."""
        return self.workers == 0 or (size is not None and size <= INLINE_BYTES)

    def run_sync(self, fn: Callable[..., T], *args: Any, size: int | None = None,
                 **kwargs: Any) -> T:
        """Run ``fn`` from a thread that may block: here when :meth:`inline` says so for
        *size*, otherwise in the pool (waiting for it)."""
        if self.inline(size):
            return fn(*args, **kwargs)
        return self.call(fn, *args, **kwargs)

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
