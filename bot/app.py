"""The Discord bot: a ``commands.Bot`` that loads the cogs, owns the worker pool and the store, and syncs.

Start-up order (``setup_hook``): open the store, start the workers (they warm up in the background while
the bot connects; early jobs wait for them), load every cog in ``cogs/`` (each registers its own persistent
buttons), register the page buttons that several cogs' messages carry,
and sync the command tree to the dev guild if one is set and this process holds shard 0 (so that, of
several processes sharing the shards, one syncs). Unless ``[workers] draw_ahead`` is off, the
example formulas' first pages are then drawn in the background (``cogs._pager.draw_ahead``).
A global sync happens only on ``python -m bot sync``.

With ``[discord] shard_count`` set, :func:`create_bot` builds a :class:`ShardedRegressionBot`, which
runs the shards ``shard_ids`` (all of them when empty) over discord.py's ``AutoShardedBot``.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import pkgutil
from pathlib import Path
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

import cogs
from bot.config import Config, DiscordConfig, WorkerConfig
from bot.discord_api import ApiGatewayMixin, use_api_base_url
from bot.engine import Engine, Runner
from bot.regression.datasets import DatasetRegistry
from bot.regression.uploads import UploadLimits
from bot.replies import report_error
from bot.server_datasets import ServerDatasets
from bot.store import Store
from cogs._pager import PageButton, PageSelect, draw_ahead

log = logging.getLogger(__name__)


class ErrorTree(app_commands.CommandTree["RegressionBot"]):
    """Turns every error into an ephemeral answer (specific for user mistakes, an apology with an id else)."""

    async def on_error(
        self, interaction: discord.Interaction[RegressionBot], error: app_commands.AppCommandError
    ) -> None:
        await report_error(interaction, error)


def _runner(workers: WorkerConfig) -> Runner | None:
    """Where the engine's jobs run: Celery workers for ``backend = "celery"``, else the engine's own pool."""
    if workers.backend != "celery":
        return None
    from bot.celery_worker import CeleryRunner

    return CeleryRunner(workers.broker, workers.processes)


class RegressionBot(ApiGatewayMixin, commands.Bot):
    """The bot: cogs over the engine, with a worker pool and a store."""

    def __init__(
        self,
        config: Config,
        registry: DatasetRegistry | None = None,
        start_workers: bool = True,
        open_store: bool = True,
    ) -> None:
        """``start_workers=False``: no engine workers; ``open_store=False``: no store and no uploads (for
        ``python -m bot sync``, which only publishes the command tree)."""
        intents = discord.Intents.none()
        intents.guilds = True
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            tree_cls=ErrorTree,
            help_command=None,
            allowed_mentions=discord.AllowedMentions(everyone=False, roles=False, users=True),
            **self.shard_options(config.discord),
        )
        use_api_base_url(config.discord.api_base_url)
        self.config = config
        self.registry = registry or DatasetRegistry.bundled()
        self.engine = Engine(
            config.workers.processes,
            config.workers.job_timeout,
            config.workers.cache_size,
            database=config.storage.url or str(Path(config.storage.database).resolve()),
            max_queue=config.workers.max_queue,
            jobs_per_user=config.workers.jobs_per_user,
            runner=_runner(config.workers),
        )
        self.store = Store(config.storage.url or config.storage.database)
        uploads = config.uploads
        self.datasets = ServerDatasets(
            self.store,
            self.registry,
            UploadLimits(
                max_bytes=int(uploads.max_megabytes * 1_000_000),
                max_rows=uploads.max_rows,
                max_columns=uploads.max_columns,
            ),
        )
        self.start_workers = start_workers
        self.open_store = open_store
        self.ahead: asyncio.Task[int] | None = None
        self._closing: asyncio.Future[None] | None = None

    @staticmethod
    def shard_options(config: DiscordConfig) -> dict[str, Any]:
        """discord.py client options for the shards: none, one connection carries every guild."""
        return {}

    async def setup_hook(self) -> None:
        if self.open_store:
            await self.store.open()
            await self.datasets.load()
        if self.start_workers:
            await self.engine.start(wait=False)
            if self.config.workers.draw_ahead:
                self.ahead = asyncio.create_task(draw_ahead(self), name="draw ahead")
        for module in pkgutil.iter_modules(cogs.__path__):
            if not module.name.startswith("_"):
                await self.load_extension(f"cogs.{module.name}")
        self.add_dynamic_items(PageButton, PageSelect)
        gc.freeze()  # what start-up made lives as long as the bot: full collections skip it (see close)
        guild_id = self.config.discord.dev_guild_id
        if guild_id and self.config.discord.holds_shard_zero:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d commands to the dev guild %s", len(synced), guild_id)

    async def close(self) -> None:
        """Disconnect, stop the workers and close the store; safe to call more than once, concurrently."""
        if self._closing is None:
            self._closing = asyncio.ensure_future(self._shut_down())
        await asyncio.shield(self._closing)

    async def _shut_down(self) -> None:
        """The shutdown steps, in order."""
        await super().close()
        if self.ahead is not None:
            self.ahead.cancel()
        await self.engine.close()
        await self.store.close()
        gc.unfreeze()  # a process that starts another bot (the tests do) can collect this one


class ShardedRegressionBot(RegressionBot, commands.AutoShardedBot):
    """The bot over discord.py's ``AutoShardedBot``: the shards ``[discord] shard_ids`` of ``shard_count``.

    ``commands.Bot`` adds nothing to ``BotBase`` and ``discord.Client``, so with ``AutoShardedBot`` after
    it in the method order the connection, the shards and ``close`` are ``AutoShardedClient``'s.
    """

    @staticmethod
    def shard_options(config: DiscordConfig) -> dict[str, Any]:
        """``shard_count`` and, when set, ``shard_ids`` (else discord.py runs every shard)."""
        return {"shard_count": config.shard_count, "shard_ids": list(config.shard_ids) or None}


def create_bot(
    config: Config,
    registry: DatasetRegistry | None = None,
    start_workers: bool = True,
    open_store: bool = True,
) -> RegressionBot:
    """A :class:`ShardedRegressionBot` when ``[discord] shard_count`` is set, else a :class:`RegressionBot`."""
    cls = RegressionBot if config.discord.shard_count is None else ShardedRegressionBot
    return cls(config, registry, start_workers, open_store)
