"""``/explain`` (the glossary) and ``/help``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.regression.glossary import lookup, search
from cogs._render import COLOUR, clip

if TYPE_CHECKING:
    from bot.app import RegressionBot

HELP = (
    (
        "/fit",
        "Fit a model and page through the explanation.",
        "/fit dataset:codecademy formula:score ~ lesson + completed",
    ),
    (
        "/predict",
        "A prediction with the arithmetic and intervals.",
        "/predict dataset:codecademy formula:score ~ lesson + completed values:completed=35 lesson=Lesson A",
    ),
    (
        "/compare",
        "Two models side by side, and why a slope changed.",
        "/compare dataset:penguins formula:bill_depth_mm ~ bill_length_mm other:bill_depth_mm ~ bill_length_mm + species",
    ),
    (
        "/plot",
        "Scatter, box plot or histogram of the data.",
        "/plot dataset:codecademy x:completed y:score color:lesson",
    ),
    ("/describe", "Columns, units, summaries and formulas to try.", "/describe dataset:students"),
    (
        "/interpret",
        "Write what a coefficient means; get it checked.",
        "/interpret dataset:codecademy formula:score ~ lesson + completed term:completed sentence:…",
    ),
    (
        "/quiz",
        "A question about a model for the channel; answers are private.",
        "/quiz dataset:codecademy formula:score ~ lesson + completed kind:Predict ŷ for a stated case",
    ),
    ("/progress", "How you did in quizzes and reading checks, and a review of your misses.", "/progress"),
    (
        "/settings",
        "Light or dark figures, for you (or, for instructors, the server).",
        "/settings theme:dark",
    ),
    ("/datasets", "Every dataset you can use.", "/datasets"),
    ("/explain", "The ideas behind the explanations.", "/explain topic:indicator"),
)


class Explain(commands.Cog):
    """The glossary and the help page."""

    @app_commands.command(name="explain", description="Explain an idea: indicator, baseline, slope, R², ...")
    @app_commands.describe(topic="The idea to explain, e.g. indicator or holding-fixed")
    async def explain(
        self, interaction: discord.Interaction[RegressionBot], topic: app_commands.Range[str, 1, 100]
    ) -> None:
        step = lookup(topic).step()
        embed = discord.Embed(title=clip(step.title, 256), description=clip(step.body, 4096), colour=COLOUR)
        await interaction.response.send_message(embed=embed)

    @explain.autocomplete("topic")
    async def topic_autocomplete(
        self, interaction: discord.Interaction[RegressionBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=clip(e.title, 100), value=e.key) for e in search(current)]

    @app_commands.command(name="help", description="What this bot does, with an example for every command")
    async def help(self, interaction: discord.Interaction[RegressionBot]) -> None:
        embed = discord.Embed(
            title="Regression office hours",
            description=(
                "I fit linear regression models on teaching datasets and explain them step by step: the "
                "equation, the estimates, indicator variables, one line per group, what each number means "
                "*holding the others fixed*, and what the model cannot say. Formulas look like "
                "`score ~ lesson + completed`; `a * b` adds an interaction, `I(x**2)` a square, `log(x)` a log."
            ),
            colour=COLOUR,
        )
        for name, what, example in HELP:
            embed.add_field(name=name, value=clip(f"{what}\n`{example}`", 1024), inline=False)
        embed.set_footer(text="Add private:true to /fit to see the answer alone.")
        await interaction.response.send_message(embed=embed, ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    """Load the cog."""
    await bot.add_cog(Explain())
