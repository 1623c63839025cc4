"""The benchmark runs end to end and reports every section with numbers (never judged: no thresholds)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from bench.cli import main

Number = int | float


def assert_numbers(section: dict[str, Any], keys: tuple[str, ...], allow_none: bool = False) -> None:
    """Each of ``keys`` in ``section`` is a number (not a bool), or None where allowed."""
    for key in keys:
        value = section[key]
        ok = isinstance(value, Number) and not isinstance(value, bool)
        assert ok or (allow_none and value is None), (key, value)


def assert_latency(stats: dict[str, Any]) -> None:
    """Latency stats: a count, and four percentiles that are numbers (None when nothing was measured)."""
    assert isinstance(stats["n"], int)
    assert_numbers(stats, ("p50", "p95", "p99", "max"), allow_none=stats["n"] == 0)


def assert_memory(process: dict[str, Any]) -> None:
    """A process's memory readings are numbers."""
    assert_numbers(process, ("pid", "rss_mb", "peak_mb", "pss_mb"))


def assert_burst(burst: dict[str, Any]) -> None:
    """A burst's latencies, counts and heartbeats are numbers, and no answer was finished before its text
    was on screen (every answered /fit has a titled page, so both are measured on the same answers)."""
    assert isinstance(burst["errors"], int) and isinstance(burst["error_samples"], list)
    assert isinstance(burst["lost"], int)
    for stats in ("first_response_ms", "first_text_ms", "answer_ms"):
        assert_latency(burst[stats])
    assert_numbers(burst, ("duration_s", "answers_per_s", "max_gap_over_interval_ms", "heartbeats"))
    assert_numbers(burst["cpu_s"], ("bot_process", "workers"))
    text, answer = burst["first_text_ms"], burst["answer_ms"]
    assert text["n"] == answer["n"], (burst["mix"], burst["size"], text, answer)
    if answer["n"]:
        assert all(text[key] <= answer[key] for key in ("p50", "p95", "p99", "max")), (text, answer)


def test_quick_benchmark_reports_every_section(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "bench.json"
    assert main(["--quick", "--out", str(out)]) == 0
    results = json.loads(out.read_text())

    assert isinstance(results["date"], str) and results["duration_s"] > 0
    machine = results["machine"]
    assert_numbers(machine, ("cores", "usable_cores", "memory_gb", "load_average_1min"))
    assert isinstance(machine["python"], str) and isinstance(machine["packages"]["statsmodels"], str)

    assert_numbers(
        results["startup"], ("to_login_s", "to_commands_synced_s", "to_ready_s", "first_fit_answer_s")
    )

    bursts = results["bursts"]
    planned = [("distinct", 1), ("same", 1), ("distinct", 3), ("same", 3), ("class", 3)]
    assert [(b["mix"], b["size"]) for b in bursts] == planned
    for burst in bursts:  # errors are counted, not judged: a slow machine may miss the 3 s deadline
        assert_burst(burst)
        assert_numbers(burst["memory_after_mb"], ("bot_rss", "bot_pss", "workers_rss", "workers_pss"))
        if importlib.util.find_spec("seaborn") is not None:  # else the baseline is skipped, with a note
            assert_numbers(
                burst["vs_baseline"], ("answer_p50", "answer_p95", "first_text_p95"), allow_none=True
            )
    assert sum(burst["answer_ms"]["n"] for burst in bursts) > 0, [b["error_samples"] for b in bursts]

    baseline = results["baseline"]
    if importlib.util.find_spec("seaborn") is None:  # the bench extra is optional
        assert isinstance(baseline["skipped"], str)
    else:
        assert [(b["mix"], b["size"]) for b in baseline["bursts"]] == planned
        assert set(baseline["first_fit_answer_s"]) == {"distinct", "same", "class"}
        for burst in baseline["bursts"]:
            assert_burst(burst)
            # every command answered with its figure: none lost, none refused, none without an image
            assert burst["errors"] == 0 and burst["lost"] == 0, burst["error_samples"]
            assert burst["answer_ms"]["n"] == burst["size"]

    fair = results["fair_use"]
    assert (fair["others"], fair["flood"]) == (3, 8)
    assert (
        fair["others_alone_answer_ms"]["n"]
        == fair["others_with_flood_answer_ms"]["n"]
        == 3 * fair["rounds_each"]
    )
    assert_latency(fair["others_alone_answer_ms"])
    assert_latency(fair["others_with_flood_answer_ms"])
    assert_numbers(fair, ("p95_ratio",), allow_none=True)
    assert_numbers(fair, ("others_errors", "flooder_answers", "flooder_told_to_wait", "duration_s"))
    assert fair["flooder_answers"] + fair["flooder_told_to_wait"] == 8
    demo = results["instructor_demo"]
    assert demo["commands"] == 6 and demo["answered_commands"] + demo["refused"] == 6
    assert_numbers(demo, ("presses", "refused", "duration_s"))

    memory = results["memory"]
    assert_memory(memory["bot"])
    assert memory["workers"]
    for worker in memory["workers"]:
        assert_memory(worker)
    assert_numbers(memory["workers_total"], ("rss_mb", "pss_mb", "sampled_peak_mb", "processes_seen"))
    assert_numbers(memory, ("emulator_held_mb",))
    soak = memory["soak"]
    assert soak["commands"] == 10 and isinstance(soak["errors"], int)
    assert_numbers(
        soak,
        (
            "answers",
            "duration_s",
            "answers_per_s",
            "bot_rss_before_mb",
            "bot_rss_after_mb",
            "bot_growth_mb",
            "bot_growth_net_mb",
            "workers_growth_mb",
            "bot_growth_net_per_1000_answers_mb",
            "workers_growth_per_1000_answers_mb",
            "bot_pss_before_mb",
            "bot_pss_after_mb",
            "workers_pss_before_mb",
            "workers_pss_after_mb",
            "bot_pss_growth_net_mb",
            "workers_pss_growth_mb",
        ),
    )
    assert_latency(soak["answer_ms"])
    assert soak["trend"]
    for checkpoint in soak["trend"]:
        assert_numbers(
            checkpoint,
            (
                "commands",
                "answers",
                "bot_rss_mb",
                "workers_rss_mb",
                "bot_pss_mb",
                "workers_pss_mb",
                "emulator_held_mb",
            ),
        )
    steady = soak["steady_pss_growth_per_1000_answers_mb"]
    if steady is not None:  # only with two checkpoints or more
        assert_numbers(steady, ("bot_pss_net", "workers_pss"))

    engine = results["engine"]
    expected = {
        "fit",
        "walkthrough",
        "render scatter + lines",
        "render box",
        "render histogram",
        "render residuals",
        "render coefficients",
        "fit + walkthrough + first figure",
    }
    assert set(engine["bot"]) == expected
    for timing in engine["bot"].values():
        assert_numbers(timing, ("runs", "median_ms", "p90_ms"))
    notebook = engine["notebook"]
    if "skipped" in notebook:  # seaborn is optional
        assert isinstance(notebook["skipped"], str)
    else:
        assert set(notebook) == {"fit", "render scatter + lines", "fit + figure"}
        for timing in notebook.values():
            assert_numbers(timing, ("runs", "median_ms", "p90_ms"))

    uploads = results["uploads"]
    assert_numbers(uploads["check"], ("csv_bytes", "rows", "columns", "typed_bytes", "schema_bytes"))
    for timing in ("check", "encode", "worker_read", "bot_read_schema"):
        assert_numbers(uploads["check"][timing], ("runs", "median_ms", "p90_ms"))
    startup = uploads["startup"]
    assert startup["uploads"] == 2
    for start in ("none", "stored", "stored_as_csv_first_start", "stored_as_csv_next_start"):
        assert_numbers(startup[start], ("ready_s", "rss_mb", "pss_mb", "uploads_listed"))
        assert startup[start]["uploads_listed"] == (0 if start == "none" else 2)

    printed = capsys.readouterr().out
    assert "/fit bursts" in printed and "Engine alone" in printed and str(out) in printed
    assert "Uploads: checking a" in printed and "stored as CSV only, first start" in printed
    assert "Fair use (" in printed and "Instructor demo:" in printed
    assert "typical discord.py bot" in printed or "Baseline skipped" in printed
    assert ("render vs notebook" in printed) == ("render_vs_notebook" in engine)
