"""The worker pool: real processes, sharing and caching, time limits, dead workers, back-pressure."""

from __future__ import annotations

import asyncio
import gc
import os
import signal
from collections.abc import Awaitable, Callable

import pytest

from bot.engine import (
    BACKGROUND,
    FIGURE,
    TEXT,
    Engine,
    EngineBusy,
    EngineTimeout,
    EngineUnavailable,
    UserBusy,
)
from bot.regression.errors import FormulaError

LECTURE = ("codecademy", "score ~ lesson + completed")


@pytest.fixture
async def engine():
    engine = Engine(processes=2, job_timeout=30.0, max_queue=8)
    await engine.start()
    yield engine
    await engine.close()


async def test_jobs_run_in_other_processes_and_are_shared_and_cached(engine):
    pids = set(engine.worker_pids())
    assert len(pids) == 2 and os.getpid() not in pids
    before = engine.jobs_run
    first, second = await asyncio.gather(engine.call("summary", *LECTURE), engine.call("summary", *LECTURE))
    assert first == second and round(first.r_squared, 3) == 0.609
    assert engine.jobs_run == before + 1
    await engine.call("summary", *LECTURE)
    assert engine.jobs_run == before + 1


async def test_user_errors_come_back_as_themselves(engine):
    with pytest.raises(FormulaError) as info:
        await engine.call("summary", "codecademy", "score ~ lessons")
    assert "Did you mean `lesson`" in info.value.render()
    assert (await engine.call("summary", "codecademy", "score ~ completed")).n == 100


async def test_a_job_over_its_time_limit_gets_its_worker_replaced(engine):
    engine.job_timeout = 0.001
    before = set(engine.worker_pids())
    with pytest.raises(EngineTimeout):
        await engine.call("walkthrough_page", "penguins", "body_mass_g ~ species * flipper_length_mm", 3)
    after = set(engine.worker_pids())
    assert len(after) == 2 and len(before & after) == 1
    engine.job_timeout = 30.0
    page, total = await engine.call(
        "walkthrough_page", "penguins", "body_mass_g ~ species * flipper_length_mm", 3
    )
    assert total > 3 and page.step.title


async def test_a_killed_worker_fails_only_its_job_and_is_replaced(engine):
    job = asyncio.ensure_future(engine.call("describe_pages", "students"))
    while not engine._inflight:
        await asyncio.sleep(0.001)
    await asyncio.sleep(0.05)
    killed = list(engine._runner._workers)
    for worker in killed:
        os.kill(worker.process.pid, signal.SIGKILL)
    with pytest.raises(EngineUnavailable):
        await job
    while any(worker.process.is_alive() for worker in killed):
        await asyncio.sleep(0.01)
    assert (await engine.call("summary", "codecademy", "score ~ lesson")).n == 100
    assert len(engine.worker_pids()) == 2


async def test_users_take_turns_and_a_flooder_is_told_at_once():
    engine = Engine(processes=1, job_timeout=30.0, max_queue=64, jobs_per_user=3)
    await engine.start()
    finished = []

    async def run(user, formula):
        await engine.call("walkthrough", "penguins", formula, user=user)
        finished.append(formula)

    try:
        flood = [
            "body_mass_g ~ flipper_length_mm",
            "body_mass_g ~ bill_length_mm",
            "body_mass_g ~ bill_depth_mm",
        ]
        submitted = [engine.submit("walkthrough", "penguins", f, user=1) for f in flood]
        with pytest.raises(UserBusy) as info:  # counted from submission, before anything is awaited
            engine.submit("walkthrough", "penguins", "body_mass_g ~ species", user=1)
        assert info.value.jobs == 3 and info.value.retry_after >= 1
        with pytest.raises(UserBusy):
            await engine.call("walkthrough", "penguins", "body_mass_g ~ species", user=1)
        shared = engine.submit("walkthrough", "penguins", flood[0], user=1)  # the same job: free
        tasks = [asyncio.ensure_future(run(1, f)) for f in flood[1:]]
        other = asyncio.ensure_future(run(2, "bill_depth_mm ~ species"))
        await asyncio.gather(*tasks, other)
        assert finished.index("bill_depth_mm ~ species") < finished.index(flood[-1])
        assert await shared is await submitted[0]
        assert engine._per_user == {}
        cached = engine.submit("walkthrough", "penguins", flood[0], user=1)
        assert cached.done() and engine._per_user == {}
    finally:
        await engine.close()


def _in_order(engine: Engine) -> tuple[list[str], Callable[[str, str, int, object], Awaitable[None]]]:
    """The names of jobs in the order they finish, and what runs a named walkthrough job (a formula on
    penguins at a priority, for a user) into that list."""
    finished: list[str] = []

    async def run(name: str, formula: str, priority: int, user: object) -> None:
        await engine.call("walkthrough", "penguins", formula, user=user, priority=priority)
        finished.append(name)

    return finished, run


async def test_words_are_served_before_figures():
    engine = Engine(processes=1, job_timeout=30.0)
    await engine.start()
    finished, run = _in_order(engine)

    try:
        (pid,) = engine.worker_pids()
        os.kill(pid, signal.SIGSTOP)
        busy = asyncio.ensure_future(run("busy", "body_mass_g ~ bill_length_mm", TEXT, "x"))
        await asyncio.sleep(0.05)
        figures = [
            asyncio.ensure_future(run(f"figure{i}", "body_mass_g ~ bill_depth_mm" + " " * i, FIGURE, i))
            for i in range(3)
        ]
        await asyncio.sleep(0.05)
        words = [
            asyncio.ensure_future(run(f"words{i}", "body_mass_g ~ flipper_length_mm" + " " * i, TEXT, 10 + i))
            for i in range(3)
        ]
        await asyncio.sleep(0.05)
        os.kill(pid, signal.SIGCONT)
        await asyncio.gather(busy, *figures, *words)
        order = [name.rstrip("0123456789") for name in finished]
        assert order == ["busy"] + ["words"] * 3 + ["figure"] * 3, finished
    finally:
        await engine.close()


async def test_the_user_served_least_lately_goes_first_and_words_ahead_of_others_wait_with_figures():
    engine = Engine(processes=1, job_timeout=30.0, jobs_per_user=3)
    await engine.start()
    finished, run = _in_order(engine)

    try:
        for i in range(4):  # the heavy user has been served four times just now
            await run(f"earlier{i}", "body_mass_g ~ flipper_length_mm" + " " * i, TEXT, "heavy")
        await run("light", "body_mass_g ~ sex", TEXT, "light")  # once
        (pid,) = engine.worker_pids()
        os.kill(pid, signal.SIGSTOP)
        busy = asyncio.ensure_future(run("busy", "body_mass_g ~ bill_length_mm", TEXT, "other"))
        await asyncio.sleep(0.05)
        queued = [
            ("heavy words", "body_mass_g ~ bill_depth_mm", TEXT, "heavy"),
            ("light words", "body_mass_g ~ species", TEXT, "light"),
            ("new words", "bill_depth_mm ~ species", TEXT, "new"),
            ("new figure", "bill_depth_mm ~ sex", FIGURE, "new2"),
        ]
        tasks = [asyncio.ensure_future(run(*job)) for job in queued]
        await asyncio.sleep(0.05)
        os.kill(pid, signal.SIGCONT)
        await asyncio.gather(busy, *tasks)
        # words first among users served alike; a slot ahead of the least served ("new2": none yet), words
        # wait with the figures, the user served least lately first
        assert finished[-5:] == ["busy", "new words", "new figure", "light words", "heavy words"], finished
    finally:
        await engine.close()


async def test_background_work_leaves_a_worker_free_for_users(engine):
    pids = engine.worker_pids()
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        ahead = asyncio.ensure_future(
            engine.call("walkthrough", "penguins", "body_mass_g ~ 1", priority=BACKGROUND)
        )
        await asyncio.sleep(0.05)
        assert engine._free == 1  # one worker took the background job, the other stays free
        blocked = asyncio.ensure_future(
            engine.call("walkthrough", "penguins", "body_mass_g ~ sex", priority=BACKGROUND)
        )
        await asyncio.sleep(0.05)
        assert engine._free == 1 and not blocked.done()  # it waits rather than take the last one
        user = asyncio.ensure_future(
            engine.call("walkthrough", "penguins", "body_mass_g ~ species", user="u")
        )
        await asyncio.sleep(0.05)
        assert not engine._free  # a user's job takes the free worker at once
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)
    assert await user
    await asyncio.gather(ahead, blocked)


async def test_a_full_queue_refuses_new_words_but_never_a_figure_whose_words_are_shown():
    engine = Engine(processes=1, job_timeout=30.0, max_queue=1)
    await engine.start()
    try:
        running = asyncio.ensure_future(engine.call("describe_pages", "penguins"))
        await asyncio.sleep(0.01)
        waiting = asyncio.ensure_future(engine.call("describe_pages", "students"))
        await asyncio.sleep(0.01)
        with pytest.raises(EngineBusy) as info:
            await engine.call("describe_pages", "grunfeld")
        assert info.value.retry_after >= 1
        figure = asyncio.ensure_future(engine.call("describe_pages", "stackloss", priority=FIGURE))
        await asyncio.gather(running, waiting, figure)
        assert figure.result()
    finally:
        await engine.close()


def test_a_warmed_worker_freezes_what_it_keeps_out_of_collections():
    from bot.regression import jobs

    try:
        assert jobs.warm() > 0
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
