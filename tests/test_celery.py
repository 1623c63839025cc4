"""The Celery backend: a real Redis server, a real ``python -m bot worker`` (prefork, two children) and the
bot's engine sending it jobs; end to end, the real bot against the emulator with ``backend = "celery"``."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from celery import Celery

from bench import servers
from bot.__main__ import main
from bot.celery_worker import TASK, CeleryRunner, celery_app
from bot.config import ConfigError, WorkerConfig, load
from bot.engine import Engine
from tests.conftest import make_bot
from tests.emulator.emulator import DiscordEmulator
from tests.emulator.fixtures import run_bot, running_emulator
from tests.test_faults_e2e import finished

LECTURE = ("codecademy", "score ~ lesson + completed")
QUESTION = "The question and the data"
#: 100,000 rows in 20 groups (3.2 MB, under the 5 MB limit): its walkthrough takes seconds to make.
SLOW = "y ~ x1 * group"


@dataclasses.dataclass(frozen=True)
class Workers:
    """A running Celery worker: its broker, the store it reads and a Celery app to ask it things."""

    broker: str
    database: Path
    app: Celery

    def tasks_run(self) -> int:
        """How many jobs the worker has run so far (its own count)."""
        stats = self.app.control.inspect(timeout=2, limit=1).stats() or {}
        return sum(node["total"].get(TASK, 0) for node in stats.values())

    def child_running(self, word: str) -> int | None:
        """The pid of the worker child running a job whose arguments mention ``word``, if one does."""
        active = self.app.control.inspect(timeout=0.3, limit=1).active() or {}
        return next((t["worker_pid"] for ts in active.values() for t in ts if word in str(t["args"])), None)


@pytest.fixture(scope="module")
def workers(redis_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workers]:
    """``python -m bot worker --concurrency 2`` for this module, on the session's Redis server."""
    folder = tmp_path_factory.mktemp("celery")
    database = folder / "bot.sqlite3"
    config = servers.worker_config(folder / "config.toml", redis_server, database)
    with servers.celery_worker(config, redis_server, 2, folder / "worker.log"):
        app = celery_app(redis_server)
        yield Workers(redis_server, database, app)
        app.close()


def celery_bot(emu: DiscordEmulator, workers: Workers, job_timeout: float = 20.0):
    """The production bot with ``[workers] backend = "celery"`` on the module's worker and its store."""
    config = WorkerConfig(
        backend="celery",
        broker=workers.broker,
        job_timeout=job_timeout,
        jobs_per_user=10_000,
        draw_ahead=False,
    )
    return make_bot(emu, workers.database, workers=config)


def big_upload() -> bytes:
    """A CSV of 100,000 rows: three numeric columns and a group of 20 levels."""
    rng = np.random.default_rng(12)
    x = rng.normal(size=(100_000, 2)).round(3)
    group = rng.integers(0, 20, size=100_000)
    y = (x @ [1.5, -2.0] + group * 0.1 + rng.normal(size=100_000)).round(3)
    rows = (f"{a},{b},{c},g{g:02}" for a, b, c, g in zip(y, x[:, 0], x[:, 1], group, strict=True))
    return ("y,x1,x2,group\n" + "\n".join(rows) + "\n").encode()


async def upload(emu: DiscordEmulator, name: str, data: bytes) -> None:
    """Store ``data`` as the server's dataset ``name`` (as the instructor)."""
    stored = await emu.slash(
        "dataset upload", {"file": emu.upload(f"{name}.csv", data, "text/csv"), "name": name}, user=emu.user()
    )
    await stored.wait_done(60)
    assert f"Stored `{name}`" in stored.original.content + str(stored.original.embeds)


def test_the_backend_and_broker_are_checked(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    wrong = {
        'backend = "threads"': 'backend must be "local"',
        'backend = "celery"': 'backend = "celery" needs broker',
        'backend = "celery"\nbroker = "amqp://h:5672"': "must be a Redis URL",
        'backend = "celery"\nbroker = "redis://:secret@h:http/0"': "a port from 1 to 65535",
        'backend = "celery"\nbroker = "redis://:secret@/0"': "needs the Redis server's host",
        'backend = "celery"\nbroker = "redis://h:6379/zero"': "database after the host must be a number",
        'broker = "redis://h:6379/0"': 'used only with backend = "celery"',
    }
    for body, message in wrong.items():
        config.write_text(f"[workers]\n{body}\n")
        with pytest.raises(ConfigError, match=message) as info:
            load(config, {})
        assert "secret" not in str(info.value)
    config.write_text('[workers]\nbackend = "celery"\nbroker = "redis://:secret@redis.internal:6379/2"\n')
    workers = load(config, {}).workers
    assert workers.broker.endswith("@redis.internal:6379/2") and "secret" not in repr(workers)
    assert load(None, {}).workers.backend == "local"


def test_a_worker_needs_the_celery_backend(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["worker", "--config", str(tmp_path / "none.toml")]) == 2
    assert 'needs [workers] backend = "celery"' in capsys.readouterr().err


async def test_pages_run_on_the_worker_shared_and_cached(workers: Workers) -> None:
    engine = Engine(job_timeout=30.0, runner=CeleryRunner(workers.broker, 2))
    await engine.start()
    try:
        assert engine.worker_pids() == []  # nothing runs in this machine's engine
        view = await engine.call("walkthrough_view", *LECTURE, 5)
        assert view.total > 5 and view.page.figure is not None and view.page.figure.png.startswith(b"\x89PNG")
        before = await asyncio.to_thread(workers.tasks_run)
        first, second = await asyncio.gather(
            engine.call("summary", *LECTURE), engine.call("summary", *LECTURE)
        )
        assert first == second and round(first.r_squared, 3) == 0.609
        assert await engine.call("summary", *LECTURE) == first
        assert await asyncio.to_thread(workers.tasks_run) == before + 1  # shared once, then cached: one task
    finally:
        await engine.close()


async def test_a_fit_a_page_turn_and_an_upload_on_celery_workers(workers: Workers) -> None:
    grades = b"hours,grade,section\n1,52,north\n2,55,south\n3,61,north\n4,64,south\n5,70,north\n6,71,south\n"
    async with running_emulator() as emu, run_bot(celery_bot(emu, workers), emu, timeout=60):
        fit = await emu.slash("fit", {"dataset": LECTURE[0], "formula": LECTURE[1]})
        assert await finished(fit) == QUESTION
        message = fit.original
        assert any(a.filename.endswith(".png") for a in message.attachments)
        nexts = [c for c in message.custom_ids() if c.endswith(":n")]
        press = await emu.press(message, nexts[0])
        await finished(press)
        assert emu.messages.get(message.id).embeds[0]["title"] == "The model's shape"
        await upload(emu, "grades", grades)  # the worker reads it from the store
        uploaded = await emu.slash("fit", {"dataset": "grades", "formula": "grade ~ hours + section"})
        assert await finished(uploaded) == QUESTION
        assert emu.violations == []


async def test_a_job_over_its_time_limit_is_stopped_and_the_next_succeeds(workers: Workers) -> None:
    async with running_emulator() as emu, run_bot(celery_bot(emu, workers), emu, timeout=60) as bot:
        bot.engine.job_timeout = 0.001  # Celery's own hard limit for each task sent from now on
        slow = await emu.slash(
            "fit", {"dataset": "penguins", "formula": "body_mass_g ~ flipper_length_mm * sex"}
        )
        said = await finished(slow)
        if "took too long" not in said:  # the words beat the 1 ms limit (a busy machine); the figure did not
            said = (await slow.wait_followups(1, timeout=30))[-1].content
        assert "took too long" in said
        bot.engine.job_timeout = 30
        fine = await emu.slash(
            "fit", {"dataset": "penguins", "formula": "body_mass_g ~ flipper_length_mm * sex"}
        )
        assert await finished(fine) == QUESTION
        assert emu.violations == []


async def test_a_killed_worker_child_costs_one_answer_and_nobody_else_an_error(workers: Workers) -> None:
    async with running_emulator() as emu, run_bot(celery_bot(emu, workers), emu, timeout=60) as bot:
        await upload(emu, "big", big_upload())
        await bot.engine.started()
        student, instructor = emu.user("student"), emu.user("instructor")
        doomed = await emu.slash("fit", {"dataset": "big", "formula": SLOW}, user=student)
        other = await emu.slash(
            "fit", {"dataset": "penguins", "formula": "body_mass_g ~ sex"}, user=instructor
        )
        async with asyncio.timeout(30):
            while (child := await asyncio.to_thread(workers.child_running, "upload:")) is None:
                await asyncio.sleep(0.05)
        os.kill(child, signal.SIGKILL)
        said = await finished(doomed)
        assert "stopped unexpectedly" in said, said
        assert await finished(other) == QUESTION
        assert [m.content for m in other.followups] == []
        again = await emu.slash("fit", {"dataset": "big", "formula": "y ~ x1 + x2"}, user=student)
        assert await finished(again) == QUESTION
        assert emu.violations == []
