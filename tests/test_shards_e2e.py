"""End to end: the bot split over two processes, one per shard, against one emulator.

Both "processes" run in this event loop and share the SQLite store, as two ``python -m bot --shard-count 2
--shard-ids N`` would share a database. Each guild's commands reach only the process holding its shard,
a DM reaches shard 0, every command is answered once, and only shard 0's process syncs the dev guild.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import discord

from bot.app import RegressionBot, ShardedRegressionBot, create_bot
from bot.config import Config, DiscordConfig, StorageConfig, WorkerConfig
from tests.emulator import DiscordEmulator, GuildSpec
from tests.emulator.fixtures import run_bot, running_emulator

# The emulator puts the i-th guild on shard i % shard_count: these are on shards 0, 1 and 0 of 2.
GUILDS = (GuildSpec("Zero"), GuildSpec("One"), GuildSpec("Zero again"))


def shard_process(emu: DiscordEmulator, database: Path, shard: int) -> RegressionBot:
    """The production bot for shard ``shard`` of 2, built from its configuration as ``python -m bot`` does."""
    config = Config(
        discord=DiscordConfig(
            token=emu.token,
            api_base_url=emu.api_base_url,
            dev_guild_id=emu.guild.id,
            shard_count=2,
            shard_ids=(shard,),
        ),
        workers=WorkerConfig(processes=1, draw_ahead=False),
        storage=StorageConfig(database=str(database)),
    )
    return create_bot(config, start_workers=False)  # /help needs no engine


def recorder(received: list[int]) -> Callable[[discord.Interaction], Coroutine[Any, Any, None]]:
    """An ``on_interaction`` listener that notes each interaction's id in ``received``."""

    async def on_interaction(interaction: discord.Interaction) -> None:
        received.append(interaction.id)

    return on_interaction


async def test_each_process_answers_the_guilds_of_its_shard_once(tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    received: dict[int, list[int]] = {0: [], 1: []}
    async with (
        running_emulator(guilds=GUILDS) as emu,
        run_bot(shard_process(emu, database, 0), emu, timeout=60) as zero,
        run_bot(shard_process(emu, database, 1), emu, timeout=60) as one,
    ):
        assert isinstance(zero, ShardedRegressionBot) and isinstance(one, ShardedRegressionBot)
        assert sorted(identify["shard"] for identify in emu.gateway.identifies) == [[0, 2], [1, 2]]
        assert emu.commands.syncs == [emu.guild.id]  # the dev guild, by shard 0's process alone
        await zero.tree.sync()  # global commands, as `python -m bot sync` publishes them, for the others
        zero.add_listener(recorder(received[0]), "on_interaction")
        one.add_listener(recorder(received[1]), "on_interaction")
        asked = [await emu.slash("help", guild=guild) for guild in emu.guilds]
        asked.append(await emu.slash("help", dm=True))
        for interaction in asked:
            await interaction.wait_done(timeout=10)
        ids = [interaction.id for interaction in asked]
        assert received == {0: [ids[0], ids[2], ids[3]], 1: [ids[1]]}
        for interaction in asked:
            assert len(interaction.callbacks) == 1
            assert interaction.original is not None and interaction.original.ephemeral
            assert interaction.original.embeds[0]["title"] == "Regression office hours"
        assert {g.id for g in zero.guilds} == {emu.guilds[0].id, emu.guilds[2].id}
        assert {g.id for g in one.guilds} == {emu.guilds[1].id}
    assert emu.violations == []
