"""End to end on PostgreSQL: the real bot, with ``[storage] url`` set, answers /fit against the emulator,
the walkthrough's buttons still work after a restart (what they show was kept in PostgreSQL), and an
instructor's upload is used by a fit after the restart (the workers read it from PostgreSQL)."""

from __future__ import annotations

import asyncpg

from bot.config import StorageConfig
from tests.conftest import make_bot
from tests.drawn import drawn
from tests.emulator.fixtures import run_bot, running_emulator
from tests.emulator.models import ADMINISTRATOR, MEMBER_PERMISSIONS, UserSpec

LECTURE = {"dataset": "codecademy", "formula": "score ~ lesson + completed"}
USERS = (UserSpec("instructor", "The Instructor", permissions=MEMBER_PERMISSIONS | ADMINISTRATOR),)
GRADES = b"hours,grade,section\n1,52,north\n2,55,south\n3,61,north\n4,64,south\n5,70,north\n6,71,south\n7,79,north\n"


async def test_the_bot_keeps_its_state_in_postgresql_across_a_restart(tmp_path, postgres_url):
    unused = tmp_path / "bot.sqlite3"
    storage = StorageConfig(database=str(unused), url=postgres_url)
    async with running_emulator(users=USERS) as emu:
        instructor = emu.user("instructor")
        async with run_bot(make_bot(emu, unused, processes=1, storage=storage), emu, timeout=60):
            fit = await emu.slash("fit", LECTURE)
            await drawn(fit, timeout=60)
            message = fit.original
            stored = await emu.slash(
                "dataset upload",
                {"file": emu.upload("grades.csv", GRADES, "text/csv"), "name": "grades"},
                user=instructor,
            )
            await drawn(stored, timeout=60)
            assert "Stored `grades`" in stored.original.content + str(stored.original.embeds)
        async with run_bot(make_bot(emu, unused, processes=1, storage=storage), emu, timeout=60):
            buttons = {item.get("label"): item for row in message.components for item in row["components"]}
            press = await emu.press(message, buttons["Next ▶"]["custom_id"])
            await drawn(press, timeout=60)
            assert emu.messages.get(message.id).embeds[0]["title"] == "The model's shape"
            uploaded = await emu.slash("fit", {"dataset": "grades", "formula": "grade ~ hours + section"})
            await drawn(uploaded, timeout=60)
            assert uploaded.original.embeds[0]["footer"]["text"].startswith("Step 1/")
            assert "grades · grade ~ hours + section" in uploaded.original.embeds[0]["footer"]["text"]
        assert emu.violations == [], emu.violations
    assert not unused.exists()
    database = await asyncpg.connect(postgres_url)
    try:
        assert await database.fetchval("SELECT formula FROM pages") == LECTURE["formula"]
    finally:
        await database.close()
