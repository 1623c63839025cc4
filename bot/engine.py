"""Run engine jobs off the event loop: time limits, back-pressure, caching, sharing.

The bot process never fits or renders: it asks a *runner* to run a function of ``bot.regression.jobs`` by
name. The default runner, :class:`ProcessPool`, keeps worker processes of its own, each with a pipe, so a
job over its time limit gets exactly its own worker killed and replaced, and a worker that dies takes only
its own job with it; ``bot.celery_worker.CeleryRunner`` sends each job to Celery workers on other machines
instead. Either way the front half stays here, in the bot process: identical requests in flight share one
run; finished results are kept in a small LRU cache, and both cost nothing. New work is shared fairly: each
user has at most ``jobs_per_user`` jobs waiting or running (more are refused at once with ``UserBusy``),
and a free slot goes to the waiting user who has been served least lately (a count of slots given, which
halves every ``USAGE_HALF_LIFE`` seconds; users served equally take turns), so one user's burst never
pushes everyone else back. When more jobs wait than ``max_queue`` in all, new ones are refused with an
estimate of when to retry.

Jobs have a priority: the words of a page (``TEXT``) are served before any figure (``FIGURE``), so a class
sees every answer's text before the pictures are drawn, except that the words of a user already served a
slot more than the least served user waiting count as a figure: however many commands one user sends,
they get about one slot ahead of everyone else's pictures, not one per command. ``BACKGROUND`` work
(pages drawn ahead of time) runs only while another slot is free for users.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable
from multiprocessing.connection import Connection
from typing import Any, Protocol

log = logging.getLogger(__name__)

JOB_MODULE = "bot.regression.jobs"
TEXT, FIGURE, BACKGROUND = 0, 1, 2
WARM_TIMEOUT = 120.0
#: Seconds after which a slot given to a user counts half as much when slots are shared out.
USAGE_HALF_LIFE = 20.0
#: How far ahead of the least served user waiting (in slots, rounded: counts fade) a user's words count as a
#: figure.
AHEAD = 0.5
#: A user's decayed count of slots below which usage is forgotten (keeps the table small).
USAGE_FORGOTTEN = 0.05
#: How much lower than the bot process the workers run (``nice``): on a machine with as many workers as
#: cores, the bot process would otherwise wait for a core behind fits and figures while it should be
#: answering Discord (first responses, the words of a page, heartbeats); the workers still get every
#: core the bot process leaves idle, so they lose no throughput.
WORKER_NICENESS = 10


class EngineTimeout(Exception):
    """A job ran past its time limit; the process running it was replaced."""


class EngineUnavailable(Exception):
    """The worker running a job died (it was replaced), or the engine is stopped."""


class EngineBusy(Exception):
    """Too many jobs are waiting; ``retry_after`` estimates, in seconds, when to try again."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"busy, retry after {retry_after:.0f} s")
        self.retry_after = retry_after

    def __reduce__(self) -> tuple[type, tuple[float]]:
        return (type(self), (self.retry_after,))


class UserBusy(EngineBusy):
    """This user already has ``jobs`` jobs waiting or running; ``retry_after`` estimates when one ends."""

    def __init__(self, retry_after: float, jobs: int = 0) -> None:
        super().__init__(retry_after)
        self.jobs = jobs

    def __reduce__(self) -> tuple[type, tuple[float, int]]:  # type: ignore[override]
        return (type(self), (self.retry_after, self.jobs))


class Runner(Protocol):
    """Where jobs run, ``slots`` at a time: the engine never asks for more at once."""

    slots: int

    async def start(self, ready: Callable[[], None]) -> None:
        """Start and warm up; call ``ready()`` once for each slot as it becomes usable."""

    async def run(self, job: str, args: tuple[Any, ...], timeout: float, priority: int) -> Any:
        """``jobs.<job>(*args)``'s value or its own exception; ``EngineTimeout`` past ``timeout`` seconds,
        ``EngineUnavailable`` when the process running it died."""

    def pids(self) -> list[int]:
        """Process ids of this machine's workers (none when they run elsewhere)."""

    async def close(self) -> None:
        """Stop; jobs still running fail with ``EngineUnavailable``."""


def _worker_main(connection: Connection, database: str | None) -> None:
    """A worker process: run ``bot.regression.jobs.<job>(*args)`` for each request until the pipe closes."""
    import importlib
    import os
    import pickle

    os.nice(WORKER_NICENESS)
    jobs = importlib.import_module(JOB_MODULE)
    jobs.configure(database)
    while True:
        try:
            job, args = connection.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        try:
            reply: tuple[str, Any] = ("ok", getattr(jobs, job)(*args))
        except Exception as error:
            reply = ("error", error)
        try:
            connection.send(reply)
        except (pickle.PicklingError, TypeError, AttributeError):
            connection.send(("error", RuntimeError(f"{type(reply[1]).__name__} could not be sent back")))


def _log_failed_start(task: asyncio.Future[None]) -> None:
    """Log a start-up that failed (jobs then fail with ``EngineUnavailable`` or wait for others)."""
    if not task.cancelled() and task.exception() is not None:
        log.error("starting the workers failed: %r", task.exception())


def _retrieved(result: asyncio.Future[Any]) -> None:
    """Mark a job's failure as seen: whoever awaits the result gets it; a command that failed before it
    awaited its job (its deferral refused, say) has reported that failure already."""
    if not result.cancelled():
        result.exception()


class _Worker:
    """One worker process and the bot's end of its pipe."""

    def __init__(self, context: Any, database: str | None) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child, database), daemon=True)
        self.process.start()
        child.close()

    def kill(self) -> None:
        """Stop the process at once."""
        self.process.kill()
        self.process.join(timeout=2)
        self.connection.close()


class ProcessPool:
    """The default runner: ``slots`` worker processes on this machine (forked from a forkserver that has
    imported the engine), reading uploads from ``database``; one job at a time each."""

    def __init__(self, slots: int = 2, database: str | None = None) -> None:
        self.slots = slots
        self.database = database
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload([JOB_MODULE])
        self._workers: list[_Worker] = []
        self._idle: list[_Worker] = []

    async def start(self, ready: Callable[[], None]) -> None:
        """Start the processes in threads (the first start loads the engine), then warm them together."""
        workers = await asyncio.gather(
            *(asyncio.to_thread(_Worker, self._context, self.database) for _ in range(self.slots))
        )
        self._workers.extend(workers)

        async def warm(worker: _Worker) -> None:
            try:
                await self._run_on(worker, "warm", (), WARM_TIMEOUT)
            finally:
                ready()

        await asyncio.gather(*(warm(worker) for worker in workers))

    def _replace(self, worker: _Worker) -> _Worker | None:
        """Kill ``worker`` and start another in its place (none once the pool is closing)."""
        worker.kill()
        if worker not in self._workers:
            return None
        self._workers.remove(worker)
        fresh = _Worker(self._context, self.database)
        self._workers.append(fresh)
        return fresh

    def _give_back(self, worker: _Worker | None) -> None:
        """Make a worker available again."""
        if worker is not None:
            self._idle.append(worker)

    async def run(self, job: str, args: tuple[Any, ...], timeout: float, priority: int = TEXT) -> Any:
        """Run ``job(*args)`` on a free worker (dead idle ones are replaced on the way)."""
        worker = self._idle.pop() if self._idle else None
        while worker is not None and not worker.process.is_alive():
            log.warning("an idle worker had died; starting another")
            worker = self._replace(worker)
        if worker is None:
            raise EngineUnavailable(job)
        return await self._run_on(worker, job, args, timeout)

    async def _run_on(self, worker: _Worker, job: str, args: tuple[Any, ...], timeout: float) -> Any:
        """Run one job on ``worker``, then give the worker (or its replacement) back."""
        try:
            worker.connection.send((job, args))
            status, value = await asyncio.wait_for(asyncio.to_thread(worker.connection.recv), timeout)
        except TimeoutError:
            log.warning("job %s ran over %.1f s; replacing its worker", job, timeout)
            self._give_back(self._replace(worker))
            raise EngineTimeout(job) from None
        except (EOFError, OSError, BrokenPipeError):
            log.warning("a worker died during %s; starting another", job)
            self._give_back(self._replace(worker))
            raise EngineUnavailable(job) from None
        except BaseException:
            self._give_back(self._replace(worker))
            raise
        self._idle.append(worker)
        if status == "error":
            raise value
        return value

    def pids(self) -> list[int]:
        """Process ids of the current workers."""
        return [w.process.pid for w in self._workers if w.process.pid]

    async def close(self) -> None:
        """Stop every worker: close its pipe, give it a moment, then kill what is left."""
        workers, self._workers = self._workers, []
        for worker in workers:
            with contextlib.suppress(OSError):
                worker.connection.close()
        for worker in workers:
            await asyncio.to_thread(worker.process.join, 2)
            if worker.process.is_alive():
                worker.process.kill()
                await asyncio.to_thread(worker.process.join, 2)


class Engine:
    """An async front to a runner of engine jobs: the cache, sharing, fair turns, priorities, back-pressure."""

    def __init__(
        self,
        processes: int = 2,
        job_timeout: float = 20.0,
        cache_size: int = 256,
        database: str | None = None,
        max_queue: int = 128,
        jobs_per_user: int = 4,
        runner: Runner | None = None,
    ) -> None:
        """``runner`` is where jobs run; by default a :class:`ProcessPool` of ``processes`` workers that
        read uploads from ``database``."""
        self._runner: Runner = runner or ProcessPool(processes, database)
        self.processes = self._runner.slots
        self.job_timeout = job_timeout
        self.cache_size = cache_size
        self.max_queue = max_queue
        self.jobs_per_user = jobs_per_user
        self._free = 0
        # the waiting users per priority, in the order they came, each with their tickets in order
        self._turns: tuple[OrderedDict[Hashable, deque[asyncio.Future[None]]], ...] = tuple(
            OrderedDict() for _ in (TEXT, FIGURE, BACKGROUND)
        )
        # each user's slots given lately: (decayed count, when it was last brought up to date)
        self._usage: dict[Hashable, tuple[float, float]] = {}
        self._per_user: dict[Hashable, int] = {}
        self._starting: asyncio.Future[None] | None = None
        self._waiting = 0
        self._words_waiting = 0
        self._cache: OrderedDict[Hashable, Any] = OrderedDict()
        self._inflight: dict[Hashable, asyncio.Future[Any]] = {}
        self._typical_seconds = 0.3
        self.jobs_run = 0

    async def start(self, wait: bool = True) -> None:
        """Start the runner and warm it up (imports, fonts, a first fit), off the event loop.

        With ``wait=False`` this returns at once: jobs asked for meanwhile wait for the first warm slot,
        so the bot can connect while its workers start.
        """
        self._starting = asyncio.ensure_future(self._runner.start(self._release))
        self._starting.add_done_callback(_log_failed_start)
        if wait:
            await self._starting

    async def started(self) -> None:
        """Wait until the workers have started and warmed up (at once when they have)."""
        if self._starting is not None:
            await asyncio.shield(self._starting)

    def _release(self) -> None:
        """Give a free slot to the waiting job that comes next (see the module's description), or keep it."""
        while (chosen := self._next_turn()) is not None:
            priority, user = chosen
            turns = self._turns[priority]
            tickets = turns[user]
            ticket = tickets.popleft()
            if tickets:
                turns.move_to_end(user)
            else:
                del turns[user]
            if not ticket.done():
                self._served(user)
                ticket.set_result(None)
                return
        self._free += 1

    def _next_turn(self) -> tuple[int, Hashable] | None:
        """The priority and user whose first waiting ticket is served next: the most urgent priority (the
        words of a user served ``AHEAD`` more than the least served user waiting counting as a figure),
        then the user served least lately, then the earliest."""
        now = time.monotonic()
        best: tuple[tuple[int, float], int, Hashable] | None = None
        waiting = (user for turns in self._turns[:BACKGROUND] for user in turns)
        least = min((self._used(user, now) for user in waiting), default=0.0)
        for priority, turns in enumerate(self._turns):
            if priority == BACKGROUND and (best is not None or not self._spare()):
                break
            for user in turns:
                used = self._used(user, now)
                rank = FIGURE if priority == TEXT and used - least >= AHEAD else priority
                if best is None or (rank, used) < best[0]:
                    best = ((rank, used), priority, user)
        return None if best is None else (best[1], best[2])

    def _used(self, user: Hashable, now: float) -> float:
        """How many slots ``user`` was given lately (each counting half after ``USAGE_HALF_LIFE`` s)."""
        count, since = self._usage.get(user, (0.0, now))
        return count * 0.5 ** ((now - since) / USAGE_HALF_LIFE)

    def _served(self, user: Hashable) -> None:
        """Count a slot given to ``user``; forget users whose count has faded."""
        now = time.monotonic()
        self._usage[user] = (self._used(user, now) + 1.0, now)
        if len(self._usage) > 4 * max(64, self.max_queue):
            self._usage = {
                who: (self._used(who, now), now)
                for who in self._usage
                if self._used(who, now) >= USAGE_FORGOTTEN
            }

    def _spare(self) -> bool:
        """Whether background work may take a slot: another one stays free for users."""
        return self._free > 0 or self.processes == 1

    def _waiting_for(self, priority: int) -> bool:
        """Whether anyone waits at ``priority`` or a more urgent one."""
        return any(self._turns[p] for p in range(priority + 1))

    def cached(self, job: str, *args: Hashable) -> bool:
        """Whether ``job(*args)`` would be answered from the cache at once."""
        return (job, args) in self._cache

    async def call(self, job: str, *args: Hashable, user: Hashable = None, priority: int = TEXT) -> Any:
        """Run ``job(*args)`` on a worker for ``user`` and return its result (see ``submit``)."""
        return await self.submit(job, *args, user=user, priority=priority)

    def submit(
        self, job: str, *args: Hashable, user: Hashable = None, priority: int = TEXT
    ) -> asyncio.Future[Any]:
        """Start ``job(*args)`` for ``user`` now and return the future of its result; identical jobs share
        one run, results are cached.

        Cached and shared answers are free; new work counts against the user's ``jobs_per_user`` from this
        moment and waits behind every job of a more urgent ``priority``. Refusals (see ``check_capacity``)
        are raised here, before anything is awaited, so a command submits its job before it defers: a burst
        of one user's commands is refused at once, and the job runs while the deferral is sent.
        """
        key = (job, args)
        if key in self._cache:
            self._cache.move_to_end(key)
            done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            done.set_result(self._cache[key])
            return done
        pending = self._inflight.get(key)
        if pending is None:
            self.check_capacity(user, priority)
            self._waiting += 1
            self._words_waiting += int(priority == TEXT)
            self._per_user[user] = self._per_user.get(user, 0) + 1
            pending = asyncio.ensure_future(self._run_cached(key, job, args, user, priority))
            self._inflight[key] = pending
            pending.add_done_callback(lambda _: self._inflight.pop(key, None))
        result = asyncio.shield(pending)
        result.add_done_callback(_retrieved)  # a command that fails before awaiting it logs nothing more
        return result

    def check_capacity(self, user: Hashable = None, priority: int = TEXT) -> None:
        """Refuse new work at once, before anyone waits for it: ``UserBusy`` when this user already has
        ``jobs_per_user`` jobs, ``EngineBusy`` while ``max_queue`` answers' words wait. (A figure is never
        refused for the queue's length: its words are on screen already, and it waits behind new words.)"""
        mine = self._per_user.get(user, 0)
        if user is not None and mine >= self.jobs_per_user:
            raise UserBusy(max(1.0, mine * self._typical_seconds), mine)
        if priority == TEXT and self._words_waiting >= self.max_queue:
            raise EngineBusy(self.retry_after())

    def retry_after(self) -> float:
        """Roughly how long the jobs already waiting will take."""
        return max(1.0, self._waiting * self._typical_seconds / max(1, self.processes))

    async def _run_cached(
        self, key: Hashable, job: str, args: tuple[Any, ...], user: Hashable, priority: int
    ) -> Any:
        """Wait for this user's turn at a free slot, run the job, remember its result."""
        try:
            try:
                await self._take_slot(user, priority)
            finally:
                self._waiting -= 1
                self._words_waiting -= int(priority == TEXT)
            result = await self._run(job, args, priority)
        finally:
            left = self._per_user.get(user, 1) - 1
            if left:
                self._per_user[user] = left
            else:
                self._per_user.pop(user, None)
        self._cache[key] = result
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return result

    async def _take_slot(self, user: Hashable = None, priority: int = TEXT) -> None:
        """Return once it is this user's turn at a free slot (taken for them)."""
        free = self._free > 0 and (priority != BACKGROUND or self._free > 1 or self.processes == 1)
        if free and not self._waiting_for(priority):
            self._free -= 1
            self._served(user)
            return
        ticket: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._turns[priority].setdefault(user, deque()).append(ticket)
        if self._free:
            self._free -= 1
            self._release()
        await ticket

    async def _run(self, job: str, args: tuple[Any, ...], priority: int) -> Any:
        """Run one job in the slot taken for it, then free the slot."""
        started = time.monotonic()
        self.jobs_run += 1
        try:
            value = await self._runner.run(job, args, self.job_timeout, priority)
        except (EngineTimeout, EngineUnavailable):
            raise
        except Exception:
            self._took(time.monotonic() - started)
            raise
        finally:
            self._release()
        self._took(time.monotonic() - started)
        return value

    def _took(self, seconds: float) -> None:
        """Count a finished job's time into the typical time (timed-out and lost jobs are not counted)."""
        self._typical_seconds = 0.8 * self._typical_seconds + 0.2 * seconds

    @property
    def _workers(self) -> list[Any]:
        """The local pool's workers (``tests/test_components_e2e.py`` waits for killed ones to be gone)."""
        return list(getattr(self._runner, "_workers", []))

    def worker_pids(self) -> list[int]:
        """Process ids of the current workers on this machine (for tests and the benchmark)."""
        return self._runner.pids()

    async def close(self) -> None:
        """Stop the runner (once it has finished starting, or given up)."""
        if self._starting is not None and not self._starting.done():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(self._starting), WARM_TIMEOUT)
        await self._runner.close()
