"""``/fit``: fit a formula and page through the walkthrough."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.store import PagedContent
from cogs._options import bot_of, check_formula, dataset_autocomplete, dataset_for, formula_autocomplete
from cogs._pager import PageButton, PageSelect, load_view, message_for


class Fit(commands.Cog):
    """Fitting and the step-by-step walkthrough."""

    @app_commands.command(
        name="fit", description="Fit a regression and walk through what it means, step by step"
    )
    @app_commands.describe(
        dataset="A bundled dataset, e.g. codecademy",
        formula="response ~ predictors, e.g. score ~ lesson + completed",
        private="Only you see the answer (default: everyone in the channel)",
    )
    @app_commands.autocomplete(dataset=dataset_autocomplete, formula=formula_autocomplete)
    async def fit(
        self,
        interaction: discord.Interaction,
        dataset: app_commands.Range[str, 1, 100],
        formula: app_commands.Range[str, 1, 500],
        private: bool = False,
    ) -> None:
        data = dataset_for(interaction, dataset)
        formula = check_formula(data, formula)
        bot = bot_of(interaction)
        bot.engine.admit(interaction.user.id, "walkthrough_view", data.ref, formula, 0)
        await interaction.response.defer(ephemeral=private, thinking=True)
        content = PagedContent("wt", data.ref, formula)
        # a formula that cannot be fitted fails here, before it is stored
        view = await load_view(bot, content, 0, interaction.user.id)
        key = await bot.store.remember(content)
        await interaction.edit_original_response(**message_for(view, key, content, interaction.user.id))


async def setup(bot: commands.Bot) -> None:
    """Load the cog and register the persistent page buttons."""
    bot.add_dynamic_items(PageButton, PageSelect)
    await bot.add_cog(Fit())
