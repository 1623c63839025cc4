"""``/interpret``: a student writes what one coefficient means and gets it checked against the fitted model.

The answer is private: a checklist (number, direction, unit, names, holding fixed or at which values,
baseline, intercept, causal wording), with **Show a model answer** and **Why?** buttons. Their custom_ids
are ``ip:<key>:<term>:<a|w>``: the key names the dataset and formula in the store and ``term`` is the
coefficient's position, so a press after a restart still knows what to show.
"""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.regression.errors import UserInputError
from bot.regression.steps import Step
from bot.store import PagedContent
from cogs._items import ReportedItem
from cogs._options import MAX_CHOICES, DatasetArg, FormulaArg, registry_for
from cogs._render import COLOUR, clip

if TYPE_CHECKING:
    from bot.app import RegressionBot

#: How long autocomplete waits for the model's terms before offering none (Discord allows 3 s).
TERMS_WAIT = 2.0


def _embed(step: Step, footer: str) -> discord.Embed:
    """A private answer's embed."""
    embed = discord.Embed(title=clip(step.title, 256), description=clip(step.body, 4096), colour=COLOUR)
    embed.set_footer(text=clip(footer, 2048))
    return embed


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
    try:
        terms = await asyncio.wait_for(
            interaction.client.engine.call("model_terms", registry.get(name).ref, formula), TERMS_WAIT
        )
    except Exception:  # a formula that does not fit yet, a busy engine: no suggestions, never an error
        return []
    wanted = current.strip().lower()
    return [app_commands.Choice(name=t[:100], value=t[:100]) for t in terms if wanted in t.lower()][
        :MAX_CHOICES
    ]


class HelpButton(
    ReportedItem[discord.ui.Button[Any]],
    template=r"ip:(?P<key>[0-9a-f]{16}):(?P<term>\d{1,3}):(?P<what>[aw])",
):
    """**Show a model answer** (``a``) or **Why?** (``w``), answered privately to whoever presses."""

    def __init__(self, key: str, term: int, what: str) -> None:
        super().__init__(
            discord.ui.Button(
                label="Show a model answer" if what == "a" else "Why?",
                style=discord.ButtonStyle.secondary,
                custom_id=f"ip:{key}:{term}:{what}",
            )
        )
        self.key, self.term, self.what = key, term, what

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[RegressionBot],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> HelpButton:
        return cls(match["key"], int(match["term"]), match["what"])

    async def respond(self, interaction: discord.Interaction[RegressionBot]) -> None:
        bot = interaction.client
        content = await bot.store.recall(self.key)
        if content is None:
            raise UserInputError("This check is no longer available; run /interpret again.")
        user = interaction.user.id
        args = (content.dataset, content.formula, self.term, "answer" if self.what == "a" else "why")
        bot.engine.admit(user, "interpretation_help", *args)
        await interaction.response.defer(ephemeral=True, thinking=True)
        step = await bot.engine.call("interpretation_help", *args, user=user)
        await interaction.followup.send(embed=_embed(step, content.formula), ephemeral=True)


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
        bot = interaction.client
        user = interaction.user.id
        args = (dataset.ref, formula, term, sentence)
        bot.engine.admit(user, "interpretation", *args)
        await interaction.response.defer(ephemeral=True, thinking=True)
        step, index = await bot.engine.call("interpretation", *args, user=user)
        key = await bot.store.remember(PagedContent("wt", dataset.ref, formula))
        view = discord.ui.View(timeout=None)
        view.add_item(HelpButton(key, index, "a"))
        view.add_item(HelpButton(key, index, "w"))
        await interaction.edit_original_response(embed=_embed(step, f"{dataset.name} · {formula}"), view=view)


async def setup(bot: commands.Bot) -> None:
    """Load the cog and its persistent buttons."""
    bot.add_dynamic_items(HelpButton)
    await bot.add_cog(Interpret())
