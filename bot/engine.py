"""Run engine jobs in worker processes, off the event loop, with a time limit, a result cache and sharing.

The bot process never fits or renders: it asks a process pool to run a function of
``bot.regression.jobs`` by name. Identical requests in flight share one job; finished results are kept in a
small LRU cache. A job over its time limit gets its worker killed and the pool replaced; a pool that breaks
(a worker died) is replaced and the job retried once.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections import OrderedDict
from collections.abc import Hashable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

log = logging.getLogger(__name__)

JOB_MODULE = "bot.regression.jobs"


class EngineTimeout(Exception):
    """A job ran past its time limit; its worker was replaced."""


class EngineUnavailable(Exception):
    """The worker pool failed twice for one job."""


def _run(job: str, args: tuple[Any, ...]) -> Any:
    """Inside a worker: call ``bot.regression.jobs.<job>(*args)``."""
    import importlib

    module = importlib.import_module(JOB_MODULE)
    return getattr(module, job)(*args)


class Engine:
    """An async front to a process pool running engine jobs."""

    def __init__(self, processes: int = 2, job_timeout: float = 20.0, cache_size: int = 256) -> None:
        self.processes = processes
        self.job_timeout = job_timeout
        self.cache_size = cache_size
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload([JOB_MODULE])
        self._pool: ProcessPoolExecutor | None = None
        self._cache: OrderedDict[Hashable, Any] = OrderedDict()
        self._inflight: dict[Hashable, asyncio.Future[Any]] = {}
        self.jobs_run = 0

    def _new_pool(self) -> ProcessPoolExecutor:
        """A fresh pool of worker processes."""
        return ProcessPoolExecutor(max_workers=self.processes, mp_context=self._context)

    async def start(self) -> None:
        """Start the workers and warm each one up (imports, fonts, a first fit)."""
        self._pool = self._new_pool()
        await asyncio.gather(*(self._submit("warm", ()) for _ in range(self.processes)))

    async def call(self, job: str, *args: Hashable) -> Any:
        """Run ``job(*args)`` in a worker; concurrent identical calls share one run, results are cached."""
        key = (job, args)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        pending = self._inflight.get(key)
        if pending is None:
            pending = asyncio.ensure_future(self._run_cached(key, job, args))
            self._inflight[key] = pending
            pending.add_done_callback(lambda _: self._inflight.pop(key, None))
        return await asyncio.shield(pending)

    async def _run_cached(self, key: Hashable, job: str, args: tuple[Any, ...]) -> Any:
        """Run a job and remember its result."""
        result = await self._submit(job, args)
        self._cache[key] = result
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return result

    async def _submit(self, job: str, args: tuple[Any, ...], retry: bool = True) -> Any:
        """Submit to the pool with the time limit; replace the pool on a timeout or a dead worker."""
        pool = self._pool
        if pool is None:
            raise EngineUnavailable("the engine is not started")
        try:
            future = asyncio.wrap_future(pool.submit(_run, job, args))
        except (BrokenProcessPool, RuntimeError):
            future = None
        if future is not None:
            self.jobs_run += 1
            try:
                return await asyncio.wait_for(future, self.job_timeout)
            except TimeoutError:
                log.warning("job %s ran over %.0f s; replacing its worker", job, self.job_timeout)
                self._replace(pool)
                raise EngineTimeout(job) from None
            except BrokenProcessPool:
                log.warning("a worker died during %s; replacing the pool", job)
        self._replace(pool)
        if not retry:
            raise EngineUnavailable(job)
        return await self._submit(job, args, retry=False)

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        """Kill the workers of ``broken`` (if it is still the current pool) and start a new pool."""
        if self._pool is not broken:
            return
        for process in list(getattr(broken, "_processes", {}).values()):
            process.kill()
        broken.shutdown(wait=False, cancel_futures=True)
        self._pool = self._new_pool()

    def worker_pids(self) -> list[int]:
        """Process ids of the current workers (for tests and the benchmark)."""
        pool = self._pool
        return [p.pid for p in getattr(pool, "_processes", {}).values() if p.pid] if pool else []

    async def close(self) -> None:
        """Stop the workers: ask politely, then kill whatever is left."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        processes = list(getattr(pool, "_processes", {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.join(timeout=0)
            if process.is_alive():
                process.terminate()
        for process in processes:
            await asyncio.to_thread(process.join, 2)
            if process.is_alive():
                process.kill()
