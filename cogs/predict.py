"""``/predict`` and ``/compare``: using and comparing fitted models."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.regression.pages import Page
from cogs._options import DatasetArg, FormulaArg
from cogs._render import COLOUR, THEME, clip, embed_for, file_for, fit_total, theme_for, words_first

if TYPE_CHECKING:
    from bot.app import RegressionBot


class Predict(commands.Cog):
    """Predictions with the arithmetic shown, and model comparisons."""

    @app_commands.command(name="predict", description="Predict from a model, with the arithmetic shown")
    @app_commands.describe(
        dataset="The dataset the model is fitted on",
        formula="The model, e.g. score ~ lesson + completed",
        values="A value for every predictor, e.g. completed=35 lesson=Lesson A",
    )
    async def predict(
        self,
        interaction: discord.Interaction[RegressionBot],
        dataset: DatasetArg,
        formula: FormulaArg,
        values: app_commands.Range[str, 1, 500],
    ) -> None:
        engine = interaction.client.engine
        args = (dataset.ref, formula, values)
        prediction = engine.submit("prediction", *args, user=interaction.user.id)
        await interaction.response.defer(thinking=True)
        step = await prediction
        embed = discord.Embed(title=clip(step.title, 256), description=clip(step.body, 4096), colour=COLOUR)
        embed.set_footer(text=clip(f"{dataset.name} · {formula}", 2048))
        await interaction.edit_original_response(embed=embed)

    @app_commands.command(name="compare", description="Compare two models side by side and see what changed")
    @app_commands.describe(
        dataset="The dataset both models are fitted on",
        formula="The first model, e.g. score ~ completed",
        other="The second model, e.g. score ~ lesson + completed",
    )
    async def compare(
        self,
        interaction: discord.Interaction[RegressionBot],
        dataset: DatasetArg,
        formula: FormulaArg,
        other: FormulaArg,
    ) -> None:
        bot = interaction.client
        user = interaction.user.id
        args = (dataset.ref, formula, other, THEME, False)  # drafts: the same in every theme
        comparison = bot.engine.submit("compare_pages", *args, user=user)
        await interaction.response.defer(thinking=True)
        drafts, theme = await asyncio.gather(comparison, theme_for(interaction))

        async def show(pages: tuple[Page, ...]) -> None:
            embeds = [embed_for(page.step, page.figure) for page in pages]
            files = [f for f in (file_for(page.figure) for page in pages) if f is not None]
            await interaction.edit_original_response(embeds=fit_total(embeds), attachments=files)

        await words_first(bot, user, dataset.ref, drafts, show, theme)


async def setup(bot: commands.Bot) -> None:
    """Load the cog."""
    await bot.add_cog(Predict())
