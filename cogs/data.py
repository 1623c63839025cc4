"""``/datasets``, ``/describe`` and ``/plot``: exploring the data before fitting."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.regression.describe import dataset_list_markdown
from bot.regression.pages import Page, PageView
from bot.store import PagedContent
from cogs._options import DatasetArg, column_autocomplete, registry_for
from cogs._pager import load_new, message_for, show_view, start_new
from cogs._render import COLOUR, THEME, clip, file_for, theme_for, words_first

if TYPE_CHECKING:
    from bot.app import RegressionBot


class Data(commands.Cog):
    """Listing, describing and plotting datasets."""

    @app_commands.command(name="datasets", description="List the datasets you can fit models on")
    async def datasets(self, interaction: discord.Interaction[RegressionBot]) -> None:
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
    async def describe(self, interaction: discord.Interaction[RegressionBot], dataset: DatasetArg) -> None:
        bot = interaction.client
        content = PagedContent("ds", dataset.ref, "")
        draft = start_new(interaction, content)
        await interaction.response.defer(thinking=True)
        user = interaction.user.id
        view, theme, key = await load_new(interaction, content, draft)

        async def send(shown: PageView) -> None:
            await interaction.edit_original_response(**message_for(shown, key, content, user))

        await show_view(bot, user, content, view, send, theme)

    @app_commands.command(name="plot", description="Plot two columns: scatter, box plot or histogram")
    @app_commands.describe(
        dataset="The dataset to plot",
        x="Column on the horizontal axis (categorical for a box plot)",
        y="Numeric column on the vertical axis",
        color="Colour the points by this column",
        kind="scatter (two numbers), box (groups), histogram (y by x's groups); default picks for you",
    )
    @app_commands.autocomplete(x=column_autocomplete, y=column_autocomplete, color=column_autocomplete)
    async def plot(
        self,
        interaction: discord.Interaction[RegressionBot],
        dataset: DatasetArg,
        x: app_commands.Range[str, 1, 100],
        y: app_commands.Range[str, 1, 100],
        color: app_commands.Range[str, 1, 100] | None = None,
        kind: Literal["scatter", "box", "histogram"] | None = None,
    ) -> None:
        bot = interaction.client
        user = interaction.user.id
        args = (dataset.ref, x, y, color, kind or "auto", THEME, False)  # a draft: the same in every theme
        drawing = bot.engine.submit("plot", *args, user=user)
        await interaction.response.defer(thinking=True)
        draft, theme = await asyncio.gather(drawing, theme_for(interaction))

        async def show(pages: tuple[Page, ...]) -> None:
            (page,) = pages
            embed = discord.Embed(title=clip(page.step.title, 256), colour=COLOUR)
            file = file_for(page.figure)
            if page.figure is not None:
                embed.set_image(url=f"attachment://{page.figure.filename}")
                embed.set_footer(text=clip(page.figure.alt_text, 2048))
            await interaction.edit_original_response(embed=embed, attachments=[file] if file else [])

        await words_first(bot, user, dataset.ref, (draft,), show, theme)


async def setup(bot: commands.Bot) -> None:
    """Load the cog."""
    await bot.add_cog(Data())
