"""``/interpret``: a student writes what one coefficient means and gets it checked against the fitted model.

The answer is private: a checklist (number, direction, unit, names, holding fixed or at which values,
baseline, intercept, causal wording), with **Show a model answer** and **Why?** buttons. The same check
opens from the walkthrough's **Check my reading** button; both live in ``cogs._reading``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.replies import report_error
from cogs._options import MAX_CHOICES, DatasetArg, FormulaArg, registry_for
from cogs._reading import CheckButton, HelpButton, answer_modal, check_reading, model_terms

if TYPE_CHECKING:
    from bot.app import RegressionBot

#: How long autocomplete waits for the model's terms before offering none (Discord allows 3 s).
TERMS_WAIT = 2.0


async def term_autocomplete(
    interaction: discord.Interaction[RegressionBot], current: str
) -> list[app_commands.Choice[str]]:
    """The chosen model's coefficients (fitted by the engine, or none while it is busy)."""
    name = getattr(interaction.namespace, "dataset", None)
    formula = getattr(interaction.namespace, "formula", None)
    registry = registry_for(interaction)
    if (
        not isinstance(name, str)
        or name not in registry
        or not isinstance(formula, str)
        or not formula.strip()
    ):
        return []
    terms = await model_terms(interaction.client, registry.get(name).ref, formula, TERMS_WAIT)
    wanted = current.strip().lower()
    return [app_commands.Choice(name=t[:100], value=t[:100]) for t in terms if wanted in t.lower()][
        :MAX_CHOICES
    ]


class Interpret(commands.Cog):
    """Checking a student's own reading of a coefficient."""

    @app_commands.command(name="interpret", description="Write what a coefficient means and get it checked")
    @app_commands.describe(
        dataset="The dataset the model is fitted on",
        formula="The model, e.g. score ~ lesson + completed",
        term="The coefficient your sentence is about, e.g. completed",
        sentence="Your interpretation, e.g. One more completed item goes with a 1.35-point higher score …",
    )
    @app_commands.autocomplete(term=term_autocomplete)
    async def interpret(
        self,
        interaction: discord.Interaction[RegressionBot],
        dataset: DatasetArg,
        formula: FormulaArg,
        term: app_commands.Range[str, 1, 100],
        sentence: app_commands.Range[str, 1, 1000],
    ) -> None:
        await check_reading(interaction, dataset.ref, formula, term, sentence)

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction[RegressionBot]) -> None:
        """Answer a submitted "Check my reading" form (see ``cogs._reading``)."""
        try:
            await answer_modal(interaction)
        except Exception as error:
            await report_error(interaction, error)


async def setup(bot: commands.Bot) -> None:
    """Load the cog and its persistent buttons."""
    bot.add_dynamic_items(HelpButton, CheckButton)
    await bot.add_cog(Interpret())
