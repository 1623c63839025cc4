"""Shared fixtures: the loopback Discord emulator, a factory for the real bot pointed at it, and a PostgreSQL
server (with a new database per test) for the store on PostgreSQL."""

from __future__ import annotations

import dataclasses
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, NoReturn

os.environ.setdefault("MPLBACKEND", "Agg")

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from bot.app import RegressionBot, create_bot
from bot.config import Config, DiscordConfig, StorageConfig, WorkerConfig
from tests.emulator.emulator import DiscordEmulator
from tests.emulator.fixtures import emulator, run_bot  # noqa: F401


def make_bot(
    emu: DiscordEmulator,
    database: Path,
    *,
    processes: int = 2,
    job_timeout: float = 20.0,
    **sections: object,
) -> RegressionBot:
    """The production bot class with a config that points at ``emu`` and syncs to its first guild.

    ``sections`` replace whole config sections, e.g. ``instructors=InstructorConfig(role_ids=(...,))``.
    """
    config = Config(
        discord=DiscordConfig(token=emu.token, api_base_url=emu.api_base_url, dev_guild_id=emu.guild.id),
        workers=WorkerConfig(
            processes=processes, job_timeout=job_timeout, jobs_per_user=10_000, draw_ahead=False
        ),
        storage=StorageConfig(database=str(database)),
    )
    return create_bot(dataclasses.replace(config, **sections))


def _no_postgres(reason: str) -> NoReturn:
    """Skip a test that needs PostgreSQL, or fail it under CI (``CI`` set), where both backends are tested."""
    if os.environ.get("CI"):
        pytest.fail(f"CI tests the store on PostgreSQL too, but {reason}", pytrace=False)
    pytest.skip(reason)


def _postgres_programs() -> Path | None:
    """The folder with PostgreSQL's initdb and pg_ctl: on PATH, else Debian's newest, or None."""
    on_path = shutil.which("pg_ctl")
    folders = [Path(on_path).parent] if on_path else []
    debian = Path("/usr/lib/postgresql").glob("*/bin")
    folders += sorted(
        debian, key=lambda f: int(f.parent.name) if f.parent.name.isdigit() else 0, reverse=True
    )
    return next((f for f in folders if (f / "initdb").exists() and (f / "pg_ctl").exists()), None)


def _free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _throwaway_cluster(programs: Path) -> Iterator[str]:
    """A new PostgreSQL cluster in a temporary folder, listening on 127.0.0.1 only, trusting every local
    user; run as the ``postgres`` user when we are root (initdb refuses root). Yields the server's URL;
    stopped and removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="store-postgres-"))
    owner: dict[str, Any] = {}
    if os.geteuid() == 0:
        try:
            account = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(folder)
            _no_postgres("we run as root and there is no postgres user to run the server as")
        os.chown(folder, account.pw_uid, account.pw_gid)
        owner = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}

    def run(*args: object) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(a) for a in args], cwd=folder, capture_output=True, text=True, **owner)

    data, log, port = folder / "data", folder / "server.log", _free_port()
    try:
        made = run(
            programs / "initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"
        )
        if made.returncode:
            _no_postgres(f"initdb failed: {made.stderr.strip()}")
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off -c full_page_writes=off"
        started = run(programs / "pg_ctl", "-D", data, "-l", log, "-o", options, "-w", "-t", "60", "start")
        if started.returncode:
            _no_postgres(
                f"the test cluster did not start: {started.stderr.strip()} {log.read_text()[-2000:] if log.exists() else ''}"
            )
        try:
            yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
        finally:
            run(programs / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A PostgreSQL server for the tests: ``TEST_POSTGRES_URL`` if set, else a throwaway cluster of our own
    (see ``_no_postgres`` for when there is neither)."""
    if os.environ.get("TEST_POSTGRES_URL"):
        yield os.environ["TEST_POSTGRES_URL"]
        return
    programs = _postgres_programs()
    if programs is None:
        _no_postgres("there is no server: set TEST_POSTGRES_URL or install PostgreSQL (initdb and pg_ctl)")
    with _throwaway_cluster(programs) as url:
        yield url


@pytest.fixture
async def postgres_url(postgres_server: str) -> AsyncIterator[str]:
    """The URL of a new, empty database on the test server, dropped after the test."""
    name = f"test_{secrets.token_hex(8)}"
    admin = await asyncpg.connect(postgres_server)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    yield make_url(postgres_server).set(database=name).render_as_string(hide_password=False)
    admin = await asyncpg.connect(postgres_server)
    try:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def _no_redis(reason: str) -> NoReturn:
    """Skip a test that needs Redis, or fail it under CI (``CI`` set), where the Celery backend is tested."""
    if os.environ.get("CI"):
        pytest.fail(f"CI tests the Celery backend too, but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a throwaway Redis server of our own, on 127.0.0.1 and a free port, in a temporary folder
    (see ``_no_redis`` for when there is none)."""
    from bench import servers  # imports Celery, which only the tests that use Redis need

    with ExitStack() as stack:
        try:
            url = stack.enter_context(servers.redis_server(tmp_path_factory.mktemp("redis")))
        except FileNotFoundError:
            _no_redis("there is no Redis server: install redis-server")
        except RuntimeError as error:
            _no_redis(str(error))
        yield url
