"""Throwaway servers for ``--backend celery`` (and the Celery tests): a Redis server on 127.0.0.1 and a
Celery worker, ``python -m bot worker``, each stopped when its block ends."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import redis

from bot.celery_worker import celery_app

START_TIMEOUT = 120.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _tail(log: Path) -> str:
    """The end of a log file, for an error message."""
    return log.read_text(errors="replace")[-2000:] if log.exists() else ""


def _stop(process: subprocess.Popen[bytes], wait: float) -> None:
    """SIGTERM, a moment to finish, then SIGKILL for the process's whole session (its children too)."""
    process.terminate()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(wait)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


@contextlib.contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """A ``redis-server`` of our own in ``folder`` (nothing saved to disk), listening on 127.0.0.1 only;
    yields its URL. FileNotFoundError without the program, RuntimeError when it does not start."""
    program = shutil.which("redis-server")
    if program is None:
        raise FileNotFoundError("redis-server is not installed")
    port, log = free_port(), folder / "redis.log"
    command = [program, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder)]
    command += ["--save", "", "--appendonly", "no", "--logfile", str(log)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start: {_tail(log)}") from None
                time.sleep(0.05)
        client.close()
        yield url
    finally:
        _stop(process, 10)


def worker_config(path: Path, broker: str, database: Path, job_timeout: float = 20.0) -> Path:
    """Write the config a worker and its bots share: the Celery backend on ``broker``, the SQLite store
    ``database`` (where the workers read uploads)."""
    path.write_text(
        f'[workers]\nbackend = "celery"\nbroker = "{broker}"\njob_timeout = {job_timeout}\n\n'
        f'[storage]\ndatabase = "{database}"\n',
        encoding="utf-8",
    )
    return path


@contextlib.contextmanager
def celery_worker(
    config: Path, broker: str, concurrency: int, log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """``python -m bot worker`` with ``config`` (whose broker is ``broker``) and ``concurrency`` children,
    in a session of its own, its output in ``log``; yielded once it answers a ping. As root it is let run with pickled messages
    (``C_FORCE_ROOT``; Celery refuses otherwise), as it runs for us alone."""
    environment = {**os.environ, "MPLBACKEND": "Agg"}
    if os.geteuid() == 0:
        environment["C_FORCE_ROOT"] = "1"
    command = [sys.executable, "-m", "bot", "worker", "--config", str(config)]
    with log.open("ab") as output:
        process = subprocess.Popen(
            [*command, "--concurrency", str(concurrency)],
            stdout=output,
            stderr=subprocess.STDOUT,
            env=environment,
            start_new_session=True,
        )
    app = celery_app(broker)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        name = f"regression-{process.pid}@"
        while not any(name in node for reply in app.control.ping(timeout=0.5) for node in reply):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the Celery worker did not start: {_tail(log)}")
        yield process
    finally:
        app.close()
        _stop(process, 30)
