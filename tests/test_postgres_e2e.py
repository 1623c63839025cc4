"""End to end on PostgreSQL: the real bot, with ``[storage] url`` set, answers /fit against the emulator,
and the walkthrough's buttons still work after a restart (what they show was kept in PostgreSQL)."""

from __future__ import annotations

import asyncpg

from bot.config import StorageConfig
from tests.conftest import make_bot
from tests.drawn import drawn
from tests.emulator.fixtures import run_bot, running_emulator

LECTURE = {"dataset": "codecademy", "formula": "score ~ lesson + completed"}


async def test_the_bot_keeps_its_state_in_postgresql_across_a_restart(tmp_path, postgres_url):
    unused = tmp_path / "bot.sqlite3"
    storage = StorageConfig(database=str(unused), url=postgres_url)
    async with running_emulator() as emu:
        async with run_bot(make_bot(emu, unused, processes=1, storage=storage), emu, timeout=60):
            fit = await emu.slash("fit", LECTURE)
            await drawn(fit, timeout=60)
            message = fit.original
        async with run_bot(make_bot(emu, unused, processes=1, storage=storage), emu, timeout=60):
            buttons = {item.get("label"): item for row in message.components for item in row["components"]}
            press = await emu.press(message, buttons["Next ▶"]["custom_id"])
            await drawn(press, timeout=60)
            assert emu.messages.get(message.id).embeds[0]["title"] == "The model's shape"
        assert emu.violations == [], emu.violations
    assert not unused.exists()
    database = await asyncpg.connect(postgres_url)
    try:
        assert await database.fetchval("SELECT formula FROM pages") == LECTURE["formula"]
    finally:
        await database.close()
