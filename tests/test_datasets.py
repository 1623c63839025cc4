"""The bundled datasets: manifest against CSV, the lecture's figures, the registry's look-ups."""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest
import statsmodels.formula.api as smf

from bot.regression.datasets import (
    DATA_DIR,
    ColumnInfo,
    Dataset,
    DatasetRegistry,
    ManifestError,
    load_datasets,
)
from bot.regression.errors import UnknownDatasetError

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "datasets"
BUNDLED = ("codecademy", "students", "penguins", "grunfeld", "statecrime", "stackloss")
EXAMPLES = [(d.name, f) for d in load_datasets() for f in d.examples]

# The figures ../shared/datasets/README.md quotes (checked against its text when it is present).
CODECADEMY_FIT = {"Intercept": 18.3438, "lesson[T.Lesson B]": -13.1860, "completed": 1.3544}
CODECADEMY_SIMPLE = {"Intercept": 13.2141, "completed": 1.3068}
STUDENTS_FIT = {"Intercept": 0.880, "math1": 0.111, "port1": 0.861}


@pytest.fixture(scope="module")
def registry() -> DatasetRegistry:
    return DatasetRegistry.bundled()


def params(dataset: Dataset, formula: str, digits: int) -> dict[str, float]:
    """OLS estimates of ``formula`` on ``dataset``, rounded."""
    fitted = smf.ols(formula, dataset.frame).fit()
    return {name: round(float(value), digits) for name, value in fitted.params.items()}


def test_manifest_lists_the_bundled_datasets(registry: DatasetRegistry) -> None:
    assert registry.names() == BUNDLED
    assert [d.name for d in registry.all()] == list(BUNDLED)
    for dataset in registry.all():
        assert dataset.title and dataset.description and dataset.source and dataset.licence
        assert 2 <= len(dataset.examples) <= 4
        assert len(dataset.example_notes) == len(dataset.examples)
        assert all(c.description for c in dataset.columns)


@pytest.mark.parametrize("name", BUNDLED)
def test_columns_match_the_csv(registry: DatasetRegistry, name: str) -> None:
    dataset = registry.get(name)
    raw = pd.read_csv(DATA_DIR / f"{name}.csv", keep_default_na=False, na_values=[""])
    assert [c.name for c in dataset.columns] == list(raw.columns) == list(dataset.frame.columns)
    assert len(dataset.frame) == len(raw)
    for info in dataset.columns:
        column = dataset.frame[info.name]
        if info.kind == "numeric":
            assert column.dtype == "float64"
            assert pd.api.types.is_numeric_dtype(raw[info.name])
        else:
            assert isinstance(column.dtype, pd.CategoricalDtype)
            assert tuple(column.cat.categories) == info.levels
            assert set(raw[info.name].dropna()) == set(info.levels)
            assert column.isna().sum() == raw[info.name].isna().sum()


def test_baselines_come_first(registry: DatasetRegistry) -> None:
    assert registry.get("codecademy").column("lesson").levels == ("Lesson A", "Lesson B")
    assert registry.get("penguins").frame["species"].cat.categories[0] == "Adelie"
    assert registry.get("students").column("school").levels[0] == "GP"


def test_row_counts(registry: DatasetRegistry) -> None:
    rows = {d.name: len(d.frame) for d in registry.all()}
    assert rows == {
        "codecademy": 100,
        "students": 382,
        "penguins": 344,
        "grunfeld": 220,
        "statecrime": 51,
        "stackloss": 21,
    }


def test_codecademy_reproduces_the_lecture(registry: DatasetRegistry) -> None:
    codecademy = registry.get("codecademy")
    assert params(codecademy, "score ~ lesson + completed", 4) == CODECADEMY_FIT
    assert params(codecademy, "score ~ lesson + completed", 2) == {
        "Intercept": 18.34,
        "lesson[T.Lesson B]": -13.19,
        "completed": 1.35,
    }
    assert params(codecademy, "score ~ completed", 4) == CODECADEMY_SIMPLE


def test_students_reproduce_the_lecture(registry: DatasetRegistry) -> None:
    assert params(registry.get("students"), "port3 ~ math1 + port1", 3) == STUDENTS_FIT


def test_penguins_slope_flips_sign_within_species(registry: DatasetRegistry) -> None:
    penguins = registry.get("penguins")
    overall = params(penguins, "bill_depth_mm ~ bill_length_mm", 6)["bill_length_mm"]
    within = params(penguins, "bill_depth_mm ~ bill_length_mm + species", 6)["bill_length_mm"]
    assert -0.09 < overall < -0.08
    assert round(within, 2) == 0.20


@pytest.mark.skipif(not (SHARED / "README.md").exists(), reason="../shared/datasets is not checked out")
def test_quoted_figures_are_the_shared_readmes() -> None:
    readme = " ".join((SHARED / "README.md").read_text(encoding="utf-8").split())
    assert "Intercept 18.3438, lesson[T.Lesson B] -13.1860, completed 1.3544" in readme
    assert "13.2141 and 1.3068" in readme
    assert "Intercept 0.880, math1 0.111, port1 0.861" in readme
    assert "(382 students)" in readme


@pytest.mark.parametrize(("name", "formula"), EXAMPLES)
def test_every_example_formula_fits(registry: DatasetRegistry, name: str, formula: str) -> None:
    fitted = smf.ols(formula, registry.get(name).frame).fit()
    assert fitted.nobs > len(fitted.params)


def test_names_are_case_insensitive(registry: DatasetRegistry) -> None:
    assert registry.get("CodeCademy") is registry.get("codecademy")
    assert registry.get("  penguins ").name == "penguins"
    assert "STUDENTS" in registry
    assert "nope" not in registry
    assert len(registry) == len(BUNDLED)


def test_unknown_name_suggests_a_close_one(registry: DatasetRegistry) -> None:
    with pytest.raises(UnknownDatasetError) as caught:
        registry.get("codecadmy")
    assert "codecadmy" in caught.value.message
    assert caught.value.hint == "Did you mean `codecademy`?"


def test_unknown_name_lists_every_dataset(registry: DatasetRegistry) -> None:
    with pytest.raises(UnknownDatasetError) as caught:
        registry.get("zzz`")
    assert "`zzz'`" in caught.value.message
    assert caught.value.hint is not None
    assert caught.value.hint.startswith("The datasets are:")
    assert all(f"`{name}`" in caught.value.hint for name in BUNDLED)


def test_column_lookups(registry: DatasetRegistry) -> None:
    codecademy = registry.get("codecademy")
    assert codecademy.column("completed") == ColumnInfo(
        "completed",
        "numeric",
        "Number of other content items the student had completed on the site.",
        "items",
        noun="number of completed items",
    )
    assert codecademy.column("lesson").assigned.startswith("presumably at random")
    assert codecademy.column("completed").label == "completed (items)"
    with pytest.raises(KeyError):
        codecademy.column("Completed")
    assert codecademy.column_kinds() == {"score": "numeric", "completed": "numeric", "lesson": "categorical"}
    assert codecademy.level_counts() == {"lesson": 2}
    assert registry.get("penguins").level_counts() == {"species": 3, "island": 3, "sex": 2}


def test_version_is_a_stable_content_hash(registry: DatasetRegistry) -> None:
    for dataset in registry.all():
        digest = hashlib.sha256((DATA_DIR / f"{dataset.name}.csv").read_bytes()).hexdigest()
        assert dataset.version == digest[:12]
    assert [d.version for d in load_datasets()] == [d.version for d in registry.all()]
    assert registry.get("codecademy").version == "51684fc61320"


def test_bundled_is_loaded_once() -> None:
    assert DatasetRegistry.bundled() is DatasetRegistry.bundled()


def test_with_extra_adds_after_the_bundled(registry: DatasetRegistry) -> None:
    upload = Dataset(
        name="MyUpload",
        title="An upload",
        description="",
        source="a user",
        licence="",
        columns=(ColumnInfo("y", "numeric", "y"),),
        examples=(),
        frame=pd.DataFrame({"y": [1.0, 2.0]}),
    )
    extended = registry.with_extra([upload])
    assert extended.names() == (*BUNDLED, "MyUpload")
    assert extended.get("myupload") is upload
    assert "myupload" not in registry
    with pytest.raises(ValueError, match="two datasets"):
        extended.with_extra([upload])


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of ``data/``."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def test_a_copy_loads(data_copy: Path) -> None:
    assert [d.name for d in load_datasets(data_copy)] == list(BUNDLED)


def test_levels_that_disagree_fail_loudly(data_copy: Path) -> None:
    manifest = data_copy / "manifest.toml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace('"Lesson A", "Lesson B"', '"Lesson A", "Lesson C"'), encoding="utf-8")
    with pytest.raises(ManifestError, match="lesson"):
        load_datasets(data_copy)


def test_extra_csv_column_fails_loudly(data_copy: Path) -> None:
    csv = data_copy / "stackloss.csv"
    lines = csv.read_text().splitlines()
    csv.write_text("\n".join([lines[0] + ",extra"] + [line + ",1" for line in lines[1:]]) + "\n")
    with pytest.raises(ManifestError, match="differ from the manifest"):
        load_datasets(data_copy)


def test_text_in_a_numeric_column_fails_loudly(data_copy: Path) -> None:
    csv = data_copy / "stackloss.csv"
    csv.write_text(csv.read_text().replace("42,80,27,89", "lots,80,27,89"))
    with pytest.raises(ManifestError, match="numeric column"):
        load_datasets(data_copy)


def test_wrong_row_count_fails_loudly(data_copy: Path) -> None:
    manifest = data_copy / "manifest.toml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace("rows = 21\n", "rows = 22\n"), encoding="utf-8")
    with pytest.raises(ManifestError, match="rows"):
        load_datasets(data_copy)


def _build_script() -> ModuleType:
    """``scripts/build_datasets.py`` imported as a module."""
    spec = importlib.util.spec_from_file_location("build_datasets", ROOT / "scripts" / "build_datasets.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_build_script_reproduces_the_packaged_csvs(tmp_path: Path) -> None:
    build = _build_script()
    build.build_penguins(tmp_path)
    build.build_grunfeld(tmp_path)
    build.build_statecrime(tmp_path)
    build.build_stackloss(tmp_path)
    names = ["penguins", "grunfeld", "statecrime", "stackloss"]
    if SHARED.exists():
        build.build_codecademy(SHARED, tmp_path)
        build.build_students(SHARED, tmp_path)
        names += ["codecademy", "students"]
    for name in names:
        assert (tmp_path / f"{name}.csv").read_bytes() == (DATA_DIR / f"{name}.csv").read_bytes(), name
