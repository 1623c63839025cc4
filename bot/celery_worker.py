"""Engine jobs on Celery workers, on any machine that reaches the Redis server and the store.

With ``[workers] backend = "celery"`` the bot's engine keeps its front half (the cache, shared jobs, fair
turns, priorities, back-pressure) and hands each job to :class:`CeleryRunner`, which sends it as a Celery
task through Redis and waits for its result, which comes back through Redis too (the result backend).
``python -m bot worker`` runs :func:`serve`: a prefork Celery worker whose children run the jobs.

Celery enforces each job's time limit itself: past ``time_limit`` the worker kills the child running that
job (and starts another), and the result is ``TimeLimitExceeded``; a child killed by a signal gives
``WorkerLostError``. Both become the engine's ``EngineTimeout`` and ``EngineUnavailable``, so users hear
what they hear from the local pool. Tasks and results are pickled (jobs return dataclasses): the broker
must be private to the bot and its workers.

Words are served first across every bot process: ``TEXT`` jobs go to the queue ``regression.words``,
figures and background work to ``regression.figures``, and workers take from the words queue whenever it
has anything (Redis's ``priority`` queue order), one job per child at a time (no prefetching).
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from celery import Celery
from celery.exceptions import TaskRevokedError, TimeLimitExceeded, WorkerLostError
from celery.exceptions import TimeoutError as ResultTimeout
from kombu.exceptions import OperationalError

from bot.config import Config
from bot.engine import TEXT, WARM_TIMEOUT, WORKER_NICENESS, EngineTimeout, EngineUnavailable

log = logging.getLogger(__name__)

TASK = "regression.job"
WORDS_QUEUE, FIGURES_QUEUE = "regression.words", "regression.figures"
#: How long a job may wait in Redis for a free worker child before it is dropped and its user told.
QUEUE_WAIT = 60.0
#: How long past that and its time limit the bot waits for a result before it gives up on the workers.
RESULT_GRACE = 10.0


def celery_app(broker: str) -> Celery:
    """The Celery application of the bot and its workers: Redis as broker and result backend, pickled
    tasks and results, late acknowledgement and no prefetching (a child takes one job at a time)."""
    app = Celery("regression", broker=broker, backend=broker, set_as_current=False)
    app.conf.update(
        task_serializer="pickle",
        result_serializer="pickle",
        accept_content=["pickle"],
        result_accept_content=["pickle"],
        task_default_queue=WORDS_QUEUE,
        task_acks_late=True,
        worker_prefetch_multiplier=1,
        broker_transport_options={"queue_order_strategy": "priority"},
        broker_connection_retry_on_startup=True,
        result_expires=600,
        worker_lost_wait=2.0,
    )
    return app


def run_job(job: str, args: tuple[Any, ...]) -> Any:
    """The task a worker child runs: ``bot.regression.jobs.<job>(*args)``."""
    from bot.regression import jobs

    return getattr(jobs, job)(*args)


class CeleryRunner:
    """The engine's runner for Celery workers: ``slots`` jobs at a time, each sent as a task with its own
    hard time limit and awaited in a thread of its own (so the event loop never blocks)."""

    def __init__(self, broker: str, slots: int = 2) -> None:
        self.slots = slots
        self._app = celery_app(broker)
        self._threads = ThreadPoolExecutor(max_workers=slots + 1, thread_name_prefix="celery-job")
        self._closing = threading.Event()

    async def start(self, ready: Callable[[], None]) -> None:
        """Open every slot at once (jobs wait in Redis until a worker takes them; the workers warm up on
        their own), then wait until a worker has answered a first job."""
        for _ in range(self.slots):
            ready()
        await self.run("warm", (), WARM_TIMEOUT, TEXT)

    async def run(self, job: str, args: tuple[Any, ...], timeout: float, priority: int = TEXT) -> Any:
        """Send ``job(*args)`` to the words or the figures queue and wait for its result."""
        abandoned = threading.Event()
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(
                self._threads, self._send_and_wait, job, args, timeout, priority, abandoned
            )
        finally:
            abandoned.set()

    def _send_and_wait(
        self, job: str, args: tuple[Any, ...], timeout: float, priority: int, abandoned: threading.Event
    ) -> Any:
        """In a thread: send the task, block until its result (the thread's own Redis connections)."""

        def still_wanted() -> None:
            if abandoned.is_set() or self._closing.is_set():
                raise EngineUnavailable(f"{job}: the engine stopped waiting")

        try:
            result = self._app.send_task(
                TASK,
                (job, args),
                queue=WORDS_QUEUE if priority == TEXT else FIGURES_QUEUE,
                time_limit=timeout,
                expires=QUEUE_WAIT,
            )
        except (OperationalError, OSError) as error:
            log.warning("could not send %s to the workers: %r", job, error)
            raise EngineUnavailable(job) from None
        try:
            return result.get(timeout=QUEUE_WAIT + timeout + RESULT_GRACE, on_interval=still_wanted)
        except TimeLimitExceeded:
            log.warning("job %s ran over %.3g s; its worker child was replaced", job, timeout)
            raise EngineTimeout(job) from None
        except WorkerLostError:
            log.warning("a worker child died during %s", job)
            raise EngineUnavailable(job) from None
        except (ResultTimeout, TaskRevokedError, OperationalError, OSError) as error:
            log.warning("no worker answered %s: %r", job, error)
            raise EngineUnavailable(job) from None
        finally:
            try:
                result.forget()
            except (OperationalError, OSError) as error:
                log.debug("could not forget the result of %s: %r", job, error)

    def pids(self) -> list[int]:
        """None on this machine: the workers are processes of ``python -m bot worker``."""
        return []

    async def close(self) -> None:
        """Stop waiting for results (jobs still waiting fail within a second) and close the connections."""
        self._closing.set()
        await asyncio.to_thread(self._threads.shutdown, True, cancel_futures=True)
        self._app.close()


def serve(config: Config, concurrency: int) -> None:
    """Run a prefork Celery worker with ``concurrency`` children until it is stopped (SIGTERM waits for
    running jobs). The engine is imported and warmed once here, so every child, including those started
    after a time limit or a crash, is forked warm; uploads are read from the store of ``config``."""
    from bot.regression import jobs

    jobs.configure(config.storage.url or str(Path(config.storage.database).resolve()))
    os.nice(WORKER_NICENESS)  # beside a bot process on the same machine, the bot comes first (children too)
    jobs.warm()
    app = celery_app(config.workers.broker)
    app.conf.task_time_limit = config.workers.job_timeout
    app.task(name=TASK)(run_job)
    app.worker_main(
        [
            "worker",
            "--pool=prefork",
            f"--concurrency={concurrency}",
            f"--queues={WORDS_QUEUE},{FIGURES_QUEUE}",
            f"--hostname=regression-{os.getpid()}@%h",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
        ]
    )
