"""The bot as a real process (``python -m bot --config ...``) against the emulator: clean shutdown on
SIGTERM, and durability when the process is killed hard (SIGKILL) during an upload and a queue session."""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, closing
from pathlib import Path

from bot.regression.uploads import read_upload
from tests.emulator.emulator import DiscordEmulator
from tests.emulator.fixtures import running_emulator
from tests.emulator.models import ADMINISTRATOR, MEMBER_PERMISSIONS, UserSpec

ROOT = Path(__file__).resolve().parents[1]
USERS = (
    UserSpec("instructor", permissions=MEMBER_PERMISSIONS | ADMINISTRATOR),
    UserSpec("alice"),
    UserSpec("bob"),
)


def children(pid: int) -> set[int]:
    """Every process whose parent is ``pid`` (the worker processes and the forkserver)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Whether a process exists (and is not a zombie)."""
    try:
        return "Z" not in (Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0])
    except OSError:
        return False


def bot_environment() -> dict[str, str]:
    """Our environment for ``python -m bot``, without the ``DISCORD_*`` overrides, drawing with Agg."""
    return {k: v for k, v in os.environ.items() if not k.startswith("DISCORD_")} | {"MPLBACKEND": "Agg"}


@asynccontextmanager
async def bot_process(
    emu: DiscordEmulator,
    tmp_path: Path,
    *,
    shard: tuple[int, int] | None = None,
    storage_url: str = "",
    draw_ahead: bool = True,
) -> AsyncIterator[subprocess.Popen[bytes]]:
    """``python -m bot --config`` pointed at ``emu``; yields the process once it has identified.

    With ``shard=(id, count)`` it runs that one shard (``--shard-count count --shard-ids id``) with its own
    config and log (``shard-ID.toml``, ``shard-ID.log``) and waits for that shard's IDENTIFY;
    ``storage_url`` sets ``[storage] url`` (PostgreSQL), ``draw_ahead`` ``[workers] draw_ahead``.
    """
    name = "bot" if shard is None else f"shard-{shard[0]}"
    config = tmp_path / ("config.toml" if shard is None else f"{name}.toml")
    config.write_text(
        f'[discord]\ntoken = "{emu.token}"\napi_base_url = "{emu.api_base_url}"\ndev_guild_id = {emu.guild.id}\n'
        f"[workers]\nprocesses = 1\njobs_per_user = 1000\ndraw_ahead = {str(draw_ahead).lower()}\n"
        f'[storage]\ndatabase = "{tmp_path / "data" / "bot.sqlite3"}"\nurl = "{storage_url}"\n'
    )
    sharding = [] if shard is None else ["--shard-count", str(shard[1]), "--shard-ids", str(shard[0])]
    identified = len(emu.gateway.identifies)

    def started() -> bool:
        fresh = emu.gateway.identifies[identified:]
        return any(shard is None or identify.get("shard") == list(shard) for identify in fresh)

    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(config), *sharding],
        cwd=tmp_path,
        env=bot_environment(),
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / f"{name}.log").open("ab"),
    )
    try:
        await emu.wait_until(started, timeout=60, what=f"the bot ({name})")
        await asyncio.sleep(0.2)
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


async def sync_globally(emu: DiscordEmulator, tmp_path: Path) -> None:
    """Publish the global command tree with ``python -m bot sync`` (config ``sync.toml``), as a deployment
    does once; fails with the process's stderr unless it exits 0."""
    config = tmp_path / "sync.toml"
    config.write_text(f'[discord]\ntoken = "{emu.token}"\napi_base_url = "{emu.api_base_url}"\n')
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "sync",
        "--config",
        str(config),
        cwd=tmp_path,
        env=bot_environment(),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, stderr.decode()


def database_rows(tmp_path: Path, sql: str) -> list[tuple]:
    """Rows from the bot's database, read directly."""
    with closing(sqlite3.connect(tmp_path / "data" / "bot.sqlite3")) as connection:
        return connection.execute(sql).fetchall()


async def test_sigterm_stops_the_bot_and_its_workers(tmp_path):
    async with running_emulator() as emu, bot_process(emu, tmp_path) as process:
        workers = children(process.pid)
        assert workers
        process.send_signal(signal.SIGTERM)
        code = await asyncio.to_thread(process.wait, 10)
        assert code == 0
        for _ in range(100):
            if not any(alive(pid) for pid in workers):
                break
            await asyncio.sleep(0.05)
        assert not any(alive(pid) for pid in workers)
    assert "Traceback" not in (tmp_path / "bot.log").read_text()


def big_csv(rows: int, seed: int) -> bytes:
    """A few MB of CSV."""
    lines = ["hours,grade,group"] + [f"{i % 40},{(i * seed) % 100},{'ab'[i % 2]}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


async def test_sigkill_during_uploads_loses_nothing_committed_and_leaves_nothing_half_written(tmp_path):
    acknowledged: list[str] = []
    async with running_emulator(users=USERS) as emu:
        for attempt, delay in enumerate((0.0, 0.05, 0.2, 0.5, 1.5)):
            async with bot_process(emu, tmp_path) as process:
                data = big_csv(90_000, attempt + 3)
                attachment = emu.upload("big.csv", data, "text/csv")
                name = f"big{attempt}"
                upload = await emu.slash("dataset upload", {"file": attachment, "name": name})
                await asyncio.sleep(delay)
                process.kill()
                await asyncio.to_thread(process.wait, 10)
                original = upload.original
                if original is not None and "Stored" in (original.content or ""):
                    acknowledged.append(name)
        async with bot_process(emu, tmp_path):
            listing = await emu.slash("datasets", {})
            await listing.wait_done(timeout=30)
            shown = listing.original.embeds[0]["description"]
    rows = database_rows(tmp_path, "SELECT name, csv, version FROM datasets")
    stored = {name for name, _, _ in rows}
    assert set(acknowledged) <= stored
    for name, csv, version in rows:
        assert version == hashlib.sha256(csv).hexdigest()[:12]
        assert len(read_upload(csv, name).frame) == 90_000
        assert name in shown
    assert database_rows(tmp_path, "PRAGMA integrity_check") == [("ok",)]


async def test_sigkill_during_office_hours_keeps_every_question(tmp_path):
    async with running_emulator(users=USERS) as emu:
        async with bot_process(emu, tmp_path) as process:
            opened = await emu.slash("officehours start", {"topic": "Residuals"})
            await opened.wait_done(timeout=30)
            asked = []
            for user, question in (("alice", "What is a residual?"), ("bob", "Why square them?")):
                interaction = await emu.slash("ask", {"question": question}, user=emu.user(user))
                await interaction.wait_done(timeout=30)
                asked.append(question)
            late = await emu.slash("ask", {"question": "And R²?"}, user=emu.user("alice"))
            process.kill()
            await asyncio.to_thread(process.wait, 10)
        async with bot_process(emu, tmp_path):
            queue = await emu.slash("queue", {})
            await queue.wait_done(timeout=30)
            listed = queue.original.embeds[0]["description"]
            assert all(question in listed for question in asked)
            if late.original is not None and "#3" in (late.original.content or ""):
                assert "And R²?" in listed
            more = await emu.slash("ask", {"question": "Still open?"}, user=emu.user("bob"))
            await more.wait_done(timeout=30)
            assert "in the queue" in more.original.content
    assert database_rows(tmp_path, "PRAGMA integrity_check") == [("ok",)]


async def test_sync_publishes_the_global_tree_and_exits(tmp_path):
    async with running_emulator() as emu:
        await sync_globally(emu, tmp_path)
        names = sorted(c["name"] for c in emu.commands.scopes[None])
        assert "fit" in names and "officehours" in names
        assert emu.gateway.identifies == []
        assert not (tmp_path / "var").exists()  # publishing the commands needs no store
