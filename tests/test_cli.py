"""The offline CLI, run as a newcomer would: ``python -m bot ...`` in a subprocess, no token, no network."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISCORD_TOKEN", "DISCORD_API_BASE_URL")}
    env["MPLBACKEND"] = "Agg"
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_datasets():
    result = run("datasets")
    assert result.returncode == 0, result.stderr
    for name in ("codecademy", "students", "penguins"):
        assert name in result.stdout


def test_describe():
    result = run("describe", "codecademy")
    assert result.returncode == 0, result.stderr
    assert "score" in result.stdout and "Lesson A" in result.stdout


def test_fit_prints_every_step_and_writes_figures(tmp_path):
    result = run("fit", "codecademy", "score ~ lesson + completed", "--out", str(tmp_path), "--theme", "dark")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "=== Step 1/10: The question and the data ===" in out
    assert "18.34 − 13.19 = 5.16" in out and "18.34 + 1.35 × 35 = 65.75" in out
    pngs = sorted(p.name for p in tmp_path.glob("*.png"))
    assert pngs == ["step1.png", "step10.png", "step6.png", "step9.png"]
    assert all((tmp_path / p).read_bytes().startswith(b"\x89PNG") for p in pngs)
    assert "[alt text: Scatter plot" in out


def test_predict_shows_the_arithmetic():
    result = run("predict", "codecademy", "score ~ lesson + completed", "completed=35", "lesson=Lesson A")
    assert result.returncode == 0, result.stderr
    assert "18.34 + 1.35 × 35 = 65.75" in result.stdout
    assert "prediction interval" in result.stdout


def test_compare(tmp_path):
    result = run(
        "compare",
        "penguins",
        "bill_depth_mm ~ bill_length_mm",
        "bill_depth_mm ~ bill_length_mm + species",
        "--out",
        str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert "The sign flips" in result.stdout and "F-test" in result.stdout
    assert list(tmp_path.glob("*.png"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("fit", "codecadmy", "score ~ completed"), "Did you mean `codecademy`"),
        (("fit", "codecademy", "score ~ lessons"), "Did you mean `lesson`"),
        (("fit", "codecademy", "score ~ __import__('os').system('echo hi')"), "error:"),
        (("predict", "codecademy", "score ~ completed", "completed=lots"), "needs a number"),
        (("compare", "codecademy", "score ~ completed", "completed ~ score"), "predict different things"),
        (("quiz", "codecademy", "score ~ completed", "--kind", "baseline"), "no categorical predictor"),
        (("interpret", "codecademy", "score ~ completed", "lessons", "It goes up."), "not a coefficient"),
    ],
)
def test_bad_input_is_one_clear_message(args, message):
    result = run(*args)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr and result.stderr.startswith("error: ")


def test_interpret_checks_a_reading_with_a_model_answer_and_why():
    result = run(
        "interpret", "codecademy", "score ~ lesson + completed", "lesson", "Lesson B scores 13.19 on average."
    )
    assert result.returncode == 0, result.stderr
    assert "Your reading of b₁ (lesson[T.Lesson B])" in result.stdout and "❌ baseline" in result.stdout
    assert (
        "A model answer for lesson[T.Lesson B]" in result.stdout and "Why: two predictions" in result.stdout
    )


def test_quiz_asks_then_checks_an_answer_with_the_same_seed():
    asked = run("quiz", "codecademy", "score ~ lesson + completed", "--kind", "predict", "--seed", "11")
    assert asked.returncode == 0, asked.stderr
    assert "=== Quiz: Predict ŷ for a stated case (seed 11) ===" in asked.stdout
    assert "--seed 11 --kind predict --answer A" in asked.stdout
    options = re.findall(r"^([A-D])\. ŷ = (−?[\d.]+)$", asked.stdout, flags=re.MULTILINE)
    assert [letter for letter, _ in options] == list("ABCD")
    checked = run(
        "quiz",
        "codecademy",
        "score ~ lesson + completed",
        "--kind",
        "predict",
        "--seed",
        "11",
        "--answer",
        "C",
    )
    assert checked.returncode == 0, checked.stderr
    assert asked.stdout.split("Your answer?")[0] in checked.stdout
    assert re.search(r"=== (✅ Right: C|❌ Not quite: the answer is [ABD]) ===", checked.stdout)
    assert "=== Worked solution ===" in checked.stdout


def test_runs_from_another_directory(tmp_path):
    result = run("fit", "codecademy", "score ~ completed", "--out", str(tmp_path / "figs"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "figs" / "step1.png").exists()


def test_the_bot_without_a_token_says_how_to_get_one(tmp_path):
    result = run("--config", str(tmp_path / "missing.toml"), cwd=tmp_path)
    assert result.returncode == 2
    assert "No Discord token found" in result.stderr and "python -m bot fit codecademy" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_broken_config_names_the_key(tmp_path):
    (tmp_path / "config.toml").write_text("[workers]\nprocesses = 'many'\n")
    result = run("--config", str(tmp_path / "config.toml"), cwd=tmp_path)
    assert result.returncode == 2 and "[workers] processes must be a int" in result.stderr


# ---------------------------------------------------------------------------------------------- CSV files

GRADES = "hours,grade,group\n1,52,north\n3,55,south\n2,61,north\n5,64,south\n4,70,north\n7,71,south\n6,79,north\n8,83,south\n"


def grades_file(folder: Path, name: str = "grades.csv", text: str = GRADES) -> Path:
    """A small gradebook written into ``folder``."""
    path = folder / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


TERMS = ("Intercept", "group[T.south]", "hours")


def least_squares(text: str) -> list[float]:
    """Intercept, group south and hours of ``grade ~ hours + group``, by numpy alone."""
    rows = [line.split(",") for line in text.splitlines()[1:]]
    hours = np.array([float(r[0]) for r in rows])
    grade = np.array([float(r[1]) for r in rows])
    south = np.array([r[2] == "south" for r in rows], dtype=float)
    design = np.column_stack([np.ones(len(rows)), south, hours])
    return list(np.linalg.lstsq(design, grade, rcond=None)[0])


def test_fit_reads_a_csv_file(tmp_path):
    path = grades_file(tmp_path)
    result = run("fit", str(path), "grade ~ hours + group", "--out", str(tmp_path / "figs"))
    assert result.returncode == 0, result.stderr
    assert "=== Step 1/10: The question and the data ===" in result.stdout
    assert "The data: 8 rows (grades.csv)." in result.stdout
    for symbol, term, value in zip(("b₀", "b₁", "b₂"), TERMS, least_squares(GRADES), strict=True):
        shown = re.search(rf"{symbol}\s+{re.escape(term)}\s+(−?[0-9.]+)\s", result.stdout)
        assert shown and abs(float(shown[1].replace("−", "-")) - value) <= 0.005 + 1e-9, (term, value)
    assert (tmp_path / "figs" / "step1.png").read_bytes().startswith(b"\x89PNG")


def test_describe_predict_and_compare_read_a_csv_file_by_a_relative_path(tmp_path):
    grades_file(tmp_path)
    described = run("describe", "grades.csv", cwd=tmp_path)
    assert described.returncode == 0, described.stderr
    assert "north" in described.stdout and "grade ~ hours + group" in described.stdout
    predicted = run(
        "predict", "./grades.csv", "grade ~ hours + group", "hours=4", "group=south", cwd=tmp_path
    )
    assert predicted.returncode == 0, predicted.stderr
    b0, b1, b2 = least_squares(GRADES)
    assert f"= {b0 + b1 + 4 * b2:.2f}" in predicted.stdout
    compared = run("compare", "grades.csv", "grade ~ hours", "grade ~ hours + group", cwd=tmp_path)
    assert compared.returncode == 0, compared.stderr
    assert "F-test" in compared.stdout


def test_a_semicolon_file_with_decimal_commas_from_excel_reads(tmp_path):
    text = "\ufeffhours;grade;group\r\n" + "".join(
        f"{h},5;{g},25;{'north' if h % 2 else 'south'}\r\n"
        for h, g in zip(range(1, 9), (52, 55, 61, 64, 70, 71, 79, 83), strict=True)
    )
    path = grades_file(tmp_path, "excel export.csv", text)
    result = run("predict", str(path), "grade ~ hours", "hours=3.5")
    assert result.returncode == 0, result.stderr
    assert "For hours = 3.5" in result.stdout


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "ragged.csv",
            b"hours,grade\n1,52\n2,55,9\n",
            "error: Line 3 has 3 values but the header has 2 columns.",
        ),
        (
            "latin.csv",
            "hours,name\n1,Jos\u00e9\n".encode("latin-1"),
            "error: The file is not UTF-8: byte 17 (on line 2)",
        ),
        ("book.csv", b"PK\x03\x04" + bytes(100), "error: This looks like an Excel workbook (.xlsx)"),
        ("book.xlsx", b"a,b\n1,2\n", "error: `book.xlsx` is not a CSV file"),
        ("empty.csv", b"", "error: The file is empty."),
        ("text.csv", b"a,b\nx,y\n", "error: No column holds only numbers"),
        ("big.csv", b"a,b\n1,1e16\n", "error: Line 2, column 2 (`b`): `1e16` is too large"),
    ],
)
def test_a_bad_csv_file_is_one_friendly_error(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    result = run("fit", str(path), "b ~ a")
    assert result.returncode == 1
    assert result.stderr.startswith(message), result.stderr
    assert result.stderr.count("error:") == 1 and "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("where", "message"),
    [("missing.csv", "error: There is no file `"), (".", "` is a folder, not a CSV file.")],
)
def test_a_path_that_is_no_csv_file_is_one_friendly_error(tmp_path, where, message):
    result = run("describe", where, cwd=tmp_path)
    assert result.returncode == 1 and message in result.stderr
    assert "Traceback" not in result.stderr and "python -m bot datasets" in result.stderr
