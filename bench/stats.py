"""Percentiles and timing summaries (pure Python, so the bot process imports nothing heavy for them)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from typing import Any


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) of ``values``, interpolating linearly between ranks; NaN if empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def latency(values_ms: Sequence[float]) -> dict[str, float | int | None]:
    """How many latencies (ms) there were, and their p50, p95, p99 and max (None when there are none)."""
    if not values_ms:
        return {"n": 0, "p50": None, "p95": None, "p99": None, "max": None}
    return {
        "n": len(values_ms),
        "p50": round(percentile(values_ms, 50), 1),
        "p95": round(percentile(values_ms, 95), 1),
        "p99": round(percentile(values_ms, 99), 1),
        "max": round(max(values_ms), 1),
    }


def timed_alternately(
    first: Callable[[], Any], second: Callable[[], Any], runs: int, warmup: int = 1
) -> tuple[dict[str, float | int], dict[str, float | int]]:
    """``timed`` for two functions called in turn (first, second, first, ...), so that whatever else the
    machine does over the runs slows both alike: the right way to take the ratio of their times."""
    for _ in range(warmup):
        first()
        second()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for function, kept in zip((first, second), times, strict=True):
            start = time.perf_counter()
            function()
            kept.append((time.perf_counter() - start) * 1000)
    return _summary(times[0]), _summary(times[1])


def _summary(times: list[float]) -> dict[str, float | int]:
    """The runs, median and p90 (ms) of measured times."""
    return {
        "runs": len(times),
        "median_ms": round(percentile(times, 50), 2),
        "p90_ms": round(percentile(times, 90), 2),
    }


def timed(function: Callable[[], Any], runs: int, warmup: int = 1) -> dict[str, float | int]:
    """Median and p90 wall time of ``function()`` in ms over ``runs`` calls, after ``warmup`` untimed calls."""
    for _ in range(warmup):
        function()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return _summary(times)
