"""The Discord bot: a ``commands.Bot`` that loads the cogs, owns the worker pool and the store, and syncs.

Start-up order (``setup_hook``): open the store, start and warm the workers, load every cog in ``cogs/``,
register the persistent (dynamic) buttons, and sync the command tree to the dev guild if one is set.
A global sync happens only on ``python -m bot sync``.
"""

from __future__ import annotations

import asyncio
import logging
import pkgutil
import traceback
import uuid
from pathlib import Path

import discord
from discord import app_commands
from discord.ext import commands

import cogs
from bot.config import Config
from bot.discord_api import ApiGatewayMixin, use_api_base_url
from bot.engine import Engine, EngineBusy, EngineTimeout, EngineUnavailable, UserBusy
from bot.regression.datasets import DatasetRegistry
from bot.regression.errors import UserInputError
from bot.regression.uploads import UploadLimits
from bot.server_datasets import ServerDatasets
from bot.store import Store

log = logging.getLogger(__name__)


class ErrorTree(app_commands.CommandTree):
    """Turns every error into an ephemeral answer (specific for user mistakes, an apology with an id else)."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        await report_error(interaction, error)


async def report_error(interaction: discord.Interaction, error: BaseException) -> None:
    """Answer ``interaction`` with what went wrong (ephemeral), logging unexpected errors with an id."""
    original = error
    while isinstance(original, app_commands.CommandInvokeError | app_commands.TransformerError) and (
        original.__cause__ is not None or getattr(original, "original", None) is not None
    ):
        original = getattr(original, "original", None) or original.__cause__  # type: ignore[assignment]
    if isinstance(original, UserInputError):
        text = original.render()
        if "\n" in text and isinstance(original.message, str):
            head, _, rest = text.partition("\n")
            text = f"{head}\n```\n{rest}\n```" if "^" in rest else text
    elif isinstance(original, EngineTimeout):
        text = "⏱️ That took too long and was stopped. Try a smaller model (fewer terms or levels)."
    elif isinstance(original, EngineUnavailable):
        text = "The worker doing this stopped unexpectedly and was restarted. Please try again."
    elif isinstance(original, UserBusy):
        text = (
            f"You already have {original.jobs} requests being worked on: wait for them to finish "
            f"(about {max(1, round(original.retry_after))} s), then try again."
        )
    elif isinstance(original, EngineBusy):
        text = f"The bot is busy right now: try again in {max(1, round(original.retry_after))} s."
    elif isinstance(original, app_commands.CheckFailure):
        text = str(original) or "You can't use this command here."
    else:
        error_id = uuid.uuid4().hex[:8]
        log.error(
            "error %s in %s: %s",
            error_id,
            interaction.command.qualified_name if interaction.command else interaction.data,
            "".join(traceback.format_exception(original)),
        )
        text = f"Sorry, something went wrong on my side (error id `{error_id}`). The team can look it up in the log."
    await send_ephemeral(interaction, text[:1990])


async def send_ephemeral(interaction: discord.Interaction, text: str) -> None:
    """Send ``text`` privately, as the response or as a follow-up, whichever is still possible.

    After a deferred "thinking" response the first follow-up would fill the (possibly public) placeholder,
    so the placeholder is deleted first and the message sent as a new private follow-up.
    """
    try:
        if not interaction.response.is_done():
            await interaction.response.send_message(text, ephemeral=True)
            return
        if interaction.response.type == discord.InteractionResponseType.deferred_channel_message:
            await interaction.delete_original_response()
        await interaction.followup.send(text, ephemeral=True)
    except discord.HTTPException:
        log.exception("could not report an error to the user")


class RegressionBot(ApiGatewayMixin, commands.Bot):
    """The bot: cogs over the engine, with a worker pool and a store."""

    def __init__(
        self, config: Config, registry: DatasetRegistry | None = None, start_workers: bool = True
    ) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            tree_cls=ErrorTree,
            help_command=None,
            allowed_mentions=discord.AllowedMentions(everyone=False, roles=False, users=True),
        )
        use_api_base_url(config.discord.api_base_url)
        self.config = config
        self.registry = registry or DatasetRegistry.bundled()
        self.engine = Engine(
            config.workers.processes,
            config.workers.job_timeout,
            config.workers.cache_size,
            database=str(Path(config.storage.database).resolve()),
            max_queue=config.workers.max_queue,
            jobs_per_user=config.workers.jobs_per_user,
        )
        self.store = Store(config.storage.database)
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
        self._closing: asyncio.Future[None] | None = None

    async def setup_hook(self) -> None:
        await self.store.open()
        await self.datasets.load()
        if self.start_workers:
            await self.engine.start()
        for module in pkgutil.iter_modules(cogs.__path__):
            if not module.name.startswith("_"):
                await self.load_extension(f"cogs.{module.name}")
        guild_id = self.config.discord.dev_guild_id
        if guild_id:
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
        await self.engine.close()
        await self.store.close()
