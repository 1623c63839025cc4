"""Faults, end to end: gateway drops mid-burst, REST 429/5xx, dead workers, limits, secrets in logs."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import signal

from bot.config import WorkerConfig
from tests.conftest import make_bot
from tests.drawn import drawn
from tests.emulator.emulator import DiscordEmulator
from tests.emulator.fixtures import run_bot, running_emulator

FORMULAS = (
    "score ~ completed",
    "score ~ lesson",
    "score ~ lesson + completed",
    "score ~ lesson * completed",
    "score ~ completed + I(completed ** 2)",
    "score ~ center(completed)",
    "score ~ lesson + center(completed)",
    "log(score) ~ completed",
    "score ~ sqrt(completed)",
    "score ~ lesson + log(completed)",
)


async def burst(emu: DiscordEmulator, formulas, dataset: str = "codecademy", **where):
    """Dispatch one /fit per formula at (nearly) the same time."""
    return await asyncio.gather(
        *(emu.slash("fit", {"dataset": dataset, "formula": f}, **where) for f in formulas)
    )


async def finished(interaction, timeout: float = 90) -> str:
    """Wait for an interaction's answer and return what it says (embed title or message text)."""
    await drawn(interaction, timeout=timeout)
    if interaction.original is not None and interaction.original.deleted:
        await interaction.wait_followups(1, timeout=10)
        return interaction.followups[0].content
    message = interaction.original
    return message.embeds[0]["title"] if message.embeds else message.content


async def test_gateway_drops_during_a_burst(tmp_path):
    async with (
        running_emulator(heartbeat_interval_ms=1000) as emu,
        run_bot(make_bot(emu, tmp_path / "bot.sqlite3"), emu, timeout=60),
    ):
        first = await burst(emu, FORMULAS[:5])
        await asyncio.gather(*(i.wait_response(timeout=10) for i in first))
        await emu.disconnect(4000)
        await emu.wait_until(lambda: len(emu.gateway.resumes) >= 1, timeout=30, what="a RESUME")
        second = await burst(emu, FORMULAS[5:])
        await asyncio.gather(*(i.wait_response(timeout=10) for i in second))
        await emu.disconnect(4009)
        await emu.wait_until(lambda: len(emu.gateway.identifies) >= 2, timeout=30, what="a new IDENTIFY")
        titles = await asyncio.gather(*(finished(i) for i in [*first, *second]))
        assert titles == ["The question and the data"] * len(FORMULAS)
        after = await emu.slash("fit", {"dataset": "penguins", "formula": "body_mass_g ~ species"})
        assert await finished(after) == "The question and the data"
        assert emu.violations == []


async def test_rest_errors_delay_answers_but_do_not_lose_them(tmp_path):
    async with running_emulator() as emu, run_bot(make_bot(emu, tmp_path / "bot.sqlite3"), emu, timeout=60):
        emu.set_rest_failures(429, count=2, retry_after=0.3, path_contains="/callback")
        emu.set_rest_failures(500, count=1, path_contains="/webhooks/")
        emu.set_rest_failures(502, count=1, path_contains="/webhooks/")
        interactions = await burst(emu, FORMULAS[:4])
        titles = await asyncio.gather(*(finished(i) for i in interactions))
        assert titles == ["The question and the data"] * 4
        statuses = [r.status for r in emu.requests]
        assert statuses.count(429) == 2 and 500 in statuses and 502 in statuses
        assert [v for v in emu.violations if v.status not in (429, 500, 502)] == []


async def test_a_dead_worker_costs_one_answer_and_the_pool_recovers(tmp_path):
    async with (
        running_emulator() as emu,
        run_bot(make_bot(emu, tmp_path / "bot.sqlite3", processes=1), emu, timeout=60) as bot,
    ):
        await bot.engine.started()
        doomed = await emu.slash("describe", {"dataset": "students"})
        async with asyncio.timeout(10):
            while not bot.engine._inflight:
                await asyncio.sleep(0.001)
        await asyncio.sleep(0.05)
        for pid in bot.engine.worker_pids():
            os.kill(pid, signal.SIGKILL)
        said = await finished(doomed)
        if "stopped unexpectedly" not in said:  # its words were on screen already: the figure's job died
            (told,) = await doomed.wait_followups(1, timeout=10)
            assert told.ephemeral and "stopped unexpectedly" in told.content
            assert doomed.original.attachments == []  # no placeholder left behind
        fine = await emu.slash("fit", {"dataset": "codecademy", "formula": "score ~ completed"})
        assert await finished(fine) == "The question and the data"
        assert emu.violations == []


async def test_slow_jobs_are_stopped_and_the_user_told(tmp_path):
    async with (
        running_emulator() as emu,
        run_bot(make_bot(emu, tmp_path / "bot.sqlite3", processes=1), emu, timeout=60) as bot,
    ):
        bot.engine.job_timeout = 0.001
        slow = await emu.slash("fit", {"dataset": "penguins", "formula": "body_mass_g ~ species * sex"})
        assert "took too long" in await finished(slow)
        bot.engine.job_timeout = 30
        fine = await emu.slash("fit", {"dataset": "penguins", "formula": "body_mass_g ~ species * sex"})
        assert await finished(fine) == "The question and the data"


async def test_what_costs_nothing_is_never_limited(tmp_path):
    async with running_emulator() as emu, run_bot(make_bot(emu, tmp_path / "bot.sqlite3"), emu, timeout=60):
        student = emu.user("student")
        asked = await asyncio.gather(
            *(emu.slash("explain", {"topic": "slope"}, user=student) for _ in range(30))
        )
        answers = await asyncio.gather(*(finished(i) for i in asked))
        assert answers == ["Slope"] * 30
        first = await emu.slash(
            "fit", {"dataset": "codecademy", "formula": "score ~ completed"}, user=student
        )
        assert await finished(first) == "The question and the data"
        again = await asyncio.gather(
            *(
                emu.slash("fit", {"dataset": "codecademy", "formula": "score ~ completed"}, user=student)
                for _ in range(12)
            )
        )
        assert [await finished(i) for i in again] == ["The question and the data"] * 12
        assert emu.violations == []


async def test_a_flooding_user_is_told_to_wait_and_nobody_else_is(tmp_path):
    async with running_emulator() as emu:
        bot = make_bot(
            emu,
            tmp_path / "bot.sqlite3",
            workers=WorkerConfig(processes=1, jobs_per_user=2, draw_ahead=False),
        )
        async with run_bot(bot, emu, timeout=60):
            jobs_before = bot.engine.jobs_run
            flooder, other = emu.user("student"), emu.user("instructor")
            flood = await burst(emu, FORMULAS[:6], user=flooder)
            calm = await emu.slash("fit", {"dataset": "codecademy", "formula": FORMULAS[7]}, user=other)
            results = await asyncio.gather(*(finished(i) for i in flood))
            told = [r for r in results if r.startswith("You already have 2 requests being worked on")]
            assert len(told) == 4 and results.count("The question and the data") == 2, results
            refused = [i for i, r in zip(flood, results, strict=True) if r in told]
            assert all(i.response["type"] == 4 for i in refused)  # told at once: never deferred
            assert bot.engine.jobs_run - jobs_before == 3 * 2  # words and figure of the three answers only
            assert await finished(calm) == "The question and the data"
            assert emu.violations == []


async def test_a_full_queue_answers_busy_at_once(tmp_path):
    async with running_emulator() as emu:
        workers = WorkerConfig(processes=1, max_queue=1, jobs_per_user=64, draw_ahead=False)
        bot = make_bot(emu, tmp_path / "bot.sqlite3", workers=workers)
        async with run_bot(bot, emu, timeout=60):
            many = await burst(emu, FORMULAS[:6])
            results = await asyncio.gather(*(finished(i) for i in many))
            busy = [r for r in results if r.startswith("The bot is busy right now: try again in")]
            assert busy and all(r in ("The question and the data", *busy) for r in results), results
            assert emu.violations == []


async def test_the_token_never_appears_in_logs_or_answers(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    async with (
        running_emulator() as emu,
        run_bot(make_bot(emu, tmp_path / "bot.sqlite3"), emu, timeout=60) as bot,
    ):
        original = bot.engine.submit

        def broken(job, *args, user=None, priority=0):
            raise RuntimeError("an unexpected failure")

        bot.engine.submit = broken
        failing = await emu.slash("fit", {"dataset": "codecademy", "formula": "score ~ completed"})
        answer = await finished(failing)
        bot.engine.submit = original
        assert "error id" in answer and "an unexpected failure" in caplog.text
        fine = await emu.slash("fit", {"dataset": "codecademy", "formula": "score ~ completed"})
        assert await finished(fine) == "The question and the data"
    assert "IDENTIFY" in caplog.text or "identif" in caplog.text.lower()
    assert emu.token not in caplog.text
    sent = [m.content for m in emu.messages.messages.values()] + [repr(r.json) for r in emu.requests]
    assert all(emu.token not in text for text in sent)


async def test_what_start_up_made_is_frozen_out_of_collections_until_the_bot_closes(tmp_path):
    async with running_emulator() as emu:
        bot = make_bot(emu, tmp_path / "bot.sqlite3", workers=WorkerConfig(processes=1, draw_ahead=False))
        async with run_bot(bot, emu, timeout=60):
            assert gc.get_freeze_count() > 0  # the libraries, cogs and datasets: a full collection skips them
        assert gc.get_freeze_count() == 0  # closed: whatever this bot left can be collected
