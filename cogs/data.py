"""``/datasets``, ``/describe`` and ``/plot``: exploring the data before fitting."""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.regression.describe import dataset_list_markdown
from bot.store import PagedContent
from cogs._options import bot_of, column_autocomplete, dataset_autocomplete, dataset_for, registry_for
from cogs._pager import render_message
from cogs._render import COLOUR, clip, file_for


class Data(commands.Cog):
    """Listing, describing and plotting datasets."""

    @app_commands.command(name="datasets", description="List the datasets you can fit models on")
    async def datasets(self, interaction: discord.Interaction) -> None:
        registry = registry_for(interaction)
        embed = discord.Embed(
            title="Datasets", description=clip(dataset_list_markdown(registry.all()), 4096), colour=COLOUR
        )
        embed.set_footer(text="/describe dataset:<name> shows columns, summaries and formulas to try")
        await interaction.response.send_message(embed=embed)

    @app_commands.command(
        name="describe", description="Columns, types, units, summaries and example formulas"
    )
    @app_commands.describe(dataset="The dataset to describe")
    @app_commands.autocomplete(dataset=dataset_autocomplete)
    async def describe(
        self, interaction: discord.Interaction, dataset: app_commands.Range[str, 1, 100]
    ) -> None:
        data = dataset_for(interaction, dataset)
        bot_of(interaction).engine.admit(interaction.user.id, "describe_view", data.ref, 0)
        await interaction.response.defer(thinking=True)
        bot = bot_of(interaction)
        content = PagedContent("ds", data.ref, "")
        key = await bot.store.remember(content)
        await interaction.edit_original_response(
            **await render_message(bot, key, content, 0, interaction.user.id)
        )

    @app_commands.command(name="plot", description="Plot two columns: scatter, box plot or histogram")
    @app_commands.describe(
        dataset="The dataset to plot",
        x="Column on the horizontal axis (categorical for a box plot)",
        y="Numeric column on the vertical axis",
        color="Colour the points by this column",
        kind="scatter (two numbers), box (groups), histogram (y by x's groups); default picks for you",
    )
    @app_commands.autocomplete(
        dataset=dataset_autocomplete, x=column_autocomplete, y=column_autocomplete, color=column_autocomplete
    )
    async def plot(
        self,
        interaction: discord.Interaction,
        dataset: app_commands.Range[str, 1, 100],
        x: app_commands.Range[str, 1, 100],
        y: app_commands.Range[str, 1, 100],
        color: app_commands.Range[str, 1, 100] | None = None,
        kind: Literal["scatter", "box", "histogram"] | None = None,
    ) -> None:
        data = dataset_for(interaction, dataset)
        job = ("plot", data.ref, x, y, color, kind or "auto")
        bot_of(interaction).engine.admit(interaction.user.id, *job)
        await interaction.response.defer(thinking=True)
        figure = await bot_of(interaction).engine.call(*job, user=interaction.user.id)
        embed = discord.Embed(title=clip(f"{data.name}: {y} and {x}", 256), colour=COLOUR)
        embed.set_image(url=f"attachment://{figure.filename}")
        embed.set_footer(text=clip(figure.alt_text, 2048))
        await interaction.edit_original_response(embed=embed, attachments=[file_for(figure)])


async def setup(bot: commands.Bot) -> None:
    """Load the cog."""
    await bot.add_cog(Data())
