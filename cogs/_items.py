"""The base of the bot's persistent buttons and menus: every press is answered, whatever goes wrong.

discord.py runs a ``DynamicItem``'s callback on its own (``ViewStore.schedule_dynamic_item_call``), outside
any ``View``: neither ``View.on_error`` nor the command tree's ``on_error`` sees what it raises, which is
only logged, and the user is left with "This interaction failed" or a "thinking…" that never ends. An item
built on ``ReportedItem`` implements ``respond``; its ``callback`` sends anything ``respond`` raises through
the same ``report_error`` as slash commands, before or after a defer. Refusals are raised too
(``app_commands.CheckFailure`` with the sentence to show), rather than left to ``interaction_check``,
whose exceptions discord.py swallows without an answer.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Self, TypeVar

import discord

from bot.replies import report_error

if TYPE_CHECKING:
    from bot.app import RegressionBot

ItemT = TypeVar("ItemT", bound=discord.ui.Item[Any], covariant=True)

# The base itself is never registered: its template matches no custom_id.
NO_CUSTOM_ID = r"(?!)"


class ReportedItem(discord.ui.DynamicItem[ItemT], template=NO_CUSTOM_ID):
    """A persistent component whose failures are answered privately, like a slash command's; subclasses
    rebuild themselves from their custom_id's ``match`` in ``from_match``."""

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[RegressionBot],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> Self:
        return cls.from_match(match)

    @classmethod
    def from_match(cls, match: re.Match[str]) -> Self:
        """The item a custom_id names (subclasses)."""
        raise NotImplementedError

    async def callback(self, interaction: discord.Interaction[RegressionBot]) -> None:
        """Run ``respond``; whatever it raises becomes a private answer (after a defer too)."""
        try:
            await self.respond(interaction)
        except Exception as error:
            await report_error(interaction, error)

    async def respond(self, interaction: discord.Interaction[RegressionBot]) -> None:
        """Answer a press (subclasses): raise to refuse or fail, the reply is taken care of."""
        raise NotImplementedError
