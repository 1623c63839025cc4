"""Datasets behind one registry: the bundled ones from ``data/manifest.toml`` (and, later, uploads)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

DATA_DIR = Path(__file__).resolve().parents[2] / "data"


@dataclass(frozen=True)
class ColumnInfo:
    """One column: its type, what it means, its unit, and (categorical) its levels, baseline first."""

    name: str
    kind: Literal["numeric", "categorical"]
    description: str
    unit: str | None = None
    levels: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """Axis label: the name with its unit, e.g. ``completed (items)``."""
        return f"{self.name} ({self.unit})" if self.unit else self.name


@dataclass(frozen=True)
class Dataset:
    """A dataset with its documentation. ``frame`` holds the rows (categoricals as pandas Categorical)."""

    name: str
    title: str
    description: str
    source: str
    licence: str
    columns: tuple[ColumnInfo, ...]
    examples: tuple[str, ...]
    frame: pd.DataFrame = field(compare=False, repr=False)
    version: str = ""

    def column(self, name: str) -> ColumnInfo:
        """The column called ``name``; raises ``FormulaError``-free ``KeyError`` when absent."""
        raise NotImplementedError


class DatasetRegistry:
    """Looks datasets up by name."""

    def get(self, name: str) -> Dataset:
        """The dataset called ``name``; raises ``UnknownDatasetError`` with close names otherwise."""
        raise NotImplementedError

    def names(self) -> tuple[str, ...]:
        """All dataset names, bundled first."""
        raise NotImplementedError

    def all(self) -> tuple[Dataset, ...]:
        """All datasets in the order of ``names()``."""
        raise NotImplementedError

    @classmethod
    def bundled(cls) -> DatasetRegistry:
        """The registry of the datasets shipped in ``data/`` (cached: loaded once per process)."""
        raise NotImplementedError
