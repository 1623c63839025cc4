"""``/settings``: a user's figure theme, and (for instructors) their server's default."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from cogs._instructors import is_instructor, who_can
from cogs._render import COLOUR, THEME

if TYPE_CHECKING:
    from bot.app import RegressionBot

#: What "default" means in the theme option: no choice of one's own (the server's default applies).
FOLLOW = "default"


def _summary(own: str | None, server: str | None, in_server: bool) -> str:
    """Which theme this user's figures use, and why."""
    used = own or server or THEME
    why = "your choice" if own else ("this server's default" if server else "the bot's default")
    lines = [f"Your figures are drawn **{used}** ({why})."]
    if in_server:
        lines.append(f"This server's default: **{server or THEME}**" + ("" if server else " (not set)") + ".")
    return "\n".join(lines)


class Settings(commands.Cog):
    """Per-user settings, with server defaults set by instructors."""

    @app_commands.command(
        name="settings", description="Choose light or dark figures (instructors: the server's)"
    )
    @app_commands.describe(
        theme="light or dark figures; default follows the server's choice",
        for_server="Instructors: make this the server's default instead of your own choice",
    )
    async def settings(
        self,
        interaction: discord.Interaction[RegressionBot],
        theme: Literal["light", "dark", "default"] | None = None,
        for_server: bool = False,
    ) -> None:
        store = interaction.client.store
        guild = interaction.guild.id if interaction.guild is not None else None
        note = ""
        if for_server:
            if guild is None:
                note = "⚠️ There is no server here: a server's default is set in the server.\n"
            elif not is_instructor(interaction):
                note = f"⚠️ Only instructors set the server's default: {who_can(interaction)}.\n"
            elif theme is not None:
                await store.set_setting("guild", guild, "theme", None if theme == FOLLOW else theme)
                note = "The server's default is saved.\n"
        elif theme is not None:
            await store.set_setting("user", interaction.user.id, "theme", None if theme == FOLLOW else theme)
            note = "Saved.\n"
        own, server = await store.settings_for(interaction.user.id, guild, "theme")
        embed = discord.Embed(
            title="Settings", description=note + _summary(own, server, guild is not None), colour=COLOUR
        )
        embed.set_footer(text="Discord's dark theme suits dark figures; the change applies to new answers.")
        await interaction.response.send_message(embed=embed, ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    """Load the cog."""
    await bot.add_cog(Settings())
