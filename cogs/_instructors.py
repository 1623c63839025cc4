"""Who may run instructor commands: Manage Server, or a role named in the config."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import discord
from discord import app_commands

if TYPE_CHECKING:
    from bot.app import RegressionBot

T = TypeVar("T")


def is_instructor(interaction: discord.Interaction[RegressionBot]) -> bool:
    """Members with Manage Server, or with one of the configured instructor roles."""
    if interaction.guild is None or not isinstance(interaction.user, discord.Member):
        return False
    if interaction.permissions.manage_guild or interaction.permissions.administrator:
        return True
    allowed = set(interaction.client.config.instructors.role_ids)
    return any(role.id in allowed for role in interaction.user.roles)


def who_can(interaction: discord.Interaction[RegressionBot]) -> str:
    """Says who may do this here, for polite refusals."""
    roles = interaction.client.config.instructors.role_ids
    listed = " or ".join(f"<@&{r}>" for r in roles)
    return "members with the Manage Server permission" + (f" or the {listed} role" if listed else "")


def instructors_only() -> Callable[[T], T]:
    """A check that refuses everyone but instructors with a polite, specific message."""

    def predicate(interaction: discord.Interaction[RegressionBot]) -> bool:
        if interaction.guild is None:
            raise app_commands.CheckFailure("This works in a server, not in direct messages.")
        if not is_instructor(interaction):
            raise app_commands.CheckFailure(f"Sorry, only instructors can do that: {who_can(interaction)}.")
        return True

    return app_commands.check(predicate)
