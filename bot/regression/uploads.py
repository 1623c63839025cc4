"""Instructors' own CSV datasets: check and type an upload before anything is stored, and advise on it.

``read_upload`` turns the bytes of an uploaded file into a ``Dataset``, or raises ``UserInputError``
saying what is wrong, where and how to fix it (``csvfile`` reads the file); ``stored.encode`` then gives
the form that is stored, so the CSV is parsed once. The advice (flagged columns, suggested formulas, the
column lines of ``/dataset info``) works on a full dataset and on the bot process's ``UploadInfo`` alike.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from bot.regression import formula as fm
from bot.regression.csvfile import UploadLimits, check_filename, check_size, read_table, shown
from bot.regression.datasets import ColumnInfo, Dataset
from bot.regression.errors import FormulaError, UserInputError
from bot.regression.steps import join_within
from bot.regression.stored import ColumnFacts, column_facts, upload_fields
from bot.regression.text import value_text

DESCRIBE_LIMIT = 3000  # characters of ``describe_columns``
_SHOWN_LEVELS = 6  # levels listed per column by ``describe_columns``
_OUTCOME_WORDS = frozenset(
    {"score", "grade", "y", "price", "outcome", "response", "target", "result", "total", "mark", "marks"}
    | {"salary", "income", "sales", "cost", "yield", "weight", "height", "time"}
)
_ROW_NUMBER_WORDS = frozenset({"id", "index", "row", "rownames", "rowid"})


# ---------------------------------------------------------------------------------------------- names


def clean_name(text: str, max_length: int) -> str:
    """``text`` made into a valid dataset name as far as possible (``My Data!`` -> ``my-data``)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    cleaned = re.sub(r"[^a-z0-9_-]+", "-", ascii_text).strip("-_")
    return cleaned[:max_length].rstrip("-_")


def check_name(name: str, taken: Iterable[str] = (), limits: UploadLimits | None = None) -> str:
    """The dataset name ``name`` in lower case; ``UserInputError`` when invalid or in ``taken``."""
    limits = limits or UploadLimits()
    key = name.strip().lower()
    longest = limits.max_name_length
    if not re.fullmatch(rf"[a-z0-9][a-z0-9_-]{{0,{longest - 1}}}", key):
        allowed = f"1–{longest} lower-case letters, digits, `-` or `_`, starting with a letter or digit"
        cleaned = clean_name(name, longest)
        hint = f"Try `{cleaned}`." if cleaned else "For example `survey-2024`."
        if not key:
            raise UserInputError(f"Give the dataset a name: {allowed}.", hint)
        raise UserInputError(f"`{shown(name)}` cannot be a dataset name: use {allowed}.", hint)
    if key in {t.strip().lower() for t in taken}:
        raise UserInputError(
            f"`{key}` is a bundled dataset; pick another name.",
            f"For example `{clean_name('my-' + key, longest)}`.",
        )
    return key


# ---------------------------------------------------------------------------------------------- reading


def read_upload(
    data: bytes,
    name: str,
    description: str = "",
    filename: str = "",
    source: str = "",
    limits: UploadLimits | None = None,
) -> Dataset:
    """An uploaded CSV as a checked, typed ``Dataset``; every problem raises ``UserInputError``.

    Accepts UTF-8 (with or without BOM), comma, semicolon (decimal commas allowed) or tab delimiters,
    any line endings, and ``"quoted"`` values holding delimiters or line breaks. ``examples`` are
    ``suggest_formulas``'s; ``version`` is the start of the file's SHA-256.
    """
    limits = limits or UploadLimits()
    name = check_name(name, limits=limits)
    description = description.strip()
    if len(description) > limits.max_description_length:
        raise UserInputError(
            f"The description is {len(description):,} characters long; "
            f"the limit is {limits.max_description_length:,}.",
            "Shorten it.",
        )
    check_filename(filename)
    columns, frame = read_table(data, limits)
    dataset = Dataset(
        **upload_fields(name, description, filename, source),
        columns=columns,
        examples=(),
        frame=frame,
        version=version_of(data),
    )
    suggestions = _suggestions(dataset, 3, limits)
    return replace(
        dataset,
        examples=tuple(formula for formula, _ in suggestions),
        example_notes=tuple(why for _, why in suggestions),
    )


def version_of(data: bytes) -> str:
    """An upload's version: the start of its bytes' SHA-256 (what caches of its results are keyed by)."""
    return hashlib.sha256(data).hexdigest()[:12]


@dataclass(frozen=True)
class FileDataset(Dataset):
    """A CSV file on this computer, checked and typed as an upload is; found again by its ``file:`` ref."""

    path: str = ""

    @property
    def ref(self) -> str:
        """``file:<path>``: how the engine's entry points find this dataset again (``jobs.dataset``)."""
        return f"file:{self.path}"


def read_file(path: Path, limits: UploadLimits | None = None) -> FileDataset:
    """The CSV file at ``path`` (absolute) with the same checks and messages as an upload."""
    limits = limits or UploadLimits()
    where = f"`{shown(str(path), 80)}`"
    hint = "Give the path of a CSV file, or the name of a bundled dataset (`python -m bot datasets`)."
    try:
        check_size(path.stat().st_size, limits)
        data = path.read_bytes()
    except FileNotFoundError:
        raise UserInputError(f"There is no file {where}.", hint) from None
    except IsADirectoryError:
        raise UserInputError(f"{where} is a folder, not a CSV file.", hint) from None
    except OSError as exc:
        raise UserInputError(f"{where} cannot be read ({exc.strerror or exc}).", hint) from None
    name = clean_name(path.stem, limits.max_name_length) or "data"
    source = f"The file {path.name} on this computer."
    dataset = read_upload(data, name, f"Read from {path}.", filename=path.name, source=source, limits=limits)
    documented = {f.name: getattr(dataset, f.name) for f in dataclasses.fields(Dataset)}
    return FileDataset(**documented | {"title": shown(path.name, 100)}, path=str(path))


# Stored CSVs passed the limits in force when they were uploaded; reading them back must not fail later
# because an instructor lowered a limit.
STORED_LIMITS = UploadLimits(max_bytes=1 << 40, max_rows=10**9, max_columns=10**6)


def read_stored(
    data: bytes, name: str, description: str, filename: str, guild_id: int, source: str = ""
) -> Dataset:
    """An upload stored as CSV only (before typed storage) read back, typed and versioned as on upload."""
    dataset = read_upload(data, name, description, filename=filename, source=source, limits=STORED_LIMITS)
    return replace(dataset, guild_id=guild_id)


# ---------------------------------------------------------------------------------------------- advice


def flagged_columns(dataset: Dataset, limits: UploadLimits | None = None) -> dict[str, str]:
    """Categorical columns that cannot serve as predictors, each with the reason in words."""
    return _flags(dataset, column_facts(dataset), limits or UploadLimits())


def _flags(dataset: Dataset, all_facts: Sequence[ColumnFacts], limits: UploadLimits) -> dict[str, str]:
    """``flagged_columns`` from the columns' facts."""
    flags: dict[str, str] = {}
    rows = len(dataset.frame)
    for info, facts in zip(dataset.columns, all_facts, strict=True):
        if info.kind != "categorical":
            continue
        count, present = facts.levels, rows - facts.missing
        if facts.typo is not None:
            flags[info.name] = (
                f"mostly numbers, but `{shown(facts.typo, 30)}` is not one: fix such cells "
                "(or leave them empty) to use the column as numeric"
            )
        elif count > limits.max_levels:
            distinct = " (every value is different: an ID?)" if count == present else ""
            flags[info.name] = (
                f"{count:,} levels: too many to use as a predictor (limit {limits.max_levels}){distinct}"
            )
        elif count == present and count > 1:
            flags[info.name] = f"every value is different ({count} levels), like an ID: not a predictor"
        elif count == 1:
            flags[info.name] = (
                f"only one value (`{shown(info.levels[0], 30)}`): a constant is not a predictor"
            )
    return flags


def _words(name: str) -> set[str]:
    """The lower-case words and numbers of a column name (``Math_Score2`` -> math, score, 2)."""
    return set(re.findall(r"[a-z]+|[0-9]+", name.casefold()))


def _is_row_number(name: str, values: pd.Series) -> bool:
    """Whether a numeric column looks like a row number or an ID (by name, or 1, 2, 3, ...)."""
    if _words(name) & _ROW_NUMBER_WORDS:
        return True
    numbers = values.to_numpy()
    return len(numbers) > 2 and numbers[1] - numbers[0] == 1 and bool(np.all(np.diff(numbers) == 1))


def _validates(dataset: Dataset, text: str) -> bool:
    """Whether ``text`` parses and validates on ``dataset`` (counting only rows with every value)."""
    try:
        parsed = fm.parse(text)
        complete = int(dataset.frame[list(parsed.columns())].notna().all(axis=1).sum())
        fm.validate(parsed, dataset.column_kinds(), text, levels=dataset.level_counts(), n_rows=complete)
    except FormulaError:
        return False
    return True


def _suggestions(dataset: Dataset, count: int, limits: UploadLimits) -> list[tuple[str, str]]:
    """Up to ``count`` formulas worth trying on ``dataset``, each with a line on why."""
    frame = dataset.frame
    all_facts = column_facts(dataset)
    numeric = [
        c.name
        for c, facts in zip(dataset.columns, all_facts, strict=True)
        if c.kind == "numeric" and facts.low < facts.high and not _is_row_number(c.name, frame[c.name])
    ]
    if not numeric:
        return []
    flags = _flags(dataset, all_facts, limits)
    groups = [
        c.name
        for c in dataset.columns
        if c.kind == "categorical" and c.name not in flags and 2 <= len(c.levels) <= limits.max_levels
    ]
    y = next((n for n in numeric if _words(n) & _OUTCOME_WORDS), numeric[0])
    xs = [n for n in numeric if n != y]

    def term(name: str) -> str:
        return fm.factor_text(fm.Column(name))

    def code(name: str) -> str:
        return f"`{shown(name, 40)}`"

    options: list[tuple[str, str]] = []
    if xs and groups:
        x, g = xs[0], groups[0]
        options.append(
            (
                f"{term(y)} ~ {term(x)} + {term(g)}",
                f"One slope for {code(x)} and a separate intercept for each level of {code(g)}: parallel lines.",
            )
        )
    if xs:
        options.append(
            (f"{term(y)} ~ {term(xs[0])}", f"Simple regression: how {code(y)} changes with {code(xs[0])}.")
        )
    if xs and groups:
        options.append(
            (
                f"{term(y)} ~ {term(xs[0])} * {term(groups[0])}",
                f"An interaction: the slope for {code(xs[0])} may differ between the levels of "
                f"{code(groups[0])}.",
            )
        )
    if len(xs) > 1:
        options.append(
            (
                f"{term(y)} ~ {term(xs[0])} + {term(xs[1])}",
                f"Two numeric predictors: the slope for {code(xs[0])} holding {code(xs[1])} fixed.",
            )
        )
    if groups:
        options.append(
            (f"{term(y)} ~ {term(groups[0])}", f"The mean {code(y)} in each level of {code(groups[0])}.")
        )
    if xs:
        square = fm.factor_text(fm.Call("I", fm.BinOp("**", fm.Column(xs[0]), fm.Number(2.0))))
        options.append(
            (f"{term(y)} ~ {term(xs[0])} + {square}", f"A curve: {code(y)} against {code(xs[0])}.")
        )
    usable = [(text, why) for text, why in options if _validates(dataset, text)]
    return usable[:count]


def suggest_formulas(dataset: Dataset, count: int = 3, limits: UploadLimits | None = None) -> tuple[str, ...]:
    """Up to ``count`` formulas worth trying on ``dataset``; each parses and validates on it.

    The response is the first numeric column whose name suggests an outcome (score, price, y, ...), else
    the first numeric column; row numbers, IDs and constant columns are left out.
    """
    return tuple(text for text, _ in _suggestions(dataset, count, limits or UploadLimits()))


def _column_line(info: ColumnInfo, facts: ColumnFacts, flag: str | None) -> str:
    """One markdown line on a column: its type and range, or levels, or why it is flagged."""
    name = f"`{shown(info.name, 48)}`"
    gaps = f", {facts.missing:,} missing" if facts.missing else ""
    if info.kind == "numeric":
        return f"{name} — numeric ({value_text(facts.low)}–{value_text(facts.high)}){gaps}"
    if flag:
        return f"{name} — categorical ⚠ {flag}"
    listed = ", ".join(f"`{shown(level, 24)}`" for level in info.levels[:_SHOWN_LEVELS])
    more = f" … and {facts.levels - _SHOWN_LEVELS} more" if facts.levels > _SHOWN_LEVELS else ""
    return f"{name} — categorical, {facts.levels} levels: {listed}{more}{gaps}"


def describe_columns(dataset: Dataset, limits: UploadLimits | None = None) -> str:
    """One markdown line per column, cut visibly (``… and N more columns``) to stay under 3000 characters."""
    flags = flagged_columns(dataset, limits)
    lines = [
        _column_line(info, facts, flags.get(info.name))
        for info, facts in zip(dataset.columns, column_facts(dataset), strict=True)
    ]
    return join_within(lines, DESCRIBE_LIMIT, "columns")
