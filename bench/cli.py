"""``python -m bench``: run the benchmark, print a table, write the numbers to a JSON file.

Performance is reported here, never asserted: there are no thresholds and the exit status is 0 whenever
the run completed (errors in answers are counted in the report).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bench import proc
from bench.engine_alone import engine
from bench.live import LiveOptions, compare, measure, measure_baseline, workload
from bench.report import table
from bench.uploads import UploadOptions, measure_uploads
from bot.config import WorkerConfig

DEFAULT_BURSTS = (1, 10, 30, 100)
QUICK_BURSTS = (1, 3)
DEFAULT_SOAK, QUICK_SOAK = 500, 10
DEFAULT_CLASS, QUICK_CLASS = 30, 3
DEFAULT_RUNS, QUICK_RUNS = 15, 2
DEFAULT_UPLOADS, QUICK_UPLOADS = 20, 2
DEFAULT_UPLOAD_MB, QUICK_UPLOAD_MB = 4.9, 0.1  # the default upload limit is 5 MB
PACKAGES = ("discord.py", "aiohttp", "statsmodels", "pandas", "numpy", "scipy", "matplotlib", "seaborn")


def _sizes(text: str) -> tuple[int, ...]:
    """``"1,10,30"`` -> ``(1, 10, 30)``; every size positive."""
    try:
        sizes = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of numbers") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("burst sizes must be positive numbers")
    return sizes


def _arguments(argv: list[str]) -> argparse.Namespace:
    """The command line, with ``--quick`` or the defaults filling in what was not given."""
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark the regression bot against the loopback Discord emulator, and the engine alone.",
    )
    parser.add_argument(
        "--bursts", type=_sizes, help=f"burst sizes (default {','.join(map(str, DEFAULT_BURSTS))})"
    )
    parser.add_argument(
        "--class-size",
        type=int,
        help=f"users in the class burst, who share formulas (default {DEFAULT_CLASS}; 0 skips it)",
    )
    parser.add_argument(
        "--no-baseline",
        dest="baseline",
        action="store_false",
        help="skip the baseline (a typical discord.py bot given the same bursts)",
    )
    parser.add_argument(
        "--soak", type=int, help=f"mixed commands for the memory soak (default {DEFAULT_SOAK})"
    )
    parser.add_argument(
        "--runs", type=int, help=f"timed runs per engine measurement (default {DEFAULT_RUNS})"
    )
    parser.add_argument(
        "--uploads", type=int, help=f"uploads stored for the start-up measurement (default {DEFAULT_UPLOADS})"
    )
    parser.add_argument(
        "--upload-mb", type=float, help=f"size of each generated upload in MB (default {DEFAULT_UPLOAD_MB})"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=WorkerConfig().processes,
        help="worker processes (default: the bot's default, %(default)s)",
    )
    parser.add_argument(
        "--backend",
        choices=("local", "celery"),
        default="local",
        help="where the bot's jobs run: its own worker pool (default), or a Celery worker started here "
        "with --workers children, on a Redis server started here unless --broker is given",
    )
    parser.add_argument(
        "--broker",
        default="",
        metavar="URL",
        help="with --backend celery: the Redis server to use (redis://host:port/db) instead of one of our own",
    )
    parser.add_argument(
        "--heartbeat-ms", type=int, default=1000, help="gateway heartbeat interval (default %(default)s)"
    )
    parser.add_argument(
        "--no-schema-check",
        dest="schema_check",
        action="store_false",
        help="skip the emulator's OpenAPI validation of each request (it runs on the bot's event loop)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"a small run: bursts {','.join(map(str, QUICK_BURSTS))}, a class of {QUICK_CLASS}, "
        f"soak {QUICK_SOAK}, {QUICK_RUNS} engine runs, {QUICK_UPLOADS} uploads of {QUICK_UPLOAD_MB} MB",
    )
    parser.add_argument(
        "--out", type=Path, default=Path("bench-results.json"), help="JSON file (default %(default)s)"
    )
    args = parser.parse_args(argv)
    if args.workers < 1 or args.heartbeat_ms < 100:
        parser.error("--workers must be at least 1 and --heartbeat-ms at least 100")
    if args.broker and args.backend != "celery":
        parser.error("--broker is used only with --backend celery")
    args.bursts = args.bursts or (QUICK_BURSTS if args.quick else DEFAULT_BURSTS)
    if args.class_size is None:
        args.class_size = QUICK_CLASS if args.quick else DEFAULT_CLASS
    args.soak = max(0, args.soak if args.soak is not None else QUICK_SOAK if args.quick else DEFAULT_SOAK)
    args.runs = max(1, args.runs or (QUICK_RUNS if args.quick else DEFAULT_RUNS))
    if args.uploads is None:
        args.uploads = QUICK_UPLOADS if args.quick else DEFAULT_UPLOADS
    args.upload_mb = args.upload_mb or (QUICK_UPLOAD_MB if args.quick else DEFAULT_UPLOAD_MB)
    if args.uploads < 0 or args.upload_mb <= 0 or args.class_size < 0:
        parser.error("--uploads and --class-size must be at least 0 and --upload-mb more than 0")
    return args


def _version(package: str) -> str | None:
    """The installed version of ``package``, or None."""
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _cpu_model() -> str:
    """The processor's name."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor()


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    return {
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu": _cpu_model(),
        "memory_gb": proc.total_memory_gb(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "packages": {name: _version(name) for name in PACKAGES},
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Every measurement, as one JSON-ready dict."""
    started = time.monotonic()
    others, flood, rounds = (3, 8, 1) if args.quick else (29, 60, 8)
    commands, presses = (6, 6) if args.quick else (25, 40)
    options = LiveOptions(
        args.bursts,
        args.soak,
        args.workers,
        args.heartbeat_ms,
        args.schema_check,
        args.class_size,
        others,
        flood,
        rounds,
        commands,
        presses,
        args.backend,
        args.broker,
    )
    results: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {
            "bursts": list(args.bursts),
            "class_size": args.class_size,
            "baseline": args.baseline,
            "soak": args.soak,
            "engine_runs": args.runs,
            "workers": args.workers,
            "backend": args.backend,
            "broker_given": bool(args.broker),
            "heartbeat_interval_ms": args.heartbeat_ms,
            "quick": args.quick,
            "emulator_schema_check": args.schema_check,
            "uploads": args.uploads,
            "upload_mb": args.upload_mb,
            "clock": "the emulator's (time.monotonic); the bot and the emulator share one process and loop",
        },
    }
    pool, bursts = workload(options)
    results |= asyncio.run(measure(options, pool, bursts))
    if args.baseline:
        results["baseline"] = asyncio.run(measure_baseline(options, bursts))
        if "bursts" in results["baseline"]:
            compare(results["bursts"], results["baseline"]["bursts"])
    results["engine"] = engine(args.runs)
    results["uploads"] = asyncio.run(measure_uploads(UploadOptions(args.uploads, args.upload_mb, args.runs)))
    results["duration_s"] = round(time.monotonic() - started, 1)
    return results


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark with command-line ``argv``; print the table and write the JSON file."""
    args = _arguments(sys.argv[1:] if argv is None else argv)
    results = run(args)
    args.out.write_text(json.dumps(results, indent=2, allow_nan=False) + "\n", encoding="utf-8")
    print(table(results))
    print(f"\nwrote {args.out}")
    return 0
