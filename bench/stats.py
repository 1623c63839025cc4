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


def timed(function: Callable[[], Any], runs: int, warmup: int = 1) -> dict[str, float | int]:
    """Median and p90 wall time of ``function()`` in ms over ``runs`` calls, after ``warmup`` untimed calls."""
    for _ in range(warmup):
        function()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return {
        "runs": runs,
        "median_ms": round(percentile(times, 50), 2),
        "p90_ms": round(percentile(times, 90), 2),
    }
