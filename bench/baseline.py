"""A typical discord.py regression bot, the benchmark's baseline: built the way most such bots are.

``/fit dataset formula`` defers ("thinking"), then does all the work in one thread (``asyncio.to_thread``):
fits with ``statsmodels.formula.api.ols`` on the bundled dataset's frame, draws the data with the fitted
line with seaborn and pyplot as the lecture notebook does, formats a coefficients table, and sends one
message at the end (an embed with the PNG). Rows missing a value of a column the formula names are dropped
first, as notebooks do before fitting (patsy's ``center`` and ``standardize`` would see the missing values,
and statsmodels would then have no rows left). A formula statsmodels rejects is answered with its error.

pyplot keeps one global "current figure" and is not thread-safe, so here the drawing holds a process-wide
lock (with the Agg backend). Most bots have no such lock, and then commands drawn at the same time can draw
into each other's figures; with it, figures are drawn one at a time however many threads there are.

Like ``RegressionBot`` it reaches the emulator through ``ApiGatewayMixin`` and syncs its commands to the dev
guild. Unlike a typical bot it imports statsmodels, seaborn and pyplot on first use, so that the
benchmark's process does not carry them while it measures the real bot; the benchmark sends one ``/fit``
before its bursts, which pays for that.
"""

from __future__ import annotations

import asyncio
import io
import re
import threading
from dataclasses import dataclass
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_api import ApiGatewayMixin
from bot.regression.datasets import DatasetRegistry

FILENAME = "fit.png"
PYPLOT = threading.Lock()
"""Held while pyplot draws: its current figure is global state shared by every thread."""
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
TEXT_LIMIT = 2000


@dataclass(frozen=True)
class Answer:
    """What ``/fit`` shows: a title, the coefficients table, a footer line and the figure."""

    title: str
    table: str
    footer: str
    png: bytes


class BaselineBot(ApiGatewayMixin, commands.Bot):
    """A ``commands.Bot`` with one app command, ``/fit``, synced to ``guild_id``."""

    def __init__(self, guild_id: int) -> None:
        super().__init__(command_prefix=commands.when_mentioned, intents=discord.Intents.default())
        self.guild_id = guild_id
        self.registry = DatasetRegistry.bundled()
        self.tree.add_command(fit)

    async def setup_hook(self) -> None:
        """Sync the commands to the dev guild, as ``RegressionBot`` does."""
        guild = discord.Object(id=self.guild_id)
        self.tree.copy_global_to(guild=guild)
        await self.tree.sync(guild=guild)


@app_commands.command(name="fit", description="Fit an OLS regression with statsmodels and plot it")
@app_commands.describe(
    dataset="A bundled dataset, e.g. codecademy", formula="e.g. score ~ lesson + completed"
)
async def fit(interaction: discord.Interaction[BaselineBot], dataset: str, formula: str) -> None:
    """Defer, fit and draw in a thread, then edit the answer in: one embed with the figure."""
    await interaction.response.defer(thinking=True)
    try:
        frame = interaction.client.registry.get(dataset).frame
        answer = await asyncio.to_thread(fit_and_draw, frame, formula, dataset)
    except Exception as error:  # whatever statsmodels or patsy refused, told as most bots tell it
        text = f"Could not fit `{formula}`: {error}"
        await interaction.edit_original_response(content=text[:TEXT_LIMIT])
        return
    embed = discord.Embed(title=answer.title, description=answer.table)
    embed.set_image(url=f"attachment://{FILENAME}")
    embed.set_footer(text=answer.footer)
    figure = discord.File(io.BytesIO(answer.png), filename=FILENAME)
    await interaction.edit_original_response(embed=embed, attachments=[figure])


def fit_and_draw(frame: Any, formula: str, dataset: str) -> Answer:
    """Fit ``formula`` with statsmodels, draw it and tabulate its coefficients (runs in a worker thread)."""
    import statsmodels.formula.api as smf

    used = [name for name in dict.fromkeys(IDENTIFIER.findall(formula)) if name in frame.columns]
    result = smf.ols(formula, data=frame.dropna(subset=used)).fit()
    return Answer(
        title=f"{dataset}: {formula}"[:256],
        table=coefficients(result),
        footer=f"R² {result.rsquared:.3f}, adjusted {result.rsquared_adj:.3f}, n = {int(result.nobs)}",
        png=figure(frame, formula, result),
    )


def coefficients(result: Any) -> str:
    """The coefficients with standard errors, t and p, as a monospace block that fits an embed."""
    rows = [("term", "coef", "std err", "t", "p")]
    for name in result.params.index:
        values = (result.params[name], result.bse[name], result.tvalues[name], result.pvalues[name])
        rows.append((name, *(f"{value:.4g}" for value in values)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]
    return "```\n" + "\n".join(lines)[:4000] + "\n```"


def figure(frame: Any, formula: str, result: Any) -> bytes:
    """The response against the first numeric predictor (coloured by the first categorical one) with the
    fitted values as lines, or against a categorical predictor with the fitted means; seaborn and pyplot at
    the bot's figure size and DPI, under ``PYPLOT``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd
    import seaborn as sns

    from bot.regression import plots

    response = result.model.endog_names
    named = dict.fromkeys(IDENTIFIER.findall(formula.partition("~")[2]))
    predictors = [name for name in named if name in frame.columns and name != response]
    numeric = [name for name in predictors if pd.api.types.is_numeric_dtype(frame[name])]
    categorical = [name for name in predictors if name not in numeric]
    if not predictors:
        raise ValueError("the formula has no predictor column to plot against")
    x = (numeric or categorical)[0]
    hue = categorical[0] if numeric and categorical else None
    data = frame.loc[result.fittedvalues.index, [x] + ([hue] if hue else [])].copy()
    data[response] = result.model.endog
    data["fitted"] = result.fittedvalues.to_numpy()
    buffer = io.BytesIO()
    with PYPLOT:
        plt.figure(figsize=plots.FIGSIZE, dpi=plots.DPI)
        try:
            if numeric:
                sns.scatterplot(data=data, x=x, y=response, hue=hue)
                groups = data.groupby(hue, observed=True) if hue else [("fitted", data)]
                for level, group in groups:
                    line = group.sort_values(x)
                    plt.plot(line[x], line["fitted"], label=f"fitted, {level}" if hue else "fitted")
                plt.legend()
            else:
                sns.stripplot(data=data, x=x, y=response, alpha=0.5)
                sns.pointplot(data=data, x=x, y="fitted", color="black", linestyle="none", errorbar=None)
            plt.xlabel(x)
            plt.ylabel(response)
            plt.title(formula)
            plt.savefig(buffer, format="png", dpi=plots.DPI)
        finally:
            plt.close()
    return buffer.getvalue()
