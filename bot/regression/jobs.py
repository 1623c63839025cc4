"""The engine's entry points, by name and plain values: what the CLI calls and what worker processes run.

Arguments and results are small picklable values (dataset refs, formula text, Steps, rendered figures), so
the same calls work in-process and across a process pool. A dataset ref is a bundled dataset's name,
``upload:<guild>:<name>:<version>`` for a server's upload, whose typed columns are read from the bot's
database (``configure``: the SQLite file, or the PostgreSQL URL), or ``file:<path>`` for a CSV file (the
offline command line).
Fitted models and rendered pages are cached per process, keyed by the dataset's version.

Every job that shows pages takes ``figures``: with ``False`` it returns drafts (the words, each figure a
same-sized placeholder), and ``figure`` draws a draft's figure, so a user can read while it is drawn. A
draft is the same in every theme (its placeholder shows Discord's own background): only ``figure`` and
``figures=True`` use ``theme``.
"""

from __future__ import annotations

import asyncio
import gc
import sqlite3
from contextlib import closing
from functools import lru_cache
from pathlib import Path
from typing import Any

import asyncpg

from bot.regression import interpret, plots, quiz
from bot.regression.compare import compare
from bot.regression.datasets import Dataset, DatasetRegistry
from bot.regression.describe import describe
from bot.regression.equations import substituted
from bot.regression.errors import UnknownDatasetError, UserInputError
from bot.regression.explore import plot_spec
from bot.regression.figures import FigureSpec, RenderedFigure
from bot.regression.model import FittedModel, fit, parse_values
from bot.regression.pages import Page, PageView, Summary
from bot.regression.questions import Question, check_outcomes
from bot.regression.steps import Step
from bot.regression.stored import read_typed, upload_fields
from bot.regression.text import clip, number, one_line
from bot.regression.uploads import read_file
from bot.regression.walkthrough import Walkthrough, prediction_step

# Where uploaded datasets live (set in each worker by ``configure``); they were checked and typed on upload.
_SETTINGS: dict[str, str | None] = {"database": None}
# A worker's PostgreSQL connection, on an event loop of its own (the worker runs one job at a time).
_POSTGRES: dict[str, tuple[asyncio.AbstractEventLoop, asyncpg.Connection]] = {}


def configure(database: str | Path | None) -> None:
    """Tell this process where the bot's database is (the worker pool's initializer): a SQLite file's path
    or a ``postgresql://`` URL."""
    _SETTINGS["database"] = str(database) if database else None


def _stored_row(sql: str, *args: Any) -> tuple[Any, ...] | None:
    """One row of a read-only query on the bot's database (``?`` placeholders), or None; None without one."""
    database = _SETTINGS["database"]
    if database is None:
        return None
    if database.startswith("postgresql://"):
        numbered = sql
        for i in range(1, len(args) + 1):
            numbered = numbered.replace("?", f"${i}", 1)
        return _postgres_row(database, numbered, args)
    if not Path(database).exists():
        return None
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as connection:
        return connection.execute(sql, args).fetchone()


def _postgres_row(url: str, sql: str, args: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """One row from PostgreSQL over this worker's connection (opened on first use, again if it dropped)."""
    state = _POSTGRES.get(url)
    if state is None or state[1].is_closed():
        loop = state[0] if state else asyncio.new_event_loop()
        state = _POSTGRES[url] = (loop, loop.run_until_complete(asyncpg.connect(url)))
    loop, connection = state
    row = loop.run_until_complete(connection.fetchrow(sql, *args))
    return tuple(row) if row is not None else None


def registry() -> DatasetRegistry:
    """The datasets this process can see (bundled)."""
    return DatasetRegistry.bundled()


def dataset(ref: str) -> Dataset:
    """A dataset by ref: a bundled dataset's name, an upload's ``upload:<guild>:<name>:<version>``, or a
    CSV file's ``file:<path>`` (only where no bot database is configured: a bot's worker reads no files)."""
    if ref.startswith("upload:"):
        _, guild, name, version = ref.split(":", 3)
        if not _still_stored(int(guild), name, version):
            _uploaded.cache_clear()
            raise _replaced(name)
        return _uploaded(int(guild), name, version)
    if ref.startswith("file:") and _SETTINGS["database"] is None:
        return _file(ref.removeprefix("file:"))
    return registry().get(ref)


def _replaced(name: str) -> UnknownDatasetError:
    """What a user hears when a dataset a message was made from has gone."""
    return UnknownDatasetError(
        f"The dataset `{name}` has been replaced or removed since this was made.",
        "Run the command again to use the current version.",
    )


def _still_stored(guild_id: int, name: str, version: str) -> bool:
    """Whether this version of an upload is still in the database (asked every time, so that a worker
    that has the old version cached answers "replaced or removed" like every other worker)."""
    found = _stored_row(
        "SELECT 1 FROM datasets WHERE guild_id = ? AND name = ? AND version = ?", guild_id, name, version
    )
    return found is not None


@lru_cache(maxsize=16)
def _uploaded(guild_id: int, name: str, version: str) -> Dataset:
    """An uploaded dataset's typed columns read from the database (read-only), at exactly this version."""
    row = _stored_row(
        "SELECT typed, schema, description, filename FROM datasets WHERE guild_id = ? AND name = ? AND version = ?",
        guild_id,
        name,
        version,
    )
    if row is None:
        raise _replaced(name)
    typed, schema, description, filename = row
    return read_typed(typed, schema, upload_fields(name, description, filename, ""), guild_id)


@lru_cache(maxsize=4)
def _file(path: str) -> Dataset:
    """A CSV file, read and checked once per process (the command line runs one command)."""
    return read_file(Path(path))


@lru_cache(maxsize=64)
def _fitted(ref: str, version: str, text: str) -> FittedModel:
    """A cached fit (keyed by dataset version so new data is never served from an old fit)."""
    return fit(dataset(ref), text)


def fitted(ref: str, text: str) -> FittedModel:
    """Fit ``text`` on the dataset ``ref`` (cached)."""
    data = dataset(ref)
    return _fitted(data.ref, data.version, text)


@lru_cache(maxsize=64)
def _walkthrough(ref: str, version: str, text: str) -> Walkthrough:
    """The cached walkthrough (its pages are made when first shown)."""
    return Walkthrough(dataset(ref), _fitted(ref, version, text))


def walkthrough(ref: str, text: str) -> tuple[Step, ...]:
    """Every step of the walkthrough for ``text`` on the dataset ``ref``."""
    data = dataset(ref)
    return _walkthrough(data.ref, data.version, text).steps()


def walkthrough_page(
    ref: str, text: str, index: int, theme: str = "light", figures: bool = True
) -> tuple[Page, int]:
    """Step ``index`` (clamped) of the walkthrough with its figure rendered, and the number of steps."""
    view = walkthrough_view(ref, text, index, theme, figures)
    return view.page, view.total


def walkthrough_view(ref: str, text: str, index: int, theme: str = "light", figures: bool = True) -> PageView:
    """One job for one walkthrough page: the page, every title, and on page 1 the summary."""
    data = dataset(ref)
    pages = _walkthrough(data.ref, data.version, text)
    index = max(0, min(index, len(pages) - 1))
    page = _page(pages.step(index), data, theme, f"step{index + 1}.png", figures)
    return PageView(page, index, pages.titles, summary(ref, text) if index == 0 else None)


def describe_view(ref: str, index: int, theme: str = "light", figures: bool = True) -> PageView:
    """One page of a dataset's description, with every title."""
    pages = describe_pages(ref, theme, figures)
    index = max(0, min(index, len(pages) - 1))
    return PageView(pages[index], index, tuple(p.step.title for p in pages))


def _page(step: Step, data: Dataset, theme: str, filename: str, figures: bool) -> Page:
    """A step with its figure drawn (cached: see ``_drawn``), or as a draft with a placeholder."""
    if step.figure is None:
        return Page(step, None)
    if not figures:
        return Page(step, plots.placeholder(step.figure), to_draw=filename)
    return Page(step, _drawn(step.figure, data.ref, data.version, theme, filename))


def figure(ref: str, spec: FigureSpec, theme: str, filename: str) -> RenderedFigure:
    """Draw a draft page's figure."""
    data = dataset(ref)
    return _drawn(spec, data.ref, data.version, theme, filename)


@lru_cache(maxsize=128)
def _drawn(spec: FigureSpec, ref: str, version: str, theme: str, filename: str) -> RenderedFigure:
    """A cached render: many formulas share a picture (e.g. the data coloured by group on step 1)."""
    return plots.render(spec, dataset(ref).frame, theme=theme, filename=filename)


def _pages(steps: tuple[Step, ...], data: Dataset, theme: str, figures: bool) -> tuple[Page, ...]:
    """Every step as a page, figures named after their step (describe, compare)."""
    return tuple(_page(step, data, theme, f"step{i + 1}.png", figures) for i, step in enumerate(steps))


def describe_pages(ref: str, theme: str = "light", figures: bool = True) -> tuple[Page, ...]:
    """The dataset description."""
    data = dataset(ref)
    return _pages(_described(data.ref, data.version), data, theme, figures)


@lru_cache(maxsize=32)
def _described(ref: str, version: str) -> tuple[Step, ...]:
    """The cached description's steps."""
    return describe(dataset(ref))


def compare_pages(
    ref: str, first: str, second: str, theme: str = "light", figures: bool = True
) -> tuple[Page, ...]:
    """Two models side by side."""
    data = dataset(ref)
    return _pages(compare(data, first, second).steps, data, theme, figures)


def prediction(ref: str, text: str, values_text: str) -> Step:
    """A prediction with the arithmetic shown, its confidence and prediction intervals."""
    model = fitted(ref, text)
    return prediction_step(dataset(ref), model, parse_values(model, values_text))


def model_terms(ref: str, text: str) -> tuple[str, ...]:
    """The coefficients of ``text`` on ``ref`` a reading can be about (for autocomplete)."""
    return interpret.terms(fitted(ref, text))


def interpretation(
    ref: str, text: str, term: str, sentence: str
) -> tuple[Step, int, tuple[tuple[str, bool], ...]]:
    """A student's reading of one coefficient, checked against the fitted model (one line per rule), the
    coefficient's position in the model, and the lines as (misconception, passed) for /progress."""
    data = dataset(ref)
    pages = _walkthrough(data.ref, data.version, text)
    verdict = interpret.check(data, pages.words.model, term, sentence, pages.words.meaning)
    verdict_line = (
        "Every check passed." if verdict.correct else "Some checks did not pass: see why on each line."
    )
    step = Step(
        clip(f"Your reading of {verdict.symbol} ({verdict.term})", 256),
        clip(f"> {one_line(sentence, 1000)}\n\n{verdict.render()}\n\n{verdict_line}", 4096),
    )
    outcomes = check_outcomes((line.rule, line.mark) for line in verdict.lines)
    return step, interpret.terms(pages.words.model).index(verdict.term), outcomes


def quiz_question(ref: str, text: str, kind: str | None, seed: int) -> Question:
    """A quiz question of ``kind`` (any that fits when None) about ``text`` on ``ref``, chosen by ``seed``."""
    data = dataset(ref)
    words = _walkthrough(data.ref, data.version, text).words
    return quiz.question(data, words.model, words.meaning, kind, seed)


def interpretation_help(ref: str, text: str, index: int, what: str) -> Step:
    """A correct reading of the model's coefficient number ``index`` (``what="answer"``), or two
    predictions that differ only in it."""
    data = dataset(ref)
    pages = _walkthrough(data.ref, data.version, text)
    model, meaning = pages.words.model, pages.words.meaning
    names = interpret.terms(model)
    if not 0 <= index < len(names):
        raise UserInputError("This model has changed since the check; run /interpret again.")
    name = names[index]
    if what == "answer":
        return Step(
            clip(f"A model answer for {name}", 256),
            clip(interpret.model_answer(data, model, name, meaning), 4096),
        )
    return Step(
        clip(f"Why: two predictions that differ only in {name}", 256),
        clip(interpret.why_pair(data, model, name, meaning), 4096),
    )


def summary(ref: str, text: str) -> Summary:
    """The fitted equation, each coefficient (name, estimate, CI) and the fit statistics."""
    model = fitted(ref, text)
    return Summary(
        formula=model.formula_text,
        equation=substituted(model),
        coefficients=tuple(
            (c.name, number(c.estimate), f"{number(c.ci_low)} to {number(c.ci_high)}")
            for c in model.coefficients
        ),
        r_squared=model.r_squared,
        adj_r_squared=model.adj_r_squared,
        n=model.n,
    )


def plot(
    ref: str, x: str, y: str, color: str | None, kind: str, theme: str = "light", figures: bool = True
) -> Page:
    """The ``/plot`` figure as a page titled ``<dataset>: <y> and <x>``."""
    data = dataset(ref)
    step = Step(f"{data.name}: {y} and {x}"[:256], "", plot_spec(data, x, y, color, kind))
    return _page(step, data, theme, "plot.png", figures)


def warm() -> int:
    """Import and exercise the engine once so a new worker answers its first real job quickly: the
    lecture's first page with its figure, and the first page's words of each bundled dataset's first
    example (a dataset's first model costs about 30 ms more than the next); returns the pages made.

    What exists then (the libraries, fonts, datasets) lives as long as the worker, so it is frozen out of
    the garbage collector's scans (``gc.freeze``): a full collection in a job then takes milliseconds, not
    a tenth of a second, and children forked from a warmed parent (Celery's) share those pages longer."""
    made = walkthrough_view("codecademy", "score ~ lesson + completed", 0).total
    for data in registry().all():
        made += walkthrough_view(data.ref, data.examples[0], 0, figures=False).total
    gc.collect()
    gc.freeze()
    return made
