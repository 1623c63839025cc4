"""The bot's persistent state in SQLite (through aiosqlite), with a schema version and migrations.

- ``pages``: what each paged message shows, so buttons keep working after a restart;
- ``datasets`` and ``pending_uploads``: each server's own CSV datasets, with their typed columns and
  schema (an upload is one transaction);
- ``sessions`` and ``questions``: the office-hours queue;
- ``settings``: each user's and each server's choices;
- ``quizzes``, ``quiz_answers`` and ``reading_checks``: posted quiz questions, each student's one answer,
  and the lines of their interpretation checks, which ``/progress`` counts.

The database runs in WAL mode; every write that spans several statements is one transaction, so a crash
at any moment leaves the state before it or after it, never half of it. One connection serves every
coroutine, one at a time (see ``Store``), so concurrent presses never interleave inside a transaction.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite

from bot.regression.questions import Question as QuizQuestion

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE pages (
            key TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            dataset TEXT NOT NULL,
            formula TEXT NOT NULL,
            created_at REAL NOT NULL
        )""",
    ),
    (
        """CREATE TABLE datasets (
            guild_id INTEGER NOT NULL,
            name TEXT NOT NULL,
            description TEXT NOT NULL,
            filename TEXT NOT NULL,
            csv BLOB NOT NULL,
            version TEXT NOT NULL,
            uploaded_by INTEGER NOT NULL,
            uploaded_at REAL NOT NULL,
            PRIMARY KEY (guild_id, name)
        )""",
        """CREATE TABLE pending_uploads (
            key TEXT PRIMARY KEY,
            guild_id INTEGER NOT NULL,
            name TEXT NOT NULL,
            description TEXT NOT NULL,
            filename TEXT NOT NULL,
            csv BLOB NOT NULL,
            user_id INTEGER NOT NULL,
            created_at REAL NOT NULL
        )""",
        """CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            guild_id INTEGER NOT NULL,
            channel_id INTEGER NOT NULL,
            topic TEXT NOT NULL,
            opened_by INTEGER NOT NULL,
            opened_at REAL NOT NULL,
            closed_at REAL
        )""",
        "CREATE UNIQUE INDEX one_open_session ON sessions (channel_id) WHERE closed_at IS NULL",
        """CREATE TABLE questions (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions (id),
            asker_id INTEGER NOT NULL,
            question TEXT NOT NULL,
            asked_at REAL NOT NULL,
            status TEXT NOT NULL DEFAULT 'waiting'
                CHECK (status IN ('waiting', 'called', 'answered', 'skipped')),
            called_at REAL,
            closed_at REAL
        )""",
        "CREATE INDEX questions_by_session ON questions (session_id, status, id)",
    ),
    # Each upload's typed columns and schema (bot.regression.stored), written once when it is checked. The
    # blobs go last in the row, so reading the metadata and schema (at start) skips over none of them.
    (
        """CREATE TABLE typed_datasets (
            guild_id INTEGER NOT NULL,
            name TEXT NOT NULL,
            description TEXT NOT NULL,
            filename TEXT NOT NULL,
            version TEXT NOT NULL,
            uploaded_by INTEGER NOT NULL,
            uploaded_at REAL NOT NULL,
            schema TEXT NOT NULL DEFAULT '',
            typed BLOB NOT NULL DEFAULT x'',
            csv BLOB NOT NULL,
            PRIMARY KEY (guild_id, name)
        )""",
        "INSERT INTO typed_datasets (guild_id, name, description, filename, version, uploaded_by, uploaded_at, csv) "
        "SELECT guild_id, name, description, filename, version, uploaded_by, uploaded_at, csv FROM datasets",
        "DROP TABLE datasets",
        "ALTER TABLE typed_datasets RENAME TO datasets",
        "ALTER TABLE pending_uploads ADD COLUMN typed BLOB NOT NULL DEFAULT x''",
        "ALTER TABLE pending_uploads ADD COLUMN schema TEXT NOT NULL DEFAULT ''",
    ),
    # Settings of a user (scope "user") or a server's defaults (scope "guild"), one row per key.
    (
        """CREATE TABLE settings (
            scope TEXT NOT NULL CHECK (scope IN ('user', 'guild')),
            id INTEGER NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (scope, id, key)
        )""",
    ),
    # Quizzes: each posted question whole (JSON, ``bot.regression.questions``), each student's one answer,
    # and each line of a student's interpretation checks, counted by misconception for /progress.
    (
        """CREATE TABLE quizzes (
            id INTEGER PRIMARY KEY,
            guild_id INTEGER,
            channel_id INTEGER NOT NULL,
            posted_by INTEGER NOT NULL,
            topic TEXT NOT NULL,
            question TEXT NOT NULL,
            posted_at REAL NOT NULL,
            revealed_at REAL
        )""",
        """CREATE TABLE quiz_answers (
            quiz_id INTEGER NOT NULL REFERENCES quizzes (id),
            user_id INTEGER NOT NULL,
            choice INTEGER NOT NULL,
            correct INTEGER NOT NULL,
            misconception TEXT,
            answered_at REAL NOT NULL,
            PRIMARY KEY (quiz_id, user_id)
        )""",
        "CREATE INDEX quiz_answers_by_user ON quiz_answers (user_id, answered_at)",
        """CREATE TABLE reading_checks (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL,
            misconception TEXT NOT NULL,
            passed INTEGER NOT NULL,
            checked_at REAL NOT NULL
        )""",
        "CREATE INDEX reading_checks_by_user ON reading_checks (user_id, misconception)",
    ),
)


@dataclass(frozen=True)
class PagedContent:
    """What a paged message shows: a walkthrough (``kind="wt"``) or a dataset description (``"ds"``)."""

    kind: str
    dataset: str
    formula: str


@dataclass(frozen=True)
class StoredDataset:
    """An uploaded dataset as stored: the CSV bytes, who uploaded it when, and its typed form.

    ``typed`` and ``schema`` are ``bot.regression.stored.encode``'s, empty for an upload stored before
    typed storage (or not checked yet).
    """

    guild_id: int
    name: str
    description: str
    filename: str
    csv: bytes
    version: str
    uploaded_by: int
    uploaded_at: float
    typed: bytes = b""
    schema: str = ""


class UploadNotWaiting(LookupError):
    """The upload waiting for confirmation under this key was answered already (or never existed)."""


@dataclass(frozen=True)
class Session:
    """An office-hours session in one channel."""

    id: int
    guild_id: int
    channel_id: int
    topic: str
    opened_by: int
    opened_at: float
    closed_at: float | None


@dataclass(frozen=True)
class Question:
    """A queued question and where it is in its life: waiting, called, answered or skipped."""

    id: int
    session_id: int
    asker_id: int
    question: str
    asked_at: float
    status: str
    called_at: float | None
    closed_at: float | None


@dataclass(frozen=True)
class Quiz:
    """A posted quiz question: where, by whom, the question itself, and whether its answer was revealed."""

    id: int
    guild_id: int | None
    channel_id: int
    posted_by: int
    question: QuizQuestion
    revealed: bool


@dataclass(frozen=True)
class Answered:
    """What a student's press on a quiz did: ``choice`` is their one answer (the earlier one when ``first``
    is False); ``counted`` is False when the answer had been revealed before the press."""

    choice: int
    first: bool
    counted: bool


@dataclass(frozen=True)
class Progress:
    """How one student did on one misconception: quiz answers right of those given, and interpretation
    check lines passed of those checked."""

    misconception: str
    quiz_right: int
    quiz_total: int
    checks_passed: int
    checks_total: int


@dataclass(frozen=True)
class Miss:
    """A quiz question a student answered wrong, with their choice."""

    quiz_id: int
    question: QuizQuestion
    choice: int


def _put_dataset(dataset: StoredDataset) -> list[tuple[str, Sequence[Any]]]:
    """The statements that store ``dataset`` in place of any with its name in its server."""
    return [
        ("DELETE FROM datasets WHERE guild_id = ? AND name = ?", (dataset.guild_id, dataset.name)),
        (
            "INSERT INTO datasets (guild_id, name, description, filename, csv, version, uploaded_by, uploaded_at, "
            "typed, schema) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                dataset.guild_id,
                dataset.name,
                dataset.description,
                dataset.filename,
                dataset.csv,
                dataset.version,
                dataset.uploaded_by,
                dataset.uploaded_at,
                dataset.typed,
                dataset.schema,
            ),
        ),
    ]


async def _fetch(db: aiosqlite.Connection, sql: str, args: Sequence[Any] = ()) -> list[Any]:
    """All rows of a query on ``db`` (the caller holds the store's lock)."""
    return list(await (await db.execute(sql, args)).fetchall())


class Store:
    """An open SQLite database with the bot's tables.

    The one aiosqlite connection is shared by every coroutine, so it is used by one at a time: ``_scalar``,
    ``_rows`` and ``_execute`` take the lock for one statement, ``_transaction`` and ``_atomic`` hold it for
    a whole transaction, so no statement from elsewhere lands inside one (and is rolled back with it).
    Everything that reads and then writes runs inside ``_atomic`` on the connection it yields; the lock is
    not reentrant, so code inside ``_atomic`` never calls the locking helpers.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._db: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    async def open(self) -> None:
        """Open (creating the file and folder on first start) and migrate to the latest schema."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = await aiosqlite.connect(self.path, isolation_level=None)
        await self._db.execute("PRAGMA journal_mode=WAL")
        await self._db.execute("PRAGMA synchronous=FULL")
        await self._db.execute("PRAGMA foreign_keys=ON")
        version = await self._scalar("PRAGMA user_version")
        for number, statements in enumerate(MIGRATIONS[version:], start=version + 1):
            await self._transaction(
                [*((s, ()) for s in statements), (f"PRAGMA user_version = {number:d}", ())]
            )

    @property
    def db(self) -> aiosqlite.Connection:
        """The open connection."""
        if self._db is None:
            raise RuntimeError("the store is not open")
        return self._db

    async def close(self) -> None:
        """Close the connection (after the transaction in progress, if any)."""
        async with self._lock:
            if self._db is not None:
                await self._db.close()
                self._db = None

    async def _scalar(self, sql: str, args: Sequence[Any] = ()) -> Any:
        """The first column of the first row, or None."""
        rows = await self._rows(sql, args)
        return rows[0][0] if rows else None

    async def _rows(self, sql: str, args: Sequence[Any] = ()) -> list[Any]:
        """All rows of a query."""
        async with self._lock:
            return await _fetch(self.db, sql, args)

    async def _execute(self, sql: str, args: Sequence[Any] = ()) -> aiosqlite.Cursor:
        """Run one statement on its own (``rowcount`` and ``lastrowid`` are on the cursor)."""
        async with self._lock:
            return await self.db.execute(sql, args)

    @asynccontextmanager
    async def _atomic(self) -> AsyncIterator[aiosqlite.Connection]:
        """Hold the connection alone for the block and make what it does one transaction: all or none."""
        async with self._lock:
            db = self.db
            await db.execute("BEGIN IMMEDIATE")
            try:
                yield db
                await db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    await db.execute("ROLLBACK")
                raise

    async def _transaction(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> None:
        """Run ``statements`` as one transaction: all of them or none."""
        async with self._atomic() as db:
            for sql, args in statements:
                await db.execute(sql, args)

    # Paged messages.

    async def remember(self, content: PagedContent) -> str:
        """Store what a paged message shows and return its key (the same content gives the same key)."""
        digest = hashlib.sha256(f"{content.kind}\0{content.dataset}\0{content.formula}".encode()).hexdigest()
        key = digest[:16]
        await self._execute(
            "INSERT OR IGNORE INTO pages (key, kind, dataset, formula, created_at) VALUES (?, ?, ?, ?, ?)",
            (key, content.kind, content.dataset, content.formula, time.time()),
        )
        return key

    async def recall(self, key: str) -> PagedContent | None:
        """What the message with ``key`` shows, or None if the key is unknown."""
        rows = await self._rows("SELECT kind, dataset, formula FROM pages WHERE key = ?", (key,))
        return PagedContent(*rows[0]) if rows else None

    # Settings.

    async def set_setting(self, scope: str, owner: int, key: str, value: str | None) -> None:
        """Set a user's (``scope="user"``) or a server's (``"guild"``) ``key`` to ``value``; None removes it."""
        if value is None:
            await self._execute(
                "DELETE FROM settings WHERE scope = ? AND id = ? AND key = ?", (scope, owner, key)
            )
        else:
            await self._execute(
                "INSERT INTO settings (scope, id, key, value) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (scope, id, key) DO UPDATE SET value = excluded.value",
                (scope, owner, key, value),
            )

    async def settings_for(
        self, user_id: int, guild_id: int | None, key: str
    ) -> tuple[str | None, str | None]:
        """``key`` as the user set it and as their server's default (None where not set), in one read."""
        rows = await self._rows(
            "SELECT scope, value FROM settings WHERE key = ? AND "
            "((scope = 'user' AND id = ?) OR (scope = 'guild' AND id = ?))",
            (key, user_id, guild_id if guild_id is not None else -1),
        )
        found = dict(rows)
        return found.get("user"), found.get("guild")

    # Uploaded datasets.

    async def save_dataset(self, dataset: StoredDataset) -> None:
        """Store (or replace) a server's dataset in one transaction."""
        await self._transaction(_put_dataset(dataset))

    async def delete_dataset(self, guild_id: int, name: str) -> bool:
        """Remove a server's dataset; False if it did not exist."""
        cursor = await self._execute("DELETE FROM datasets WHERE guild_id = ? AND name = ?", (guild_id, name))
        return cursor.rowcount > 0

    async def datasets(self, guild_id: int | None = None) -> list[StoredDataset]:
        """Every stored dataset (of one server, if given), oldest first, with its schema: what the bot keeps.

        The typed columns stay in the database (workers read them); the CSV bytes come only with an upload
        stored before typed storage, which has no schema yet (``add_typed`` gives it one).
        """
        sql = (
            "SELECT guild_id, name, description, filename, CASE WHEN schema = '' THEN csv ELSE x'' END, "
            "version, uploaded_by, uploaded_at, x'', schema FROM datasets"
        )
        args: tuple[Any, ...] = ()
        if guild_id is not None:
            sql += " WHERE guild_id = ?"
            args = (guild_id,)
        return [StoredDataset(*row) for row in await self._rows(sql + " ORDER BY uploaded_at", args)]

    async def add_typed(self, guild_id: int, name: str, version: str, typed: bytes, schema: str) -> None:
        """Give an upload stored before typed storage its typed columns and schema (if it is still there)."""
        await self._execute(
            "UPDATE datasets SET typed = ?, schema = ? WHERE guild_id = ? AND name = ? AND version = ?",
            (typed, schema, guild_id, name, version),
        )

    async def stash_upload(self, dataset: StoredDataset) -> str:
        """Keep an upload that waits for the uploader's confirmation; returns its key."""
        key = secrets.token_hex(8)
        await self._execute(
            "INSERT INTO pending_uploads (key, guild_id, name, description, filename, csv, user_id, created_at, "
            "typed, schema) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                key,
                dataset.guild_id,
                dataset.name,
                dataset.description,
                dataset.filename,
                dataset.csv,
                dataset.uploaded_by,
                time.time(),
                dataset.typed,
                dataset.schema,
            ),
        )
        return key

    async def pending_upload(self, key: str) -> StoredDataset | None:
        """The upload waiting for confirmation under ``key``, or None."""
        rows = await self._rows(
            "SELECT guild_id, name, description, filename, csv, user_id, created_at, typed, schema "
            "FROM pending_uploads WHERE key = ?",
            (key,),
        )
        if not rows:
            return None
        guild_id, name, description, filename, csv, user_id, created_at, typed, schema = rows[0]
        return StoredDataset(
            guild_id, name, description, filename, csv, "", user_id, created_at, typed, schema
        )

    async def discard_upload(self, key: str) -> bool:
        """Forget a waiting upload (cancelled); False if it was no longer waiting."""
        cursor = await self._execute("DELETE FROM pending_uploads WHERE key = ?", (key,))
        return cursor.rowcount > 0

    async def replace_with_upload(self, key: str, dataset: StoredDataset) -> None:
        """Store ``dataset`` and forget the waiting upload ``key``, in one transaction; raises
        ``UploadNotWaiting`` and stores nothing when ``key`` no longer waits (it was answered already)."""
        async with self._atomic() as db:
            if (await db.execute("DELETE FROM pending_uploads WHERE key = ?", (key,))).rowcount == 0:
                raise UploadNotWaiting(key)
            for sql, args in _put_dataset(dataset):
                await db.execute(sql, args)

    # Office hours.

    async def open_session(self, guild_id: int, channel_id: int, topic: str, user_id: int) -> Session | None:
        """Open a session in a channel; None if one is already open there."""
        try:
            async with self._atomic() as db:
                cursor = await db.execute(
                    "INSERT INTO sessions (guild_id, channel_id, topic, opened_by, opened_at) VALUES (?, ?, ?, ?, ?)",
                    (guild_id, channel_id, topic, user_id, time.time()),
                )
                rows = await _fetch(db, "SELECT * FROM sessions WHERE id = ?", (cursor.lastrowid,))
        except aiosqlite.IntegrityError:
            return None
        return Session(*rows[0])

    async def session(self, session_id: int) -> Session | None:
        """A session by id."""
        rows = await self._rows("SELECT * FROM sessions WHERE id = ?", (session_id,))
        return Session(*rows[0]) if rows else None

    async def open_session_in(self, channel_id: int) -> Session | None:
        """The open session in a channel, if any."""
        rows = await self._rows(
            "SELECT * FROM sessions WHERE channel_id = ? AND closed_at IS NULL", (channel_id,)
        )
        return Session(*rows[0]) if rows else None

    async def close_session(self, session_id: int) -> None:
        """Close a session (questions still waiting stay as they are, for the summary)."""
        await self._execute("UPDATE sessions SET closed_at = ? WHERE id = ?", (time.time(), session_id))

    async def ask(self, session_id: int, asker_id: int, question: str) -> int:
        """Queue a question; returns the asker's position among those waiting (1 = next)."""
        async with self._atomic() as db:
            await db.execute(
                "INSERT INTO questions (session_id, asker_id, question, asked_at) VALUES (?, ?, ?, ?)",
                (session_id, asker_id, question, time.time()),
            )
            rows = await _fetch(
                db,
                "SELECT COUNT(*) FROM questions WHERE session_id = ? AND status = 'waiting'",
                (session_id,),
            )
        return int(rows[0][0])

    async def questions(self, session_id: int) -> list[Question]:
        """Every question of a session, in the order asked."""
        return [
            Question(*row)
            for row in await self._rows(
                "SELECT * FROM questions WHERE session_id = ? ORDER BY id", (session_id,)
            )
        ]

    async def call_next(self, session_id: int) -> Question | None:
        """Mark the question being answered as answered and call the next waiting one (None if none).

        One transaction, so presses at the same moment call different questions, each exactly once.
        """
        now = time.time()
        async with self._atomic() as db:
            await db.execute(
                "UPDATE questions SET status = 'answered', closed_at = ? WHERE session_id = ? AND status = 'called'",
                (now, session_id),
            )
            waiting = await _fetch(
                db,
                "SELECT id FROM questions WHERE session_id = ? AND status = 'waiting' ORDER BY id LIMIT 1",
                (session_id,),
            )
            if not waiting:
                return None
            await db.execute(
                "UPDATE questions SET status = 'called', called_at = ? WHERE id = ?", (now, waiting[0][0])
            )
            rows = await _fetch(db, "SELECT * FROM questions WHERE id = ?", (waiting[0][0],))
        return Question(*rows[0])

    async def close_current(self, session_id: int, status: str) -> Question | None:
        """Mark the called question (or, with none called, the next waiting one) answered or skipped, in one
        transaction; returns it as it was before (None if there was none)."""
        now = time.time()
        async with self._atomic() as db:
            rows = await _fetch(
                db,
                "SELECT * FROM questions WHERE session_id = ? AND status IN ('called', 'waiting') "
                "ORDER BY status = 'waiting', id LIMIT 1",
                (session_id,),
            )
            if not rows:
                return None
            await db.execute(
                "UPDATE questions SET status = ?, closed_at = ?, called_at = COALESCE(called_at, ?) WHERE id = ?",
                (status, now, now, rows[0][0]),
            )
        return Question(*rows[0])

    # Quizzes and progress.

    async def post_quiz(
        self, guild_id: int | None, channel_id: int, user_id: int, question: QuizQuestion
    ) -> int:
        """Keep a posted quiz question; returns its id (in the answer buttons' custom_ids)."""
        cursor = await self._execute(
            "INSERT INTO quizzes (guild_id, channel_id, posted_by, topic, question, posted_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (guild_id, channel_id, user_id, question.topic, question.to_json(), time.time()),
        )
        assert cursor.lastrowid is not None
        return int(cursor.lastrowid)

    async def quiz(self, quiz_id: int) -> Quiz | None:
        """The quiz with this id, or None."""
        rows = await self._rows(
            "SELECT id, guild_id, channel_id, posted_by, question, revealed_at FROM quizzes WHERE id = ?",
            (quiz_id,),
        )
        if not rows:
            return None
        id_, guild_id, channel_id, posted_by, question, revealed_at = rows[0]
        return Quiz(
            id_, guild_id, channel_id, posted_by, QuizQuestion.from_json(question), revealed_at is not None
        )

    async def answer_quiz(self, quiz_id: int, user_id: int, choice: int) -> Answered:
        """Record ``user_id``'s answer unless they answered before or the answer is out (one transaction, so
        two presses at once record one answer)."""
        async with self._atomic() as db:
            earlier = await _fetch(
                db, "SELECT choice FROM quiz_answers WHERE quiz_id = ? AND user_id = ?", (quiz_id, user_id)
            )
            if earlier:
                return Answered(int(earlier[0][0]), first=False, counted=True)
            rows = await _fetch(db, "SELECT question, revealed_at FROM quizzes WHERE id = ?", (quiz_id,))
            question, revealed_at = rows[0]
            if revealed_at is not None:
                return Answered(choice, first=True, counted=False)
            option = QuizQuestion.from_json(question).options[choice]
            await db.execute(
                "INSERT INTO quiz_answers (quiz_id, user_id, choice, correct, misconception, answered_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (quiz_id, user_id, choice, int(option.correct), option.misconception, time.time()),
            )
        return Answered(choice, first=True, counted=True)

    async def quiz_counts(self, quiz_id: int, options: int) -> list[int]:
        """How many students chose each option."""
        counts = [0] * options
        for choice, count in await self._rows(
            "SELECT choice, COUNT(*) FROM quiz_answers WHERE quiz_id = ? GROUP BY choice", (quiz_id,)
        ):
            counts[int(choice)] = int(count)
        return counts

    async def reveal_quiz(self, quiz_id: int) -> bool:
        """Mark the quiz's answer revealed; False if it already was."""
        cursor = await self._execute(
            "UPDATE quizzes SET revealed_at = ? WHERE id = ? AND revealed_at IS NULL", (time.time(), quiz_id)
        )
        return cursor.rowcount == 1

    async def record_checks(self, user_id: int, outcomes: Sequence[tuple[str, bool]]) -> None:
        """Count an interpretation check's lines: (misconception, passed) each."""
        now = time.time()
        await self._transaction(
            [
                (
                    "INSERT INTO reading_checks (user_id, misconception, passed, checked_at) VALUES (?, ?, ?, ?)",
                    (user_id, misconception, int(passed), now),
                )
                for misconception, passed in outcomes
            ]
        )

    async def progress(self, user_id: int) -> list[Progress]:
        """Per misconception the student met, their quiz answers and check lines (no order)."""
        quizzes = await self._rows(
            "SELECT q.topic, SUM(a.correct), COUNT(*) FROM quiz_answers a JOIN quizzes q ON q.id = a.quiz_id "
            "WHERE a.user_id = ? GROUP BY q.topic",
            (user_id,),
        )
        checks = await self._rows(
            "SELECT misconception, SUM(passed), COUNT(*) FROM reading_checks WHERE user_id = ? "
            "GROUP BY misconception",
            (user_id,),
        )
        counts: dict[str, list[int]] = {}
        for topic, right, total in quizzes:
            counts.setdefault(topic, [0, 0, 0, 0])[:2] = [int(right), int(total)]
        for misconception, passed, total in checks:
            counts.setdefault(misconception, [0, 0, 0, 0])[2:] = [int(passed), int(total)]
        return [Progress(name, *numbers) for name, numbers in counts.items()]

    async def misses(self, user_id: int) -> list[Miss]:
        """The quiz questions ``user_id`` answered wrong, most recent first."""
        rows = await self._rows(
            "SELECT q.id, q.question, a.choice FROM quiz_answers a JOIN quizzes q ON q.id = a.quiz_id "
            "WHERE a.user_id = ? AND a.correct = 0 ORDER BY a.answered_at DESC, q.id DESC",
            (user_id,),
        )
        return [
            Miss(int(id_), QuizQuestion.from_json(question), int(choice)) for id_, question, choice in rows
        ]
