"""An upload's stored form, written once when it is checked: typed columns plus a JSON schema.

``encode`` turns a checked upload into two values for the database: the columns as a numpy archive
(``.npz``: each numeric column in the narrowest dtype that holds its values exactly, each categorical
column as integer codes, -1 for missing, with its levels as UTF-8 JSON bytes) and a JSON schema (names,
kinds, level counts and at most ``KEPT_LEVELS`` levels per column, row count, version, what
``/dataset info`` says about each column, the suggested formulas). Reading never unpickles
(``allow_pickle=False``) and never parses the CSV again: worker processes rebuild the rows with
``read_typed``; the bot process keeps only ``read_info``'s ``UploadInfo``, which has no rows, so what it
reads and keeps per upload stays small however many rows or levels (an ID column) the upload has.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from bot.regression.csvfile import number, shown
from bot.regression.datasets import ColumnInfo, Dataset

FORMAT = 1
# Levels the schema (so the bot process) keeps per column: more than any predictor may have (formula.py's
# limit is 50); a column with more (an ID, free text) keeps its first ones.
KEPT_LEVELS = 100
_INTEGERS = (np.int8, np.int16, np.int32)


@dataclass(frozen=True)
class ColumnFacts:
    """What is said about a column without its rows: missing cells, range or level count, a likely typo.

    ``low`` and ``high`` are a numeric column's smallest and largest values; ``typo`` is, for a categorical
    column whose levels are mostly numbers, the first level that is not one.
    """

    name: str
    missing: int
    low: float = math.nan
    high: float = math.nan
    levels: int = 0
    typo: str | None = None


@dataclass(frozen=True)
class UploadInfo(Dataset):
    """An upload as the bot process keeps it: columns, kinds, levels, row count and facts, but no rows.

    ``frame`` has no columns, only an index as long as the data (``len(frame)`` is the row count); the
    workers read the rows from the store. A column with more than ``KEPT_LEVELS`` levels keeps only its
    first ones, so ``level_counts`` reads the counts from ``facts``.
    """

    facts: tuple[ColumnFacts, ...] = ()

    def level_counts(self) -> dict[str, int]:
        """Each categorical column's name mapped to its number of levels."""
        return {
            f.name: f.levels for f, c in zip(self.facts, self.columns, strict=True) if c.kind == "categorical"
        }


def upload_fields(name: str, description: str, filename: str, source: str) -> dict[str, str]:
    """The documentation every uploaded dataset carries: a title from its file name, and defaults."""
    return {
        "name": name,
        "title": f"Uploaded: {shown(filename, 100)}" if filename else "Uploaded dataset",
        "description": description.strip() or "A dataset uploaded by an instructor.",
        "source": source.strip() or "Uploaded by an instructor.",
        "licence": "As stated by the uploader.",
        "row_noun": "rows",
    }


def _typo(levels: Sequence[str]) -> str | None:
    """The first level that is not a number when at least 80% of ``levels`` are numbers."""
    allowed = 0.2 * len(levels)
    text: list[str] = []
    for level in levels:
        if number(level, decimal_comma=True) is None:
            text.append(level)
            if len(text) > allowed:
                return None
    return text[0] if text else None


def column_facts(dataset: Dataset) -> tuple[ColumnFacts, ...]:
    """The facts of every column (read from the stored schema for an ``UploadInfo``)."""
    if isinstance(dataset, UploadInfo):
        return dataset.facts
    facts = []
    for info in dataset.columns:
        series = dataset.frame[info.name]
        if info.kind == "numeric":
            values = series.to_numpy(dtype=np.float64)
            low, high = float(np.fmin.reduce(values)), float(np.fmax.reduce(values))  # NaN skipped
            facts.append(ColumnFacts(info.name, int(np.isnan(values).sum()), low, high))
        else:
            missing = int((series.cat.codes.to_numpy() < 0).sum())
            typo = _typo(info.levels) if len(info.levels) > 1 else None
            facts.append(ColumnFacts(info.name, missing, levels=len(info.levels), typo=typo))
    return tuple(facts)


def _narrow(values: np.ndarray) -> np.ndarray:
    """``values`` (float64) in the smallest dtype that gives them back exactly."""
    whole = not np.isnan(values).any() and np.array_equal(np.trunc(values), values)
    if whole and not np.signbit(values[values == 0]).any():
        for dtype in _INTEGERS:
            bounds = np.iinfo(dtype)
            if bounds.min <= values.min() and values.max() <= bounds.max:
                return values.astype(dtype)
    single = values.astype(np.float32)
    return single if np.array_equal(single.astype(np.float64), values, equal_nan=True) else values


def _codes(series: pd.Series) -> np.ndarray:
    """A categorical column's codes (-1 for missing) in the smallest integer dtype that holds them."""
    codes = series.cat.codes.to_numpy()
    dtype = next(d for d in _INTEGERS if len(series.cat.categories) <= np.iinfo(d).max)
    return codes.astype(dtype)


def _utf8(levels: Sequence[str]) -> np.ndarray:
    """A column's levels as UTF-8 JSON bytes, an array an archive holds without pickling."""
    return np.frombuffer(json.dumps(list(levels), ensure_ascii=False).encode(), dtype=np.uint8)


def encode(dataset: Dataset) -> tuple[bytes, str]:
    """A checked upload's typed columns (a numpy archive) and its schema (JSON), for the store."""
    arrays: dict[str, np.ndarray] = {}
    columns: list[dict[str, Any]] = []
    for i, (info, facts) in enumerate(zip(dataset.columns, column_facts(dataset), strict=True)):
        series = dataset.frame[info.name]
        column: dict[str, Any] = {"name": info.name, "kind": info.kind, "missing": facts.missing}
        if info.kind == "numeric":
            arrays[f"c{i}"] = _narrow(series.to_numpy(dtype=np.float64))
            column |= {"low": facts.low, "high": facts.high}
        else:
            arrays[f"c{i}"], arrays[f"l{i}"] = _codes(series), _utf8(info.levels)
            column |= {"levels": list(info.levels[:KEPT_LEVELS]), "count": facts.levels, "typo": facts.typo}
        columns.append(column)
    buffer = io.BytesIO()
    np.savez(buffer, allow_pickle=False, **arrays)
    schema = {
        "format": FORMAT,
        "version": dataset.version,
        "rows": len(dataset.frame),
        "columns": columns,
        "examples": [list(pair) for pair in zip(dataset.examples, dataset.example_notes, strict=True)],
    }
    return buffer.getvalue(), json.dumps(schema, ensure_ascii=False, allow_nan=False)


def _schema(text: str) -> dict[str, Any]:
    """A stored schema, checked to be one this code writes."""
    schema = json.loads(text)
    if not isinstance(schema, dict) or schema.get("format") != FORMAT:
        raise ValueError(f"unknown stored upload schema (format {schema.get('format')!r})")
    return schema


def _infos(
    schema: dict[str, Any], levels_of: Callable[[int], Sequence[str]] | None = None
) -> tuple[tuple[ColumnInfo, ...], tuple[ColumnFacts, ...]]:
    """The columns and their facts; each column's levels from ``levels_of(index)``, else the schema's."""
    infos, facts = [], []
    for i, column in enumerate(schema["columns"]):
        name, missing = str(column["name"]), int(column["missing"])
        if column["kind"] == "numeric":
            infos.append(ColumnInfo(name, "numeric", "Uploaded column (numeric)."))
            facts.append(ColumnFacts(name, missing, float(column["low"]), float(column["high"])))
            continue
        levels = tuple(levels_of(i) if levels_of else column["levels"])
        infos.append(ColumnInfo(name, "categorical", "Uploaded column (categorical).", levels=levels))
        facts.append(ColumnFacts(name, missing, levels=int(column["count"]), typo=column["typo"]))
    return tuple(infos), tuple(facts)


def _documented(schema: dict[str, Any], fields: dict[str, str], guild_id: int | None) -> dict[str, Any]:
    """The Dataset arguments every reading of ``schema`` shares."""
    examples = [tuple(pair) for pair in schema["examples"]]
    return fields | {
        "examples": tuple(str(formula) for formula, _ in examples),
        "example_notes": tuple(str(why) for _, why in examples),
        "version": str(schema["version"]),
        "guild_id": guild_id,
    }


def read_info(schema_text: str, fields: dict[str, str], guild_id: int | None) -> UploadInfo:
    """The bot process's view of a stored upload: its schema, no rows (``fields``: ``upload_fields``)."""
    schema = _schema(schema_text)
    columns, facts = _infos(schema)
    frame = pd.DataFrame(index=pd.RangeIndex(int(schema["rows"])))
    return UploadInfo(columns=columns, frame=frame, facts=facts, **_documented(schema, fields, guild_id))


def read_typed(typed: bytes, schema_text: str, fields: dict[str, str], guild_id: int | None) -> Dataset:
    """A stored upload with its rows, as a worker needs it: typed exactly as when it was checked."""
    schema = _schema(schema_text)
    rows = int(schema["rows"])
    with np.load(io.BytesIO(typed), allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    columns, _ = _infos(schema, lambda i: json.loads(arrays[f"l{i}"].tobytes()))
    data: dict[str, Any] = {}
    for i, info in enumerate(columns):
        values = arrays[f"c{i}"]
        if values.shape != (rows,):
            raise ValueError(f"stored upload column {i} has shape {values.shape}, expected ({rows},)")
        if info.kind == "numeric":
            data[info.name] = values.astype(np.float64)
        else:
            data[info.name] = pd.Categorical.from_codes(values, categories=list(info.levels))
    frame = pd.DataFrame(data, index=pd.RangeIndex(rows))
    return Dataset(columns=columns, frame=frame, **_documented(schema, fields, guild_id))
