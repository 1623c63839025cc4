"""A per-user sliding-window rate limit for commands."""

from __future__ import annotations

import time
from collections import deque


class RateLimiter:
    """At most ``limit`` hits per ``window`` seconds per key; ``hit`` says how long to wait when over."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._hits: dict[int, deque[float]] = {}

    def hit(self, key: int, now: float | None = None) -> float:
        """Record a hit for ``key``; 0 if allowed, else the seconds until the oldest hit leaves the window."""
        now = time.monotonic() if now is None else now
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return hits[0] + self.window - now
        hits.append(now)
        if len(self._hits) > 10_000:
            self._forget(now)
        return 0.0

    def _forget(self, now: float) -> None:
        """Drop users with no hit in the window (keeps memory bounded)."""
        for key in [k for k, v in self._hits.items() if not v or v[-1] <= now - self.window]:
            del self._hits[key]
