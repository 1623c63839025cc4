"""Memory and CPU time of the bot process and its workers, read from ``/proc`` (Linux; zeros elsewhere).

``VmRSS`` is what a process holds now, ``VmHWM`` the most it ever held (the kernel's own peak, which
catches spikes between samples), ``Pss`` its share of pages it shares with others (the workers share the
forkserver's imported modules copy-on-write, so adding up their RSS counts those pages more than once).
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

KIB_PER_MB = 1024


@dataclass(frozen=True)
class ProcessMemory:
    """One process's memory in MiB: now (RSS), its peak (HWM) and its proportional share (PSS)."""

    pid: int
    rss_mb: float
    peak_mb: float
    pss_mb: float

    def as_dict(self) -> dict[str, Any]:
        """The fields, for the JSON report."""
        return asdict(self)


def _status_kib(pid: int) -> dict[str, int]:
    """The ``kB`` fields of ``/proc/<pid>/status`` (empty when the process is gone or not Linux)."""
    fields: dict[str, int] = {}
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return fields
    for line in text.splitlines():
        name, _, value = line.partition(":")
        parts = value.split()
        if len(parts) == 2 and parts[1] == "kB":
            fields[name] = int(parts[0])
    return fields


def _pss_kib(pid: int) -> int:
    """``Pss`` from ``/proc/<pid>/smaps_rollup`` (0 when unreadable)."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def _rss_mb(pid: int) -> float:
    """The resident memory of process ``pid`` now, in MiB (0 when it is gone)."""
    return round(_status_kib(pid).get("VmRSS", 0) / KIB_PER_MB, 1)


def read(pid: int) -> ProcessMemory:
    """The memory of process ``pid`` now."""
    status = _status_kib(pid)
    return ProcessMemory(
        pid,
        round(status.get("VmRSS", 0) / KIB_PER_MB, 1),
        round(status.get("VmHWM", 0) / KIB_PER_MB, 1),
        round(_pss_kib(pid) / KIB_PER_MB, 1),
    )


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time that process ``pid`` has used so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def parent_pid(pid: int) -> int | None:
    """The parent of ``pid`` (for a worker: the forkserver that forked it)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("PPid:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``, forked by any of its threads (empty when it is gone)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(child) for child in task.read_text().split()]
        except OSError:
            continue
    return found


def total_memory_gb() -> float:
    """The machine's memory in GiB (0 when ``/proc/meminfo`` is missing)."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / KIB_PER_MB**2, 1)
    except OSError:
        pass
    return 0.0


def deep_size(roots: Iterable[Any]) -> int:
    """Bytes held by plain containers reachable from ``roots`` (dicts, lists, tuples, str, bytes), each once."""
    seen: set[int] = set()
    stack = list(roots)
    total = 0
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        total += sys.getsizeof(obj)
        if isinstance(obj, dict):
            stack.extend(obj.keys())
            stack.extend(obj.values())
        elif isinstance(obj, list | tuple | set | frozenset):
            stack.extend(obj)
    return total


class Sampler:
    """Samples the RSS of the bot process and of the current workers in the background.

    ``workers`` is asked for the worker pids at every sample (the pool can be replaced). The peaks of
    the sums are kept here; each process's own peak is its ``VmHWM``.
    """

    def __init__(self, workers: Callable[[], list[int]], interval: float = 0.2) -> None:
        self.workers = workers
        self.interval = interval
        self.bot_peak_mb = 0.0
        self.workers_peak_mb = 0.0
        self.seen_workers: set[int] = set()
        self._task: asyncio.Task[None] | None = None

    def sample(self, pids: list[int] | None = None) -> None:
        """Take one sample now (of the workers ``pids``, asked for when not given)."""
        pids = self.workers() if pids is None else pids
        self.bot_peak_mb = max(self.bot_peak_mb, _rss_mb(os.getpid()))
        self.seen_workers.update(pids)
        self.workers_peak_mb = max(self.workers_peak_mb, sum(_rss_mb(pid) for pid in pids))

    async def _run(self) -> None:
        """Sample every ``interval`` seconds; the reading runs in a thread, off the bot's event loop, which
        the benchmark measures (the pids are asked for on the loop, where the engine keeps them)."""
        while True:
            await asyncio.to_thread(self.sample, self.workers())
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        """Start sampling on the running loop."""
        self._task = asyncio.create_task(self._run(), name="memory sampler")

    async def stop(self) -> None:
        """Stop sampling (after one last sample)."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        self.sample()
