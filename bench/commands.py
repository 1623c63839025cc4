"""What the benchmark asks the bot: distinct ``/fit`` formulas, a class's formulas, the lecture's command,
and a soak mix.

Every formula is parsed and validated with the bot's own grammar before it is used, so a formula that the
bot would refuse never reaches a burst. Formulas are handed out once: the engine caches results by the text
of the formula, so a formula sent twice would measure the cache, not the work.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from bot.regression.datasets import Dataset, DatasetRegistry
from bot.regression.errors import UserInputError
from bot.regression.formula import Formula, parse, validate

LECTURE_DATASET = "codecademy"
LECTURE_FORMULA = "score ~ lesson + completed"
MAX_LEVELS = 6  # categorical predictors with more levels make slow, unreadable walkthroughs
SEED = 20240601
MIN_DISTINCT_FOR_SQUARE = 6  # a square of a column with few values is collinear with it
MAX_MISSES = 2000  # candidates tried before a dataset counts as out of new formulas
CLASS_DATASET = "penguins"
CLASS_FORMULAS = (  # what ten students working on the lesson's model type, in proportion
    ("bill_depth_mm ~ bill_length_mm + species", 5),  # the lesson's model (an example)
    ("bill_depth_mm ~ bill_length_mm", 1),  # an example: the subset that hides Simpson's paradox
    ("bill_depth_mm ~ bill_length_mm * species", 1),  # an example: the interaction
    ("body_mass_g ~ flipper_length_mm + sex", 1),  # the dataset's other example
    ("bill_depth_mm ~ species", 1),  # a smaller subset
    ("bill_depth_mm ~ bill_length_mm + species + sex", 1),  # one predictor more
)

Command = tuple[str, dict[str, Any]]
"""A slash command name and its options, as ``DiscordEmulator.slash`` takes them."""


def _valid(dataset: Dataset, text: str) -> Formula | None:
    """The parsed formula if the bot would accept ``text`` on ``dataset`` (as ``/fit`` checks it)."""
    try:
        formula = parse(text)
        return validate(
            formula, dataset.column_kinds(), text, levels=dataset.level_counts(), n_rows=len(dataset.frame)
        )
    except UserInputError:
        return None


def _numeric_forms(column: str) -> tuple[str, ...]:
    """Ways to write a numeric predictor that change the design (and so the work)."""
    return (column, f"center({column})", f"standardize({column})")


def _candidates(dataset: Dataset, rng: random.Random) -> Iterator[str]:
    """Formula texts for ``dataset``, without end: its examples, then random predictor sets for the examples'
    responses, each predictor plain, centred or standardised, sometimes with an interaction, a square or no
    intercept."""
    yield from dataset.examples
    kinds = dataset.column_kinds()
    levels = dataset.level_counts()
    responses = list(dict.fromkeys(parse(text).columns()[0] for text in dataset.examples))
    for response in itertools.cycle(responses):
        predictors = [
            name
            for name, kind in kinds.items()
            if name != response and (kind == "numeric" or levels.get(name, 0) <= MAX_LEVELS)
        ]
        size = rng.randint(1, min(3, len(predictors)))
        chosen = rng.sample(predictors, size)
        terms = [rng.choice(_numeric_forms(c)) if kinds[c] == "numeric" else c for c in chosen]
        numeric = [c for c in chosen if kinds[c] == "numeric"]
        curved = [c for c in numeric if dataset.frame[c].nunique() >= MIN_DISTINCT_FOR_SQUARE]
        edit = rng.randrange(5)
        # An interaction of two categorical columns can leave empty cells, so one side is numeric.
        if edit == 1 and len(terms) >= 2 and "numeric" in (kinds[chosen[0]], kinds[chosen[1]]):
            terms = [f"{terms[0]} * {terms[1]}", *terms[2:]]
        elif edit == 2 and curved:
            terms.append(f"I({curved[0]}**2)")
        text = f"{response} ~ {' + '.join(terms)}"
        if edit == 3:
            text += " - 1"
        yield text


@dataclass
class FormulaPool:
    """Hands out ``(dataset, formula)`` pairs never handed out before, the datasets taking turns.

    Two formulas count as the same when their canonical forms are equal, so every formula means new work
    for the engine; ``reserved`` texts (the "same" mix's) are never handed out here.
    """

    registry: DatasetRegistry
    reserved: frozenset[str] = frozenset()
    _streams: list[tuple[Dataset, Iterator[str]]] = field(init=False)
    _seen: set[tuple[str, str]] = field(init=False, default_factory=set)
    _turn: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        rng = random.Random(SEED)
        self._streams = [(d, _candidates(d, random.Random(rng.random()))) for d in self.registry.all()]

    def take(self) -> tuple[str, str]:
        """The next unused ``(dataset name, formula text)``; a dataset that runs out drops out of the turns."""
        while self._streams:
            index = self._turn % len(self._streams)
            dataset, stream = self._streams[index]
            self._turn += 1
            for text in itertools.islice(stream, MAX_MISSES):
                formula = _valid(dataset, text)
                key = (dataset.name, formula.canonical() if formula else "")
                if formula is not None and text not in self.reserved and key not in self._seen:
                    self._seen.add(key)
                    return dataset.name, text
            del self._streams[index]
        raise RuntimeError("every dataset ran out of new formulas")

    def fits(self, count: int) -> list[Command]:
        """``count`` ``/fit`` commands, each with a formula not used before."""
        return [fit_command(*self.take()) for _ in range(count)]


def fit_command(dataset: str, formula: str) -> Command:
    """``/fit dataset:<dataset> formula:<formula>``."""
    return "fit", {"dataset": dataset, "formula": formula}


def class_commands(registry: DatasetRegistry, size: int, seed: int = SEED) -> list[Command]:
    """``size`` ``/fit`` commands from a class on one dataset: ``CLASS_FORMULAS`` in proportion (taking
    turns, so a small class still types several), shuffled.

    Raises ValueError if the bot would refuse one of them (a burst never carries a formula the bot refuses).
    """
    dataset = registry.get(CLASS_DATASET)
    refused = [text for text, _ in CLASS_FORMULAS if _valid(dataset, text) is None]
    if refused:
        raise ValueError(f"the bot refuses these class formulas on {CLASS_DATASET}: {refused}")
    rounds = max(weight for _, weight in CLASS_FORMULAS)
    pattern = [text for turn in range(rounds) for text, weight in CLASS_FORMULAS if weight > turn]
    texts = [pattern[i % len(pattern)] for i in range(size)]
    random.Random(seed).shuffle(texts)
    return [fit_command(CLASS_DATASET, text) for text in texts]


def lecture_variants() -> Iterator[str]:
    """The lecture's formula written in ways that mean the same model, each a cold entry in every cache."""
    forms = (
        "score ~ lesson + completed + 1",
        "score ~ 1 + lesson + completed",
        "score ~ (lesson + completed)",
        "score ~ lesson + (completed)",
        "score ~ C(lesson) + completed",
        "score ~ 1 + C(lesson) + completed",
    )
    yield from forms
    for spaces in itertools.count(2):
        yield LECTURE_FORMULA.replace("~", "~" + " " * (spaces - 1))


def soak_commands(count: int, pool: FormulaPool, seed: int = SEED) -> list[Command]:
    """A day in office hours: new fits, repeated popular fits, predictions, plots, descriptions, comparisons."""
    rng = random.Random(seed)
    registry = pool.registry
    commands: list[Command] = []
    for _ in range(count):
        dataset = rng.choice(registry.all())
        roll = rng.random()
        if roll < 0.40:
            commands.append(fit_command(*pool.take()))
        elif roll < 0.65:
            commands.append(fit_command(dataset.name, rng.choice(dataset.examples)))
        elif roll < 0.75:
            commands.append(
                ("predict", {"dataset": LECTURE_DATASET, "formula": LECTURE_FORMULA, "values": _values(rng)})
            )
        elif roll < 0.85:
            commands.append(("plot", _plot_options(dataset, rng)))
        elif roll < 0.93:
            commands.append(("describe", {"dataset": dataset.name}))
        else:
            first, second = rng.sample(_same_response(dataset, rng), 2)
            commands.append(("compare", {"dataset": dataset.name, "formula": first, "other": second}))
    return commands


def _values(rng: random.Random) -> str:
    """Predictor values for the lecture's model."""
    return f"completed={rng.randint(0, 40)} lesson={rng.choice(['Lesson A', 'Lesson B'])}"


def _plot_options(dataset: Dataset, rng: random.Random) -> dict[str, Any]:
    """A ``/plot`` of a numeric column against another column (box plot for a categorical x)."""
    kinds = dataset.column_kinds()
    numeric = [c for c, k in kinds.items() if k == "numeric"]
    small = [c for c, k in kinds.items() if k == "categorical" and dataset.level_counts()[c] <= MAX_LEVELS]
    y = rng.choice(numeric)
    x = rng.choice([c for c in [*numeric, *small] if c != y])
    return {
        "dataset": dataset.name,
        "x": x,
        "y": y,
        "kind": "box" if kinds[x] == "categorical" else "scatter",
    }


def _same_response(dataset: Dataset, rng: random.Random) -> list[str]:
    """Two or more example formulas of ``dataset`` with one response (``/compare`` needs that)."""
    by_response: dict[str, list[str]] = {}
    for text in dataset.examples:
        by_response.setdefault(parse(text).columns()[0], []).append(text)
    return rng.choice([texts for texts in by_response.values() if len(texts) >= 2])
