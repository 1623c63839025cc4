"""Build the bundled datasets in ``data/`` from their sources, then check them.

Run by hand from the repository root when a dataset is added or changed, and commit what it writes::

    .venv/bin/python scripts/build_datasets.py [SHARED_DATASETS_DIR]

``SHARED_DATASETS_DIR`` holds ``codecademy.csv``, ``student-mat.csv`` and ``student-por.csv`` (default:
``../shared/datasets`` relative to the repository root). The penguins come from the ``palmerpenguins``
package and the rest from ``statsmodels.datasets``, both installed, so no network is needed.

The script writes ``data/<name>.csv`` only; ``data/manifest.toml`` (titles, descriptions, sources,
licences, column notes, example formulas) is written by hand. Afterwards it loads everything through the
bot's own loader, which fails if the manifest and a CSV disagree, and checks the figures the lecture and
``../shared/datasets/README.md`` quote. The CSVs are written deterministically, so rebuilding from the
same sources leaves the files (and their version hashes) unchanged.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import pandas as pd
import statsmodels.formula.api as smf
from palmerpenguins import load_penguins
from statsmodels.datasets import grunfeld, stackloss, statecrime

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a plain script: make the ``bot`` package importable

from bot.regression.datasets import DATA_DIR, load_datasets  # noqa: E402

DEFAULT_SOURCE = ROOT.parent / "shared" / "datasets"

# UCI's own merge of the Mathematics and Portuguese files (the R snippet on the dataset's page).
STUDENT_KEYS = [
    "school", "sex", "age", "address", "famsize", "Pstatus",
    "Medu", "Fedu", "Mjob", "Fjob", "reason", "nursery", "internet",
]  # fmt: skip
# Per-course columns kept from each file, suffixed with the course; the other per-course columns are dropped.
STUDENT_PER_COURSE = ["studytime", "failures", "absences"]
GRADES = {"G1": "1", "G2": "2", "G3": "3"}

# US Census Bureau regions, added to the state crime data as a categorical predictor.
CENSUS_REGIONS = {
    "Northeast": (
        "Connecticut Maine Massachusetts New_Hampshire New_Jersey New_York Pennsylvania Rhode_Island Vermont"
    ),
    "Midwest": (
        "Illinois Indiana Iowa Kansas Michigan Minnesota Missouri Nebraska North_Dakota Ohio South_Dakota "
        "Wisconsin"
    ),
    "South": (
        "Alabama Arkansas Delaware District_of_Columbia Florida Georgia Kentucky Louisiana Maryland "
        "Mississippi North_Carolina Oklahoma South_Carolina Tennessee Texas Virginia West_Virginia"
    ),
    "West": (
        "Alaska Arizona California Colorado Hawaii Idaho Montana Nevada New_Mexico Oregon Utah Washington "
        "Wyoming"
    ),
}


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` without its index; missing values become empty cells."""
    frame.to_csv(path, index=False, lineterminator="\n")


def build_codecademy(source: Path, out: Path) -> None:
    """Copy Codecademy's lesson A/B data byte for byte."""
    shutil.copyfile(source / "codecademy.csv", out / "codecademy.csv")


def build_students(source: Path, out: Path) -> None:
    """Merge UCI's Mathematics and Portuguese files on the 13 identifying attributes (382 rows)."""
    courses = {"math": "student-mat.csv", "port": "student-por.csv"}
    parts = []
    for course, filename in courses.items():
        raw = pd.read_csv(source / filename)
        renamed = {col: f"{col}_{course}" for col in STUDENT_PER_COURSE}
        renamed |= {g: f"{course}{n}" for g, n in GRADES.items()}
        parts.append(raw[STUDENT_KEYS + STUDENT_PER_COURSE + list(GRADES)].rename(columns=renamed))
    merged = parts[0].merge(parts[1], on=STUDENT_KEYS, how="inner")
    per_course = [f"{c}_{course}" for course in courses for c in STUDENT_PER_COURSE]
    grades = [f"{course}{n}" for course in courses for n in GRADES.values()]
    write_csv(merged[STUDENT_KEYS + per_course + grades], out / "students.csv")


def build_penguins(out: Path) -> None:
    """All 344 penguins from ``palmerpenguins``; missing measurements stay as empty cells."""
    write_csv(load_penguins(), out / "penguins.csv")


def build_grunfeld(out: Path) -> None:
    """Grunfeld's investment data (11 firms x 20 years) from ``statsmodels.datasets``."""
    frame = grunfeld.load_pandas().data
    write_csv(frame.astype({"year": "int64"}), out / "grunfeld.csv")


def build_statecrime(out: Path) -> None:
    """The 2009 state crime data with the state as a column (names trimmed) and its Census region added."""
    frame = statecrime.load_pandas().data.reset_index()
    frame["state"] = frame["state"].str.strip()
    region_of = {
        state.replace("_", " "): region
        for region, states in CENSUS_REGIONS.items()
        for state in states.split()
    }
    frame.insert(1, "region", frame["state"].map(region_of))
    if frame["region"].isna().any():
        raise SystemExit(f"no Census region for {frame.loc[frame['region'].isna(), 'state'].tolist()}")
    write_csv(frame, out / "statecrime.csv")


def build_stackloss(out: Path) -> None:
    """Brownlee's stack loss data with lower-case snake_case column names."""
    frame = stackloss.load_pandas().data.rename(
        columns={
            "STACKLOSS": "stack_loss",
            "AIRFLOW": "air_flow",
            "WATERTEMP": "water_temp",
            "ACIDCONC": "acid_conc",
        }
    )
    write_csv(frame.astype("int64"), out / "stackloss.csv")


def check(out: Path) -> None:
    """Load ``out`` with the bot's loader and check the quoted figures; raise SystemExit on a mismatch."""
    datasets = {d.name: d for d in load_datasets(out)}
    expected = [
        ("codecademy", "score ~ lesson + completed", [18.34, -13.19, 1.35], 2),
        ("students", "port3 ~ math1 + port1", [0.880, 0.111, 0.861], 3),
        ("penguins", "bill_depth_mm ~ bill_length_mm", [20.885, -0.085], 3),
        ("penguins", "bill_depth_mm ~ bill_length_mm + species", [10.592, -1.933, -5.106, 0.200], 3),
    ]
    if len(datasets["students"].frame) != 382:
        raise SystemExit(f"students has {len(datasets['students'].frame)} rows, expected 382")
    for name, formula, figures, digits in expected:
        params = smf.ols(formula, datasets[name].frame).fit().params
        got = [round(float(v), digits) for v in params]
        if got != figures:
            raise SystemExit(f"{name}: {formula} gave {got}, expected {figures}")
        print(f"ok  {name}: {formula} -> {got}")
    for dataset in datasets.values():
        for formula in dataset.examples:
            smf.ols(formula, dataset.frame).fit()
        print(f"ok  {dataset.name}: {len(dataset.frame)} rows, version {dataset.version}")


def main(argv: list[str] | None = None) -> None:
    """Parse the arguments, write every CSV into ``data/``, then check the result."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE, help="shared datasets folder")
    args = parser.parse_args(argv)
    DATA_DIR.mkdir(exist_ok=True)
    build_codecademy(args.source, DATA_DIR)
    build_students(args.source, DATA_DIR)
    build_penguins(DATA_DIR)
    build_grunfeld(DATA_DIR)
    build_statecrime(DATA_DIR)
    build_stackloss(DATA_DIR)
    check(DATA_DIR)


if __name__ == "__main__":
    main()
