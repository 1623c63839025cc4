"""Option helpers shared by the cogs: dataset and formula options as transformers, autocomplete from memory.

``DatasetArg`` and ``FormulaArg`` turn what was typed into a value before the command runs, or into the
specific private error (close names, a caret under the formula) before anything is deferred.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.regression.datasets import Dataset, DatasetRegistry
from bot.regression.formula import Column, Limits, factor_text, parse, validate

if TYPE_CHECKING:
    from bot.app import RegressionBot

MAX_CHOICES = 25
CHOICE_LIMIT = 100
_LAST_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*$")


def registry_for(interaction: discord.Interaction[RegressionBot]) -> DatasetRegistry:
    """The datasets this interaction may use: bundled ones, and in a server that server's uploads."""
    return interaction.client.datasets.registry(interaction.guild_id)


def check_formula(data: Dataset, text: str) -> str:
    """Parse and validate a formula against the dataset's columns (fast, in-process: nothing is fitted).

    Returns the formula to hand to the engine: its canonical form, so that ``y ~ a+b`` and ``y ~ a + b``
    share cached results (the text as typed when the canonical form would be longer than the limit).
    """
    parsed = validate(
        parse(text), data.column_kinds(), text, levels=data.level_counts(), n_rows=len(data.frame)
    )
    canonical = parsed.canonical()
    return canonical if len(canonical) <= Limits().max_length else text


class DatasetOption(app_commands.Transformer["RegressionBot"]):
    """A dataset name (1-100 characters) -> the dataset it names here, or an error listing close names."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.string

    @property
    def min_value(self) -> int:
        return 1

    @property
    def max_value(self) -> int:
        return 100

    async def transform(self, interaction: discord.Interaction[RegressionBot], value: str, /) -> Dataset:
        return registry_for(interaction).get(value)

    async def autocomplete(
        self, interaction: discord.Interaction[RegressionBot], value: str, /
    ) -> list[app_commands.Choice[str]]:
        return dataset_choices(interaction, value)


class FormulaOption(app_commands.Transformer["RegressionBot"]):
    """A formula (1-500 characters) on the command's ``dataset`` -> its checked, canonical text, or an
    error with a caret under the mistake. The command's ``dataset`` option comes first and is valid by then."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.string

    @property
    def min_value(self) -> int:
        return 1

    @property
    def max_value(self) -> int:
        return 500

    async def transform(self, interaction: discord.Interaction[RegressionBot], value: str, /) -> str:
        return check_formula(registry_for(interaction).get(str(interaction.namespace.dataset)), value)

    async def autocomplete(
        self, interaction: discord.Interaction[RegressionBot], value: str, /
    ) -> list[app_commands.Choice[str]]:
        return formula_choices(interaction, value)


DatasetArg = app_commands.Transform[Dataset, DatasetOption]
FormulaArg = app_commands.Transform[str, FormulaOption]


def _choices(values: list[str]) -> list[app_commands.Choice[str]]:
    """Unique choices within Discord's limits (25 choices, 1-100 characters)."""
    seen: dict[str, None] = {}
    for value in values:
        if 1 <= len(value) <= CHOICE_LIMIT:
            seen.setdefault(value, None)
    return [app_commands.Choice(name=v, value=v) for v in list(seen)[:MAX_CHOICES]]


def dataset_choices(
    interaction: discord.Interaction[RegressionBot], current: str
) -> list[app_commands.Choice[str]]:
    """Dataset names, those starting with what was typed first."""
    wanted = current.strip().lower()
    datasets = registry_for(interaction).all()
    starts = [d for d in datasets if d.name.lower().startswith(wanted)]
    within = [
        d for d in datasets if d not in starts and (wanted in d.name.lower() or wanted in d.title.lower())
    ]
    return [
        app_commands.Choice(name=f"{d.name} — {d.title}"[:CHOICE_LIMIT], value=d.name)
        for d in (starts + within)[:MAX_CHOICES]
    ]


def _current_dataset(interaction: discord.Interaction[RegressionBot]) -> Dataset | None:
    """The dataset already chosen in this command's options, if it exists."""
    name = getattr(interaction.namespace, "dataset", None)
    registry = registry_for(interaction)
    return registry.get(name) if isinstance(name, str) and name in registry else None


def formula_choices(
    interaction: discord.Interaction[RegressionBot], current: str
) -> list[app_commands.Choice[str]]:
    """The dataset's example formulas matching what was typed, then the text completed with column names."""
    data = _current_dataset(interaction)
    if data is None:
        return []
    typed = current.strip()
    examples = [f for f in data.examples if typed.lower() in f.lower()]
    names = [factor_text(Column(c.name)) for c in data.columns]
    completions: list[str] = []
    match = _LAST_TOKEN.search(current)
    if not typed:
        completions = [f"{factor_text(Column(c.name))} ~ " for c in data.columns if c.kind == "numeric"]
    elif match and not current.endswith(" "):
        partial, head = match.group(0), current[: match.start()]
        completions = [head + n for n in names if n.lower().startswith(partial.lower()) and n != partial]
    elif typed.endswith(("~", "+", "*", ":", "(")):
        completions = [f"{typed} {n}" for n in names if n not in typed]
    return _choices([*examples, *completions])


async def column_autocomplete(
    interaction: discord.Interaction[RegressionBot], current: str
) -> list[app_commands.Choice[str]]:
    """Columns of the chosen dataset (with their type), those starting with what was typed first."""
    data = _current_dataset(interaction)
    if data is None:
        return []
    wanted = current.strip().lower()
    starts = [c for c in data.columns if c.name.lower().startswith(wanted)]
    within = [c for c in data.columns if c not in starts and wanted in c.name.lower()]
    return [
        app_commands.Choice(name=f"{c.name} ({c.kind})"[:CHOICE_LIMIT], value=c.name)
        for c in (starts + within)[:MAX_CHOICES]
    ]
