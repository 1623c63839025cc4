"""What a user is told when a command or a press fails: one reporter for every kind of interaction.

Slash commands reach it through the command tree's ``on_error``, persistent buttons and menus through
``cogs._items.ReportedItem``. Known errors get a specific private answer; anything else is logged with
an 8-hex error id that the answer quotes.
"""

from __future__ import annotations

import contextlib
import logging
import traceback
import uuid

import discord
from discord import app_commands

from bot.engine import EngineBusy, EngineTimeout, EngineUnavailable, UserBusy
from bot.regression.errors import UserInputError

log = logging.getLogger(__name__)


def _unwrapped(error: BaseException) -> BaseException:
    """The error behind discord.py's wrappers (a command's own exception, a transformer's)."""
    while isinstance(error, app_commands.CommandInvokeError | app_commands.TransformerError):
        inner = getattr(error, "original", None) or error.__cause__
        if inner is None:
            break
        error = inner
    return error


def _what(interaction: discord.Interaction) -> str:
    """The command or component an interaction came from, for the log."""
    if interaction.command is not None:
        return f"/{interaction.command.qualified_name}"
    custom_id = (interaction.data or {}).get("custom_id")
    return f"component {custom_id}" if custom_id else f"interaction {interaction.id}"


async def report_error(interaction: discord.Interaction, error: BaseException) -> None:
    """Answer ``interaction`` with what went wrong (ephemeral), logging unexpected errors with an id."""
    original = _unwrapped(error)
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
        requests = "request" if original.jobs == 1 else "requests"
        text = (
            f"You already have {original.jobs} {requests} being worked on: wait for them to finish "
            f"(about {max(1, round(original.retry_after))} s), then try again."
        )
    elif isinstance(original, EngineBusy):
        text = f"The bot is busy right now: try again in {max(1, round(original.retry_after))} s."
    elif isinstance(original, app_commands.CheckFailure):
        text = str(original) or "You can't use this command here."
    else:
        error_id = uuid.uuid4().hex[:8]
        log.error(
            "error %s in %s: %s", error_id, _what(interaction), "".join(traceback.format_exception(original))
        )
        text = f"Sorry, something went wrong on my side (error id `{error_id}`). The team can look it up in the log."
    await send_ephemeral(interaction, text[:1990])


async def send_ephemeral(interaction: discord.Interaction, text: str) -> None:
    """Send ``text`` privately, as the response or as a follow-up, whichever is still possible.

    After a deferred "thinking" response the first follow-up would fill the (possibly public) placeholder,
    so the placeholder is deleted first and the message sent as a new private follow-up. After a deferred
    component update (no placeholder) the follow-up is a new private message; the pressed message stays.
    """
    try:
        if not interaction.response.is_done():
            await interaction.response.send_message(text, ephemeral=True)
            return
        if interaction.response.type == discord.InteractionResponseType.deferred_channel_message:
            with contextlib.suppress(discord.NotFound):
                await interaction.delete_original_response()
        await interaction.followup.send(text, ephemeral=True)
    except discord.HTTPException:
        log.exception("could not report an error to the user")
