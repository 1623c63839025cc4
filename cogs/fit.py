"""``/fit``: fit a formula and page through the walkthrough."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.regression.pages import PageView
from bot.store import PagedContent
from cogs._options import DatasetArg, FormulaArg
from cogs._pager import load_new, message_for, show_view, start_new

if TYPE_CHECKING:
    from bot.app import RegressionBot


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
    async def fit(
        self,
        interaction: discord.Interaction[RegressionBot],
        dataset: DatasetArg,
        formula: FormulaArg,
        private: bool = False,
    ) -> None:
        bot = interaction.client
        content = PagedContent("wt", dataset.ref, formula)
        draft = start_new(interaction, content)
        await interaction.response.defer(ephemeral=private, thinking=True)
        user = interaction.user.id
        # a formula that cannot be fitted fails here, when its draft is awaited
        view, theme, key = await load_new(interaction, content, draft)

        async def send(shown: PageView) -> None:
            await interaction.edit_original_response(**message_for(shown, key, content, user))

        await show_view(bot, user, content, view, send, theme)


async def setup(bot: commands.Bot) -> None:
    """Load the cog (its page buttons are registered by the bot, for every paged message)."""
    await bot.add_cog(Fit())
