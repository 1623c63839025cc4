"""The bot's persistent state in SQLite (through aiosqlite): what each paged message shows.

A button's custom_id carries a short key; the key maps here to the dataset and formula, so buttons keep
working after a restart. The schema has a version and forward-only migrations.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE pages (
        key TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        dataset TEXT NOT NULL,
        formula TEXT NOT NULL,
        created_at REAL NOT NULL
    )
    """,
)


@dataclass(frozen=True)
class PagedContent:
    """What a paged message shows: a walkthrough (``kind="wt"``) or a dataset description (``"ds"``)."""

    kind: str
    dataset: str
    formula: str


class Store:
    """An open SQLite database with the bot's tables."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._db: aiosqlite.Connection | None = None

    async def open(self) -> None:
        """Open (creating the file and folder on first start) and migrate to the latest schema."""
        if str(self.path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = await aiosqlite.connect(self.path)
        await self._db.execute("PRAGMA journal_mode=WAL")
        await self._db.execute("PRAGMA synchronous=NORMAL")
        (version,) = await (await self._db.execute("PRAGMA user_version")).fetchone()  # type: ignore[misc]
        for number, statement in enumerate(MIGRATIONS[version:], start=version + 1):
            await self._db.execute("BEGIN")
            await self._db.execute(statement)
            await self._db.execute(f"PRAGMA user_version = {number:d}")
            await self._db.commit()

    @property
    def db(self) -> aiosqlite.Connection:
        """The open connection."""
        if self._db is None:
            raise RuntimeError("the store is not open")
        return self._db

    async def close(self) -> None:
        """Close the connection."""
        if self._db is not None:
            await self._db.close()
            self._db = None

    async def remember(self, content: PagedContent) -> str:
        """Store what a paged message shows and return its key (the same content gives the same key)."""
        digest = hashlib.sha256(f"{content.kind}\0{content.dataset}\0{content.formula}".encode()).hexdigest()
        key = digest[:16]
        await self.db.execute(
            "INSERT OR IGNORE INTO pages (key, kind, dataset, formula, created_at) VALUES (?, ?, ?, ?, ?)",
            (key, content.kind, content.dataset, content.formula, time.time()),
        )
        await self.db.commit()
        return key

    async def recall(self, key: str) -> PagedContent | None:
        """What the message with ``key`` shows, or None if the key is unknown."""
        cursor = await self.db.execute("SELECT kind, dataset, formula FROM pages WHERE key = ?", (key,))
        row = await cursor.fetchone()
        return PagedContent(*row) if row else None
