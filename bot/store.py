"""The bot's persistent state, in SQLite (the default) or PostgreSQL, through SQLAlchemy Core (async).

- ``pages``: what each paged message shows, so buttons keep working after a restart;
- ``datasets`` and ``pending_uploads``: each server's own CSV datasets, with their typed columns and
  schema (an upload is one transaction);
- ``sessions`` and ``questions``: the office-hours queue;
- ``settings``: each user's and each server's choices;
- ``quizzes``, ``quiz_answers`` and ``reading_checks``: posted quiz questions, each student's one answer,
  and the lines of their interpretation checks, which ``/progress`` counts.

``Store(path)`` keeps a SQLite file (aiosqlite) in WAL mode, its schema version in ``PRAGMA user_version``;
one connection serves every coroutine, one at a time, each transaction begun with ``BEGIN IMMEDIATE``.
``Store("postgresql://user@host:port/db")`` uses a PostgreSQL server (asyncpg) through a connection pool,
its schema version in the table ``schema_version``; several processes may share it. Every query is
written once, from the tables below (``metadata``), and every operation is one transaction, so a crash at
any moment leaves the state before it or after it, never half of it. Read-then-write operations are
atomic on both: on PostgreSQL they lock the row they depend on (an office-hours session, a quiz) first.

Migrations run at start. ``MIGRATIONS`` are SQLite's history, version by version; a new PostgreSQL
database is made at the latest version from ``metadata`` (which a test checks against the migrated SQLite
schema). The migrations after version 5 run on both backends, so they are written in SQL that both
accept; on PostgreSQL they run under an advisory lock, so processes starting together migrate once.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Executable,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    Row,
    Table,
    Text,
    and_,
    case,
    delete,
    event,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

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


# The schema SQLite's migrations arrive at, as tables every query is written from (and a new PostgreSQL
# database is made from). Discord ids are 64-bit; times are seconds since the epoch.
metadata = MetaData()

pages = Table(
    "pages",
    metadata,
    Column("key", Text, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("dataset", Text, nullable=False),
    Column("formula", Text, nullable=False),
    Column("created_at", Float, nullable=False),
)
datasets = Table(
    "datasets",
    metadata,
    Column("guild_id", BigInteger, nullable=False),
    Column("name", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("filename", Text, nullable=False),
    Column("version", Text, nullable=False),
    Column("uploaded_by", BigInteger, nullable=False),
    Column("uploaded_at", Float, nullable=False),
    Column("schema", Text, nullable=False),
    Column("typed", LargeBinary, nullable=False),
    Column("csv", LargeBinary, nullable=False),
    PrimaryKeyConstraint("guild_id", "name"),
)
pending_uploads = Table(
    "pending_uploads",
    metadata,
    Column("key", Text, primary_key=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("name", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("filename", Text, nullable=False),
    Column("csv", LargeBinary, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("typed", LargeBinary, nullable=False),
    Column("schema", Text, nullable=False),
)
sessions = Table(
    "sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("channel_id", BigInteger, nullable=False),
    Column("topic", Text, nullable=False),
    Column("opened_by", BigInteger, nullable=False),
    Column("opened_at", Float, nullable=False),
    Column("closed_at", Float),
)
_still_open = sessions.c.closed_at.is_(None)
Index(
    "one_open_session",
    sessions.c.channel_id,
    unique=True,
    sqlite_where=_still_open,
    postgresql_where=_still_open,
)
questions = Table(
    "questions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("session_id", Integer, ForeignKey("sessions.id"), nullable=False),
    Column("asker_id", BigInteger, nullable=False),
    Column("question", Text, nullable=False),
    Column("asked_at", Float, nullable=False),
    Column("status", Text, nullable=False, server_default="waiting"),
    Column("called_at", Float),
    Column("closed_at", Float),
    CheckConstraint("status IN ('waiting', 'called', 'answered', 'skipped')"),
)
Index("questions_by_session", questions.c.session_id, questions.c.status, questions.c.id)
settings = Table(
    "settings",
    metadata,
    Column("scope", Text, nullable=False),
    Column("id", BigInteger, nullable=False),
    Column("key", Text, nullable=False),
    Column("value", Text, nullable=False),
    PrimaryKeyConstraint("scope", "id", "key"),
    CheckConstraint("scope IN ('user', 'guild')"),
)
quizzes = Table(
    "quizzes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("guild_id", BigInteger),
    Column("channel_id", BigInteger, nullable=False),
    Column("posted_by", BigInteger, nullable=False),
    Column("topic", Text, nullable=False),
    Column("question", Text, nullable=False),
    Column("posted_at", Float, nullable=False),
    Column("revealed_at", Float),
)
quiz_answers = Table(
    "quiz_answers",
    metadata,
    Column("quiz_id", Integer, ForeignKey("quizzes.id"), nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("choice", Integer, nullable=False),
    Column("correct", Integer, nullable=False),
    Column("misconception", Text),
    Column("answered_at", Float, nullable=False),
    PrimaryKeyConstraint("quiz_id", "user_id"),
)
Index("quiz_answers_by_user", quiz_answers.c.user_id, quiz_answers.c.answered_at)
reading_checks = Table(
    "reading_checks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", BigInteger, nullable=False),
    Column("misconception", Text, nullable=False),
    Column("passed", Integer, nullable=False),
    Column("checked_at", Float, nullable=False),
)
Index("reading_checks_by_user", reading_checks.c.user_id, reading_checks.c.misconception)

#: How many page keys a process remembers having stored (pages are never deleted, so a key once stored
#: needs no second write; a burst of one formula then costs one write instead of one per command).
REMEMBERED_KEYS = 4096
#: How long (seconds) a process reuses settings it read: every command asks for the user's theme, and
#: on a busy store that read stood between the command and its first response. A change made here is seen
#: at once; one made by another process (a shard on the same PostgreSQL) within this time.
SETTINGS_TTL = 30.0
#: How many users' settings a process keeps at most (all are dropped when there are more).
SETTINGS_KEPT = 10_000

# PostgreSQL's schema version: one row, written in the transaction that migrates.
_versions = MetaData()
schema_version = Table("schema_version", _versions, Column("version", Integer, nullable=False))
# The advisory lock that migrations take, so processes that start together migrate one after the other.
MIGRATION_LOCK = (
    int.from_bytes(hashlib.sha256(b"regression-office-hours migrations").digest()[:8], "big") >> 1
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


def _sqlite_connected(connection: Any, _record: Any) -> None:
    """A new SQLite connection: write-ahead log, full sync, foreign keys."""
    cursor = connection.cursor()
    for pragma in ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON"):
        cursor.execute(pragma)
    cursor.close()


def _begin_immediate(connection: Connection) -> None:
    """Begin each SQLite transaction as a writer, so what it reads stays true until it commits."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")


async def _migrate(connection: AsyncConnection, version: int) -> None:
    """Run the migrations after ``version`` (the caller records the new version in the same transaction)."""
    for statements in MIGRATIONS[version:]:
        for statement in statements:
            await connection.exec_driver_sql(statement)


class _SQLite:
    """A SQLite file through one connection, which coroutines take turns with.

    ``atomic`` holds the lock for a whole transaction, so no statement from elsewhere lands inside one (and
    is rolled back with it); code inside it never takes the lock again (it is not reentrant).
    """

    insert = staticmethod(sqlite.insert)

    def __init__(self, path: Path) -> None:
        self.path = path
        self._engine: AsyncEngine | None = None
        self._connection: AsyncConnection | None = None
        self._lock = asyncio.Lock()

    async def open(self) -> None:
        """Open (creating the file and folder on first start) and migrate, in one transaction."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            URL.create("sqlite+aiosqlite", database=str(self.path)),
            poolclass=NullPool,
            connect_args={"isolation_level": None},  # SQLAlchemy's begin event emits BEGIN instead
        )
        event.listen(engine.sync_engine, "connect", _sqlite_connected)
        event.listen(engine.sync_engine, "begin", _begin_immediate)
        self._engine = engine
        self._connection = await engine.connect()
        async with self.atomic() as connection:
            version = (await connection.exec_driver_sql("PRAGMA user_version")).scalar_one()
            if version < len(MIGRATIONS):
                await _migrate(connection, version)
                await connection.exec_driver_sql(f"PRAGMA user_version = {len(MIGRATIONS):d}")

    @asynccontextmanager
    async def atomic(self) -> AsyncIterator[AsyncConnection]:
        """The connection, alone, inside one transaction: committed after the block, rolled back on error."""
        async with self._lock:
            if self._connection is None:
                raise RuntimeError("the store is not open")
            async with self._connection.begin():
                yield self._connection

    async def close(self) -> None:
        """Close the connection (after the transaction in progress, if any)."""
        async with self._lock:
            if self._connection is not None:
                await self._connection.close()
                self._connection = None
            if self._engine is not None:
                await self._engine.dispose()
                self._engine = None


class _PostgreSQL:
    """A PostgreSQL database through a pool of connections, one per transaction in progress."""

    insert = staticmethod(postgresql.insert)

    def __init__(self, url: str) -> None:
        self.url = make_url(url).set(drivername="postgresql+asyncpg")
        self._engine: AsyncEngine | None = None

    async def open(self) -> None:
        """Connect and migrate, in one transaction under the migration lock."""
        self._engine = create_async_engine(self.url, pool_pre_ping=True)
        async with self.atomic() as connection:
            await connection.execute(select(func.pg_advisory_xact_lock(MIGRATION_LOCK)))
            await connection.run_sync(_versions.create_all)
            version = (await connection.execute(select(schema_version.c.version))).scalar()
            if version is None:
                await connection.run_sync(metadata.create_all)
                await connection.execute(insert(schema_version).values(version=len(MIGRATIONS)))
            elif version < len(MIGRATIONS):
                await _migrate(connection, version)
                await connection.execute(update(schema_version).values(version=len(MIGRATIONS)))

    @asynccontextmanager
    async def atomic(self) -> AsyncIterator[AsyncConnection]:
        """A pooled connection inside one transaction: committed after the block, rolled back on error."""
        if self._engine is None:
            raise RuntimeError("the store is not open")
        async with self._engine.begin() as connection:
            yield connection

    async def close(self) -> None:
        """Close the pool's connections."""
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None


class Store:
    """The bot's tables in SQLite (``database`` is a file path) or PostgreSQL (a ``postgresql://`` URL).

    Every method is one transaction (``_atomic``). Methods that read and then write do both on the
    connection it yields, after locking, on PostgreSQL, the row whose state they depend on (SQLite
    ignores ``FOR UPDATE``: there the transaction holds the database's write lock from its start).
    """

    def __init__(self, database: str | Path) -> None:
        location = str(database)
        self._backend: _SQLite | _PostgreSQL = (
            _PostgreSQL(location) if location.startswith("postgresql://") else _SQLite(Path(database))
        )
        self._stored_keys: OrderedDict[str, None] = OrderedDict()
        self._settings: dict[tuple[int, int | None, str], tuple[float, tuple[str | None, str | None]]] = {}

    async def open(self) -> None:
        """Connect (creating a SQLite file and its folder on first start) and migrate to the latest schema."""
        await self._backend.open()

    async def close(self) -> None:
        """Close the connections (after the transaction in progress, if any)."""
        await self._backend.close()

    def _atomic(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """A connection inside one transaction: all of the block's statements or none."""
        return self._backend.atomic()

    def _insert(self, table: Table) -> sqlite.Insert | postgresql.Insert:
        """An INSERT in this backend's dialect, for ``on_conflict_do_nothing`` and ``on_conflict_do_update``."""
        return self._backend.insert(table)

    async def _rows(self, statement: Executable) -> Sequence[Row[Any]]:
        """All rows of one query."""
        async with self._atomic() as connection:
            return (await connection.execute(statement)).all()

    async def _changed(self, statement: Executable) -> int:
        """How many rows one statement changed."""
        async with self._atomic() as connection:
            return (await connection.execute(statement)).rowcount

    # Paged messages.

    async def remember(self, content: PagedContent) -> str:
        """Store what a paged message shows and return its key (the same content gives the same key)."""
        digest = hashlib.sha256(f"{content.kind}\0{content.dataset}\0{content.formula}".encode()).hexdigest()
        key = digest[:16]
        if key in self._stored_keys:
            self._stored_keys.move_to_end(key)
            return key
        await self._changed(
            self._insert(pages)
            .values(
                key=key,
                kind=content.kind,
                dataset=content.dataset,
                formula=content.formula,
                created_at=time.time(),
            )
            .on_conflict_do_nothing()
        )
        self._stored_keys[key] = None
        if len(self._stored_keys) > REMEMBERED_KEYS:
            self._stored_keys.popitem(last=False)
        return key

    async def recall(self, key: str) -> PagedContent | None:
        """What the message with ``key`` shows, or None if the key is unknown."""
        rows = await self._rows(
            select(pages.c.kind, pages.c.dataset, pages.c.formula).where(pages.c.key == key)
        )
        return PagedContent(*rows[0]) if rows else None

    # Settings.

    async def set_setting(self, scope: str, owner: int, key: str, value: str | None) -> None:
        """Set a user's (``scope="user"``) or a server's (``"guild"``) ``key`` to ``value``; None removes it."""
        if value is None:
            await self._changed(
                delete(settings).where(
                    settings.c.scope == scope, settings.c.id == owner, settings.c.key == key
                )
            )
        else:
            upsert = self._insert(settings).values(scope=scope, id=owner, key=key, value=value)
            await self._changed(
                upsert.on_conflict_do_update(
                    index_elements=[settings.c.scope, settings.c.id, settings.c.key],
                    set_={"value": upsert.excluded.value},
                )
            )
        self._settings.clear()  # rare: forget every reading rather than find those this changes

    async def settings_for(
        self, user_id: int, guild_id: int | None, key: str
    ) -> tuple[str | None, str | None]:
        """``key`` as the user set it and as their server's default (None where not set), in one read
        (reused for ``SETTINGS_TTL`` seconds)."""
        asked = (user_id, guild_id, key)
        kept = self._settings.get(asked)
        if kept is not None and time.monotonic() - kept[0] < SETTINGS_TTL:
            return kept[1]
        rows = await self._rows(
            select(settings.c.scope, settings.c.value).where(
                settings.c.key == key,
                or_(
                    and_(settings.c.scope == "user", settings.c.id == user_id),
                    and_(
                        settings.c.scope == "guild",
                        settings.c.id == (guild_id if guild_id is not None else -1),
                    ),
                ),
            )
        )
        found = {scope: value for scope, value in rows}
        answer = found.get("user"), found.get("guild")
        if len(self._settings) >= SETTINGS_KEPT:
            self._settings.clear()
        self._settings[asked] = (time.monotonic(), answer)
        return answer

    # Uploaded datasets.

    def _put_dataset(self, dataset: StoredDataset) -> Executable:
        """The statement that stores ``dataset`` in place of any with its name in its server."""
        upsert = self._insert(datasets).values(
            guild_id=dataset.guild_id,
            name=dataset.name,
            description=dataset.description,
            filename=dataset.filename,
            csv=dataset.csv,
            version=dataset.version,
            uploaded_by=dataset.uploaded_by,
            uploaded_at=dataset.uploaded_at,
            typed=dataset.typed,
            schema=dataset.schema,
        )
        kept = {"guild_id", "name"}
        return upsert.on_conflict_do_update(
            index_elements=[datasets.c.guild_id, datasets.c.name],
            set_={
                column.name: upsert.excluded[column.name] for column in datasets.c if column.name not in kept
            },
        )

    async def save_dataset(self, dataset: StoredDataset) -> None:
        """Store (or replace) a server's dataset in one transaction."""
        await self._changed(self._put_dataset(dataset))

    async def delete_dataset(self, guild_id: int, name: str) -> bool:
        """Remove a server's dataset; False if it did not exist."""
        removed = await self._changed(
            delete(datasets).where(datasets.c.guild_id == guild_id, datasets.c.name == name)
        )
        return removed > 0

    async def datasets(self, guild_id: int | None = None) -> list[StoredDataset]:
        """Every stored dataset (of one server, if given), oldest first, with its schema: what the bot keeps.

        The typed columns stay in the database (workers read them); the CSV bytes come only with an upload
        stored before typed storage, which has no schema yet (``add_typed`` gives it one).
        """
        c = datasets.c
        query = select(
            c.guild_id,
            c.name,
            c.description,
            c.filename,
            case((c["schema"] == "", c.csv), else_=literal(b"", LargeBinary)),
            c.version,
            c.uploaded_by,
            c.uploaded_at,
            c["schema"],
        ).order_by(c.uploaded_at)
        if guild_id is not None:
            query = query.where(c.guild_id == guild_id)
        return [StoredDataset(*row[:8], typed=b"", schema=row[8]) for row in await self._rows(query)]

    async def add_typed(self, guild_id: int, name: str, version: str, typed: bytes, schema: str) -> None:
        """Give an upload stored before typed storage its typed columns and schema (if it is still there)."""
        c = datasets.c
        await self._changed(
            update(datasets)
            .where(c.guild_id == guild_id, c.name == name, c.version == version)
            .values(typed=typed, schema=schema)
        )

    async def stash_upload(self, dataset: StoredDataset) -> str:
        """Keep an upload that waits for the uploader's confirmation; returns its key."""
        key = secrets.token_hex(8)
        await self._changed(
            insert(pending_uploads).values(
                key=key,
                guild_id=dataset.guild_id,
                name=dataset.name,
                description=dataset.description,
                filename=dataset.filename,
                csv=dataset.csv,
                user_id=dataset.uploaded_by,
                created_at=time.time(),
                typed=dataset.typed,
                schema=dataset.schema,
            )
        )
        return key

    async def pending_upload(self, key: str) -> StoredDataset | None:
        """The upload waiting for confirmation under ``key``, or None."""
        c = pending_uploads.c
        rows = await self._rows(
            select(
                c.guild_id,
                c.name,
                c.description,
                c.filename,
                c.csv,
                c.user_id,
                c.created_at,
                c.typed,
                c["schema"],
            ).where(c.key == key)
        )
        if not rows:
            return None
        guild_id, name, description, filename, csv, user_id, created_at, typed, schema = rows[0]
        return StoredDataset(
            guild_id, name, description, filename, csv, "", user_id, created_at, typed, schema
        )

    async def discard_upload(self, key: str) -> bool:
        """Forget a waiting upload (cancelled); False if it was no longer waiting."""
        return await self._changed(delete(pending_uploads).where(pending_uploads.c.key == key)) > 0

    async def replace_with_upload(self, key: str, dataset: StoredDataset) -> None:
        """Store ``dataset`` and forget the waiting upload ``key``, in one transaction; raises
        ``UploadNotWaiting`` and stores nothing when ``key`` no longer waits (it was answered already)."""
        async with self._atomic() as connection:
            taken = await connection.execute(delete(pending_uploads).where(pending_uploads.c.key == key))
            if taken.rowcount == 0:
                raise UploadNotWaiting(key)
            await connection.execute(self._put_dataset(dataset))

    # Office hours.

    async def open_session(self, guild_id: int, channel_id: int, topic: str, user_id: int) -> Session | None:
        """Open a session in a channel; None if one is already open there."""
        try:
            rows = await self._rows(
                insert(sessions)
                .values(
                    guild_id=guild_id,
                    channel_id=channel_id,
                    topic=topic,
                    opened_by=user_id,
                    opened_at=time.time(),
                )
                .returning(*sessions.c)
            )
        except IntegrityError:
            return None
        return Session(*rows[0])

    async def session(self, session_id: int) -> Session | None:
        """A session by id."""
        rows = await self._rows(select(sessions).where(sessions.c.id == session_id))
        return Session(*rows[0]) if rows else None

    async def open_session_in(self, channel_id: int) -> Session | None:
        """The open session in a channel, if any."""
        rows = await self._rows(select(sessions).where(sessions.c.channel_id == channel_id, _still_open))
        return Session(*rows[0]) if rows else None

    async def close_session(self, session_id: int) -> None:
        """Close a session (questions still waiting stay as they are, for the summary)."""
        await self._changed(update(sessions).where(sessions.c.id == session_id).values(closed_at=time.time()))

    async def ask(self, session_id: int, asker_id: int, question: str) -> int:
        """Queue a question; returns the asker's position among those waiting (1 = next)."""
        async with self._atomic() as connection:
            await _lock_session(connection, session_id)
            await connection.execute(
                insert(questions).values(
                    session_id=session_id, asker_id=asker_id, question=question, asked_at=time.time()
                )
            )
            waiting = await connection.execute(
                select(func.count()).where(
                    questions.c.session_id == session_id, questions.c.status == "waiting"
                )
            )
            return int(waiting.scalar_one())

    async def questions(self, session_id: int) -> list[Question]:
        """Every question of a session, in the order asked."""
        rows = await self._rows(
            select(questions).where(questions.c.session_id == session_id).order_by(questions.c.id)
        )
        return [Question(*row) for row in rows]

    async def call_next(self, session_id: int) -> Question | None:
        """Mark the question being answered as answered and call the next waiting one (None if none).

        One transaction with the session locked, so presses at the same moment, in one process or several,
        call different questions, each exactly once.
        """
        now = time.time()
        q = questions.c
        async with self._atomic() as connection:
            await _lock_session(connection, session_id)
            await connection.execute(
                update(questions)
                .where(q.session_id == session_id, q.status == "called")
                .values(status="answered", closed_at=now)
            )
            waiting = await connection.execute(
                select(q.id).where(q.session_id == session_id, q.status == "waiting").order_by(q.id).limit(1)
            )
            next_id = waiting.scalar()
            if next_id is None:
                return None
            called = await connection.execute(
                update(questions)
                .where(q.id == next_id)
                .values(status="called", called_at=now)
                .returning(*questions.c)
            )
            return Question(*called.one())

    async def close_current(self, session_id: int, status: str) -> Question | None:
        """Mark the called question (or, with none called, the next waiting one) answered or skipped, in one
        transaction; returns it as it was before (None if there was none)."""
        now = time.time()
        q = questions.c
        async with self._atomic() as connection:
            await _lock_session(connection, session_id)
            current = await connection.execute(
                select(questions)
                .where(q.session_id == session_id, q.status.in_(("called", "waiting")))
                .order_by(q.status == "waiting", q.id)
                .limit(1)
            )
            row = current.first()
            if row is None:
                return None
            await connection.execute(
                update(questions)
                .where(q.id == row.id)
                .values(status=status, closed_at=now, called_at=func.coalesce(q.called_at, now))
            )
            return Question(*row)

    # Quizzes and progress.

    async def post_quiz(
        self, guild_id: int | None, channel_id: int, user_id: int, question: QuizQuestion
    ) -> int:
        """Keep a posted quiz question; returns its id (in the answer buttons' custom_ids)."""
        rows = await self._rows(
            insert(quizzes)
            .values(
                guild_id=guild_id,
                channel_id=channel_id,
                posted_by=user_id,
                topic=question.topic,
                question=question.to_json(),
                posted_at=time.time(),
            )
            .returning(quizzes.c.id)
        )
        return int(rows[0][0])

    async def quiz(self, quiz_id: int) -> Quiz | None:
        """The quiz with this id, or None."""
        c = quizzes.c
        rows = await self._rows(
            select(c.id, c.guild_id, c.channel_id, c.posted_by, c.question, c.revealed_at).where(
                c.id == quiz_id
            )
        )
        if not rows:
            return None
        id_, guild_id, channel_id, posted_by, question, revealed_at = rows[0]
        return Quiz(
            id_, guild_id, channel_id, posted_by, QuizQuestion.from_json(question), revealed_at is not None
        )

    async def answer_quiz(self, quiz_id: int, user_id: int, choice: int) -> Answered:
        """Record ``user_id``'s answer unless they answered before or the answer is out (one transaction, with
        the quiz locked against a reveal, so two presses at once, anywhere, record one answer)."""
        a = quiz_answers.c
        async with self._atomic() as connection:
            quiz = await connection.execute(
                select(quizzes.c.question, quizzes.c.revealed_at)
                .where(quizzes.c.id == quiz_id)
                .with_for_update(read=True)
            )
            question, revealed_at = quiz.one()
            if revealed_at is None:
                option = QuizQuestion.from_json(question).options[choice]
                recorded = await connection.execute(
                    self._insert(quiz_answers)
                    .values(
                        quiz_id=quiz_id,
                        user_id=user_id,
                        choice=choice,
                        correct=int(option.correct),
                        misconception=option.misconception,
                        answered_at=time.time(),
                    )
                    .on_conflict_do_nothing()
                    .returning(a.choice)
                )
                if recorded.first() is not None:
                    return Answered(choice, first=True, counted=True)
            earlier = await connection.execute(
                select(a.choice).where(a.quiz_id == quiz_id, a.user_id == user_id)
            )
            first_choice = earlier.scalar()
        if first_choice is None:
            return Answered(choice, first=True, counted=False)
        return Answered(int(first_choice), first=False, counted=True)

    async def quiz_counts(self, quiz_id: int, options: int) -> list[int]:
        """How many students chose each option."""
        a = quiz_answers.c
        counts = [0] * options
        for choice, count in await self._rows(
            select(a.choice, func.count()).where(a.quiz_id == quiz_id).group_by(a.choice)
        ):
            counts[int(choice)] = int(count)
        return counts

    async def reveal_quiz(self, quiz_id: int) -> bool:
        """Mark the quiz's answer revealed; False if it already was."""
        c = quizzes.c
        revealed = await self._changed(
            update(quizzes).where(c.id == quiz_id, c.revealed_at.is_(None)).values(revealed_at=time.time())
        )
        return revealed == 1

    async def record_checks(self, user_id: int, outcomes: Sequence[tuple[str, bool]]) -> None:
        """Count an interpretation check's lines: (misconception, passed) each."""
        if not outcomes:
            return
        now = time.time()
        async with self._atomic() as connection:
            await connection.execute(
                insert(reading_checks),
                [
                    {
                        "user_id": user_id,
                        "misconception": misconception,
                        "passed": int(passed),
                        "checked_at": now,
                    }
                    for misconception, passed in outcomes
                ],
            )

    async def progress(self, user_id: int) -> list[Progress]:
        """Per misconception the student met, their quiz answers and check lines (no order)."""
        a, r = quiz_answers.c, reading_checks.c
        async with self._atomic() as connection:
            quizzes_answered = await connection.execute(
                select(quizzes.c.topic, func.sum(a.correct), func.count())
                .join_from(quiz_answers, quizzes, quizzes.c.id == a.quiz_id)
                .where(a.user_id == user_id)
                .group_by(quizzes.c.topic)
            )
            checks = await connection.execute(
                select(r.misconception, func.sum(r.passed), func.count())
                .where(r.user_id == user_id)
                .group_by(r.misconception)
            )
        counts: dict[str, list[int]] = {}
        for topic, right, total in quizzes_answered:
            counts.setdefault(topic, [0, 0, 0, 0])[:2] = [int(right), int(total)]
        for misconception, passed, total in checks:
            counts.setdefault(misconception, [0, 0, 0, 0])[2:] = [int(passed), int(total)]
        return [Progress(name, *numbers) for name, numbers in counts.items()]

    async def misses(self, user_id: int) -> list[Miss]:
        """The quiz questions ``user_id`` answered wrong, most recent first."""
        a = quiz_answers.c
        rows = await self._rows(
            select(quizzes.c.id, quizzes.c.question, a.choice)
            .join_from(quiz_answers, quizzes, quizzes.c.id == a.quiz_id)
            .where(a.user_id == user_id, a.correct == 0)
            .order_by(a.answered_at.desc(), quizzes.c.id.desc())
        )
        return [
            Miss(int(id_), QuizQuestion.from_json(question), int(choice)) for id_, question, choice in rows
        ]


async def _lock_session(connection: AsyncConnection, session_id: int) -> None:
    """Lock an office-hours session's row until the transaction ends (PostgreSQL; SQLite locks it all)."""
    await connection.execute(select(sessions.c.id).where(sessions.c.id == session_id).with_for_update())
