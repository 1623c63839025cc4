"""Datasets behind one registry: the bundled ones from ``data/manifest.toml`` (and, later, uploads).

The manifest documents every bundled CSV (see its header comment for the format). Loading checks the
manifest against the CSV and raises ``ManifestError`` when they disagree: that is a developer error, found
at start, never a user's. Per-server uploads will join through ``DatasetRegistry.with_extra``, which
returns a new registry, so the bundled one stays shared and unchanged.
"""

from __future__ import annotations

import functools
import hashlib
import io
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from bot.regression.errors import UnknownDatasetError, suggestion

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
MANIFEST = "manifest.toml"
KINDS = ("numeric", "categorical")


class ManifestError(Exception):
    """The manifest is malformed or disagrees with a CSV (a developer error, raised at load)."""


@dataclass(frozen=True)
class ColumnInfo:
    """One column: its type, what it means, its unit, and (categorical) its levels, baseline first.

    ``noun`` is how the column reads in a sentence ("number of completed items"); ``assigned`` says how an
    experiment assigned its values, when one did ("presumably at random: ..."); ``bounds`` the smallest
    and largest values the scale allows (a grade from 0 to 20), when the manifest gives them.
    """

    name: str
    kind: Literal["numeric", "categorical"]
    description: str
    unit: str | None = None
    levels: tuple[str, ...] = ()
    noun: str | None = None
    assigned: str | None = None
    bounds: tuple[float, float] | None = None

    @property
    def label(self) -> str:
        """Axis label: the name with its unit, e.g. ``completed (items)``."""
        return f"{self.name} ({self.unit})" if self.unit else self.name


@dataclass(frozen=True)
class Dataset:
    """A dataset with its documentation. ``frame`` holds the rows (categoricals as pandas Categorical).

    Numeric columns are float64 (missing values NaN); categorical columns have the levels of ``columns``
    as categories, baseline first. Treat ``frame`` as read-only: it is shared by every caller.
    ``example_notes`` says, for each formula in ``examples``, why it is worth trying; ``row_noun`` what one
    row is, in the plural ("students"), for explanations.
    """

    name: str
    title: str
    description: str
    source: str
    licence: str
    columns: tuple[ColumnInfo, ...]
    examples: tuple[str, ...]
    frame: pd.DataFrame = field(compare=False, repr=False)
    version: str = ""
    example_notes: tuple[str, ...] = ()
    row_noun: str = "rows"
    guild_id: int | None = None

    @property
    def ref(self) -> str:
        """How worker processes find this dataset: its name, or ``upload:<guild>:<name>:<version>``."""
        return self.name if self.guild_id is None else f"upload:{self.guild_id}:{self.name}:{self.version}"

    @property
    def row_noun_plural(self) -> str:
        """What the rows are, plural (``students``)."""
        return self.row_noun

    def column(self, name: str) -> ColumnInfo:
        """The column called exactly ``name``; raises ``KeyError`` when absent."""
        for info in self.columns:
            if info.name == name:
                return info
        raise KeyError(name)

    def column_kinds(self) -> dict[str, Literal["numeric", "categorical"]]:
        """Each column's name mapped to ``"numeric"`` or ``"categorical"``, in column order."""
        return {info.name: info.kind for info in self.columns}

    def level_counts(self) -> dict[str, int]:
        """Each categorical column's name mapped to its number of levels."""
        return {info.name: len(info.levels) for info in self.columns if info.kind == "categorical"}


def _require(entry: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    """``entry[key]``, checked to be a ``kind``; raises ``ManifestError`` naming ``where`` otherwise."""
    value = entry.get(key)
    if not isinstance(value, kind):
        raise ManifestError(f"{where}: `{key}` must be a {kind.__name__}, got {value!r}")
    return value


def _column_info(entry: Mapping[str, Any], where: str) -> ColumnInfo:
    """One ``[[datasets.columns]]`` table as a ``ColumnInfo``."""
    name = _require(entry, "name", str, where)
    where = f"{where} column {name!r}"
    kind = _require(entry, "type", str, where)
    if kind not in KINDS:
        raise ManifestError(f"{where}: `type` must be one of {KINDS}, got {kind!r}")
    levels = tuple(entry.get("levels", ()))
    if kind == "categorical" and (len(levels) < 2 or len(set(levels)) != len(levels)):
        raise ManifestError(f"{where}: a categorical column needs two or more distinct `levels`")
    if kind == "numeric" and levels:
        raise ManifestError(f"{where}: a numeric column has no `levels`")
    optional = {key: entry.get(key) for key in ("unit", "noun", "assigned")}
    for key, value in optional.items():
        if value is not None and not isinstance(value, str):
            raise ManifestError(f"{where}: `{key}` must be a str, got {value!r}")
    bounds = entry.get("bounds")
    if bounds is not None and not (
        isinstance(bounds, list)
        and len(bounds) == 2
        and all(isinstance(b, int | float) for b in bounds)
        and bounds[0] < bounds[1]
        and kind == "numeric"
    ):
        raise ManifestError(
            f"{where}: `bounds` must be [low, high] numbers of a numeric column, got {bounds!r}"
        )
    return ColumnInfo(
        name,
        kind,
        _require(entry, "description", str, where),
        optional["unit"],
        levels,
        optional["noun"],
        optional["assigned"],
        (float(bounds[0]), float(bounds[1])) if bounds else None,
    )


def _read_frame(data: bytes, columns: tuple[ColumnInfo, ...], rows: int, where: str) -> pd.DataFrame:
    """Parse CSV bytes with the manifest's types; only empty cells count as missing."""
    dtypes = {c.name: "float64" if c.kind == "numeric" else str for c in columns}
    try:
        frame = pd.read_csv(io.BytesIO(data), dtype=dtypes, keep_default_na=False, na_values=[""])
    except ValueError as exc:
        raise ManifestError(f"{where}: a numeric column holds text ({exc})") from exc
    expected = [c.name for c in columns]
    if list(frame.columns) != expected:
        raise ManifestError(
            f"{where}: CSV columns {list(frame.columns)} differ from the manifest's {expected}"
        )
    if len(frame) != rows:
        raise ManifestError(f"{where}: CSV has {len(frame)} rows, the manifest says {rows}")
    for info in columns:
        if info.bounds is not None:
            values = frame[info.name].dropna()
            if len(values) and not (info.bounds[0] <= values.min() and values.max() <= info.bounds[1]):
                raise ManifestError(f"{where} column {info.name!r}: values outside its bounds {info.bounds}")
        if info.kind == "categorical":
            seen = set(frame[info.name].dropna())
            if seen != set(info.levels):
                raise ManifestError(
                    f"{where} column {info.name!r}: CSV levels {sorted(seen)} differ from the manifest's "
                    f"{sorted(info.levels)}"
                )
            frame[info.name] = pd.Categorical(frame[info.name], categories=list(info.levels))
    return frame


def _dataset(entry: Mapping[str, Any], data_dir: Path) -> Dataset:
    """One ``[[datasets]]`` table and its CSV as a ``Dataset``."""
    name = _require(entry, "name", str, "manifest")
    where = f"dataset {name!r}"
    columns = tuple(_column_info(c, where) for c in _require(entry, "columns", list, where))
    examples = _require(entry, "examples", list, where)
    path = data_dir / _require(entry, "file", str, where)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ManifestError(f"{where}: cannot read {path}: {exc}") from exc
    return Dataset(
        name=name,
        title=_require(entry, "title", str, where),
        description=_require(entry, "description", str, where).strip(),
        source=_require(entry, "source", str, where).strip(),
        licence=_require(entry, "licence", str, where).strip(),
        columns=columns,
        examples=tuple(_require(e, "formula", str, where) for e in examples),
        frame=_read_frame(data, columns, _require(entry, "rows", int, where), where),
        version=hashlib.sha256(data).hexdigest()[:12],
        example_notes=tuple(_require(e, "why", str, where) for e in examples),
        row_noun=str(entry.get("rows_are", "rows")),
    )


def load_datasets(data_dir: Path = DATA_DIR) -> tuple[Dataset, ...]:
    """Every dataset described by ``data_dir/manifest.toml``, in manifest order; ``ManifestError`` if bad."""
    try:
        manifest = tomllib.loads((data_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ManifestError(f"cannot read {data_dir / MANIFEST}: {exc}") from exc
    return tuple(_dataset(entry, data_dir) for entry in _require(manifest, "datasets", list, "manifest"))


class DatasetRegistry:
    """Looks datasets up by name (case-insensitively); immutable once built.

    ``DatasetRegistry.bundled()`` is the shared registry of ``data/``. A server's uploads will be served by
    ``DatasetRegistry.bundled().with_extra(uploads)``: a new registry listing the bundled datasets first.
    """

    def __init__(self, datasets: Iterable[Dataset] = ()) -> None:
        self._by_key: dict[str, Dataset] = {}
        for dataset in datasets:
            key = dataset.name.lower()
            if key in self._by_key:
                raise ValueError(f"two datasets are called {dataset.name!r}")
            self._by_key[key] = dataset

    def get(self, name: str) -> Dataset:
        """The dataset called ``name``; raises ``UnknownDatasetError`` with close names otherwise."""
        found = self._by_key.get(name.strip().lower())
        if found is None:
            shown = name.strip()[:100].replace("`", "'")
            raise UnknownDatasetError(
                f"There is no dataset called `{shown}`.", suggestion(shown, self.names(), what="dataset")
            )
        return found

    def names(self) -> tuple[str, ...]:
        """All dataset names, bundled first."""
        return tuple(d.name for d in self._by_key.values())

    def all(self) -> tuple[Dataset, ...]:
        """All datasets in the order of ``names()``."""
        return tuple(self._by_key.values())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.strip().lower() in self._by_key

    def __len__(self) -> int:
        return len(self._by_key)

    def with_extra(self, datasets: Iterable[Dataset]) -> DatasetRegistry:
        """A new registry with ``datasets`` after these; a name already taken raises ``ValueError``."""
        return DatasetRegistry((*self.all(), *datasets))

    @classmethod
    @functools.cache
    def bundled(cls) -> DatasetRegistry:
        """The registry of the datasets shipped in ``data/`` (cached: loaded once per process)."""
        return cls(load_datasets(DATA_DIR))
