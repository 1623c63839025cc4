"""Instructors' uploads: checking a CSV, and the bot's start-up and memory with many uploads stored.

- ``check``: ``read_upload`` (parse, check, type, suggest formulas) and ``stored.encode`` on one generated
  CSV of the chosen size, a worker reading the stored form back (``read_typed``), the bot process reading
  its schema (``read_info``), and the bytes stored;
- ``startup``: the real bot process (``python -m bot --config``, one worker) against the emulator, on a
  database with no uploads, then with N, then with N stored as CSV only (as before typed storage: the first
  start after upgrading types them once); for each, seconds from launch to IDENTIFY (when the bot is
  ready) and the bot process's own memory once it is up (RSS and PSS; its workers are other processes).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bench import proc
from bench.stats import timed
from bot.regression.datasets import DatasetRegistry
from bot.regression.stored import encode, read_info, read_typed, upload_fields
from bot.regression.uploads import read_upload, version_of
from bot.server_datasets import ServerDatasets
from bot.store import MIGRATIONS, Store, StoredDataset
from tests.emulator.emulator import DiscordEmulator
from tests.emulator.fixtures import running_emulator

START_TIMEOUT = 120.0
SETTLE_S = 1.0  # after IDENTIFY, before memory is read: start-up's garbage is collected by then
TYPED_SCHEMA_VERSION = 2  # the schema version of a database from before typed storage
QUESTIONS = 44  # quiz columns of the generated gradebook


@dataclass(frozen=True)
class UploadOptions:
    """How many uploads to store and how big each is."""

    uploads: int
    megabytes: float
    runs: int


def gradebook(megabytes: float, seed: int) -> bytes:
    """A class's gradebook as CSV, just under ``megabytes``: an ID, groups, a score, hours and quiz marks."""
    rng = np.random.default_rng(seed)
    rows = max(20, int(megabytes * 1e6 / 100))  # more than fit (a row takes about 150 bytes), cut below
    frame = pd.DataFrame(
        {
            "student": [f"s{i:06d}" for i in range(rows)],
            "score": np.round(rng.normal(65, 12, rows), 1),
            "hours": np.round(rng.uniform(0, 20, rows), 2),
            "lesson": rng.choice(["Lesson A", "Lesson B"], rows),
            "section": rng.choice([f"Section {k}" for k in range(1, 13)], rows),
            **{f"q{k}": rng.integers(0, 11, rows) for k in range(1, QUESTIONS + 1)},
            "term": rng.choice(["fall", "spring", "NA"], rows),
        }
    )
    data = frame.to_csv(index=False).encode()
    limit = int(megabytes * 1e6)
    return data if len(data) <= limit else data[: data.rfind(b"\n", 0, limit) + 1]


def check(data: bytes, runs: int) -> dict[str, Any]:
    """Timings of checking one upload, of writing and reading its stored form, and the bytes stored."""
    dataset = read_upload(data, "bench")
    typed, schema = encode(dataset)
    fields = upload_fields("bench", "", "bench.csv", "")
    return {
        "csv_bytes": len(data),
        "rows": len(dataset.frame),
        "columns": len(dataset.columns),
        "typed_bytes": len(typed),
        "schema_bytes": len(schema.encode()),
        "check": timed(lambda: read_upload(data, "bench"), runs),
        "encode": timed(lambda: encode(dataset), runs),
        "worker_read": timed(lambda: read_typed(typed, schema, fields, 1), runs),
        "bot_read_schema": timed(lambda: read_info(schema, fields, 1), runs),
    }


def _stored(guild_id: int, index: int, data: bytes) -> StoredDataset:
    """The ``index``-th upload of the benchmark as the store keeps it (typed form still to come)."""
    return StoredDataset(
        guild_id, f"upload{index:02}", "Benchmark upload.", f"upload{index:02}.csv", data, "", 1, time.time()
    )


async def _typed_database(path: Path, guild_id: int, uploads: list[bytes]) -> None:
    """A database holding ``uploads``, checked and stored the way ``/dataset upload`` stores them."""
    store = Store(path)
    await store.open()
    try:
        datasets = ServerDatasets(store, DatasetRegistry.bundled())
        for index, data in enumerate(uploads):
            _, stored = await datasets.check(_stored(guild_id, index, data))
            await datasets.save(stored)
    finally:
        await store.close()


def _legacy_database(path: Path, guild_id: int, uploads: list[bytes]) -> None:
    """A database from before typed storage: the same uploads as CSV bytes only."""
    with closing(sqlite3.connect(path)) as db:
        for statements in MIGRATIONS[:TYPED_SCHEMA_VERSION]:
            for statement in statements:
                db.execute(statement)
        for index, data in enumerate(uploads):
            s = _stored(guild_id, index, data)
            db.execute(
                "INSERT INTO datasets VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (s.guild_id, s.name, s.description, s.filename, s.csv, version_of(data), 1, s.uploaded_at),
            )
        db.execute(f"PRAGMA user_version = {TYPED_SCHEMA_VERSION}")
        db.commit()


@contextlib.asynccontextmanager
async def _bot_process(
    emu: DiscordEmulator, folder: Path, database: Path
) -> AsyncIterator[tuple[int, float]]:
    """``python -m bot --config`` on ``database``; yields its pid and the seconds it took to IDENTIFY."""
    config = folder / "config.toml"
    config.write_text(
        f'[discord]\ntoken = "{emu.token}"\napi_base_url = "{emu.api_base_url}"\ndev_guild_id = {emu.guild.id}\n'
        f'[workers]\nprocesses = 1\n[storage]\ndatabase = "{database}"\n'
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISCORD_")} | {"MPLBACKEND": "Agg"}
    identified = len(emu.gateway.identifies)
    started = time.monotonic()
    with (folder / "bot.log").open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "--config", str(config)],
            cwd=folder,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    try:
        await emu.wait_until(
            lambda: len(emu.gateway.identifies) > identified, timeout=START_TIMEOUT, what="the bot"
        )
        yield process.pid, time.monotonic() - started
    finally:
        process.terminate()
        await asyncio.to_thread(process.wait, 30)


async def _start(emu: DiscordEmulator, folder: Path, database: Path, names: list[str]) -> dict[str, Any]:
    """One start of the bot on ``database``: time to IDENTIFY, its memory, and whether ``/datasets``
    lists every upload."""
    async with _bot_process(emu, folder, database) as (pid, ready_s):
        await asyncio.sleep(SETTLE_S)
        memory = proc.read(pid)
        listing = await emu.slash("datasets", {})
        await listing.wait_done(timeout=60)
        shown = listing.original.embeds[0]["description"] if listing.original is not None else ""
    return {
        "ready_s": round(ready_s, 2),
        "rss_mb": memory.rss_mb,
        "pss_mb": memory.pss_mb,
        "uploads_listed": sum(f"**{name}**" in shown for name in names),
    }


async def startup(options: UploadOptions, uploads: list[bytes]) -> dict[str, Any]:
    """The bot process started with no uploads, with ``uploads`` stored, and with them stored as CSV only."""
    names = [_stored(0, index, b"").name for index in range(len(uploads))]
    with tempfile.TemporaryDirectory(prefix="bench-uploads-") as temporary:
        folder = Path(temporary)
        async with running_emulator() as emu:
            guild = emu.guild.id
            empty, typed, legacy = (folder / f"{kind}.sqlite3" for kind in ("empty", "typed", "legacy"))
            await _typed_database(typed, guild, uploads)
            _legacy_database(legacy, guild, uploads)
            results = {
                "none": await _start(emu, folder, empty, []),
                "stored": await _start(emu, folder, typed, names),
                "stored_as_csv_first_start": await _start(emu, folder, legacy, names),
                "stored_as_csv_next_start": await _start(emu, folder, legacy, names),
            }
    results["uploads"] = options.uploads
    results["megabytes_each"] = round(len(uploads[0]) / 1e6, 2) if uploads else 0.0
    return results


async def measure_uploads(options: UploadOptions) -> dict[str, Any]:
    """Every upload measurement, as one JSON-ready dict."""
    uploads = await asyncio.to_thread(
        lambda: [gradebook(options.megabytes, seed) for seed in range(max(1, options.uploads))]
    )
    checked = await asyncio.to_thread(check, uploads[0], options.runs)
    return {"check": checked, "startup": await startup(options, uploads[: options.uploads])}
