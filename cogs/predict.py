"""``/predict`` and ``/compare``: using and comparing fitted models."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from cogs._options import bot_of, check_formula, dataset_autocomplete, dataset_for, formula_autocomplete
from cogs._render import COLOUR, clip, embed_for, file_for, fit_total


class Predict(commands.Cog):
    """Predictions with the arithmetic shown, and model comparisons."""

    @app_commands.command(name="predict", description="Predict from a model, with the arithmetic shown")
    @app_commands.describe(
        dataset="The dataset the model is fitted on",
        formula="The model, e.g. score ~ lesson + completed",
        values="A value for every predictor, e.g. completed=35 lesson=Lesson A",
    )
    @app_commands.autocomplete(dataset=dataset_autocomplete, formula=formula_autocomplete)
    async def predict(
        self,
        interaction: discord.Interaction,
        dataset: app_commands.Range[str, 1, 100],
        formula: app_commands.Range[str, 1, 500],
        values: app_commands.Range[str, 1, 500],
    ) -> None:
        data = dataset_for(interaction, dataset)
        formula = check_formula(data, formula)
        job = ("prediction", data.ref, formula, values)
        bot_of(interaction).engine.admit(interaction.user.id, *job)
        await interaction.response.defer(thinking=True)
        step = await bot_of(interaction).engine.call(*job, user=interaction.user.id)
        embed = discord.Embed(title=clip(step.title, 256), description=clip(step.body, 4096), colour=COLOUR)
        embed.set_footer(text=clip(f"{data.name} · {formula}", 2048))
        await interaction.edit_original_response(embed=embed)

    @app_commands.command(name="compare", description="Compare two models side by side and see what changed")
    @app_commands.describe(
        dataset="The dataset both models are fitted on",
        formula="The first model, e.g. score ~ completed",
        other="The second model, e.g. score ~ lesson + completed",
    )
    @app_commands.autocomplete(
        dataset=dataset_autocomplete, formula=formula_autocomplete, other=formula_autocomplete
    )
    async def compare(
        self,
        interaction: discord.Interaction,
        dataset: app_commands.Range[str, 1, 100],
        formula: app_commands.Range[str, 1, 500],
        other: app_commands.Range[str, 1, 500],
    ) -> None:
        data = dataset_for(interaction, dataset)
        formula = check_formula(data, formula)
        other = check_formula(data, other)
        job = ("compare_pages", data.ref, formula, other)
        bot_of(interaction).engine.admit(interaction.user.id, *job)
        await interaction.response.defer(thinking=True)
        pages = await bot_of(interaction).engine.call(*job, user=interaction.user.id)
        embeds = [embed_for(page.step, page.figure) for page in pages]
        files = [f for f in (file_for(page.figure) for page in pages) if f is not None]
        await interaction.edit_original_response(embeds=fit_total(embeds), attachments=files)


async def setup(bot: commands.Bot) -> None:
    """Load the cog."""
    await bot.add_cog(Predict())
