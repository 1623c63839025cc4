"""The offline CLI, run as a newcomer would: ``python -m bot ...`` in a subprocess, no token, no network."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
    ],
)
def test_bad_input_is_one_clear_message(args, message):
    result = run(*args)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr and result.stderr.startswith("error: ")


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
