"""pytest helpers: the ``emulator`` fixture and :func:`run_bot`, which runs a real bot against it.

Wire them into ``tests/conftest.py`` with::

    from tests.emulator.fixtures import emulator, run_bot  # noqa: F401

then write tests as::

    async def test_fit(emulator: DiscordEmulator) -> None:
        async with run_bot(make_bot(), emulator):
            interaction = await emulator.slash("fit", {"dataset": "codecademy", "formula": "score ~ completed"})
            await interaction.wait_done()
        assert emulator.violations == []
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import discord
import pytest
from discord.gateway import DiscordWebSocket

from bot.discord_api import ApiGatewayMixin, use_api_base_url
from tests.emulator.emulator import DiscordEmulator

ClientT = TypeVar("ClientT", bound=discord.Client)


def shards_of(bot: discord.Client, emu: DiscordEmulator) -> list[int]:
    """The shard ids ``bot`` will connect: its ``shard_ids``, every shard of its count, or shard 0."""
    if not isinstance(bot, discord.AutoShardedClient):
        return [0]
    return list(bot.shard_ids or range(bot.shard_count or emu.recommended_shards))


@asynccontextmanager
async def running_emulator(**options: Any) -> AsyncIterator[DiscordEmulator]:
    """A started :class:`DiscordEmulator` (``options`` go to its constructor), stopped on exit."""
    emu = DiscordEmulator(**options)
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()


@pytest.fixture
async def emulator() -> AsyncIterator[DiscordEmulator]:
    """A fresh emulator with the default guild, channels and users."""
    async with running_emulator() as emu:
        yield emu


@asynccontextmanager
async def run_bot(
    bot: ClientT, emu: DiscordEmulator, *, timeout: float = 10.0, wait_until_ready: bool = False
) -> AsyncIterator[ClientT]:
    """Run ``bot`` against ``emu`` until the block ends, then close it cleanly.

    The bot's class must include :class:`bot.discord_api.ApiGatewayMixin`. Entering points
    discord.py at the emulator (restored on exit), starts ``bot.start(emu.token)`` as a task and
    waits until the bot identified every shard it runs (see :func:`shards_of`; ``setup_hook``, with
    its command syncs, has run by then). With ``wait_until_ready`` it also waits for discord.py's own
    ready (which lasts ``guild_ready_timeout``, 2 s by default, longer). A bot that crashes on the way
    re-raises its error here.
    """
    if not isinstance(bot, ApiGatewayMixin):
        raise TypeError(
            "the bot class must include bot.discord_api.ApiGatewayMixin to reach the emulator's gateway"
        )
    saved = discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    use_api_base_url(emu.api_base_url)
    task = asyncio.create_task(bot.start(emu.token), name="bot under test")
    try:
        ready = asyncio.ensure_future(emu.wait_ready(timeout, shards_of(bot, emu)))
        await asyncio.wait({ready, task}, return_when=asyncio.FIRST_COMPLETED)
        if not ready.done():
            ready.cancel()
            await task
            raise RuntimeError("the bot stopped before it identified")
        ready.result()
        if wait_until_ready:
            await asyncio.wait_for(bot.wait_until_ready(), timeout)
        yield bot
    finally:
        try:
            await bot.close()
            await asyncio.wait_for(task, timeout)
        finally:
            discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = saved
