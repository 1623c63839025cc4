"""The store on both backends (SQLite and PostgreSQL): migrations, transactions, the queue's bookkeeping,
quizzes, and concurrency, within one process and, on PostgreSQL, between two."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, insert, inspect
from sqlalchemy.engine import Inspector
from sqlalchemy.exc import DBAPIError

from bot import store as store_module
from bot.regression.questions import Option
from bot.regression.questions import Question as QuizQuestion
from bot.store import (
    MIGRATIONS,
    PagedContent,
    Progress,
    Store,
    StoredDataset,
    UploadNotWaiting,
    metadata,
    questions,
    schema_version,
)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str | Path:
    """Where a test's store lives: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return tmp_path / "bot.sqlite3"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
async def store(database: str | Path) -> AsyncIterator[Store]:
    """An open store on ``database``, closed after the test."""
    opened = Store(database)
    await opened.open()
    try:
        yield opened
    finally:
        await opened.close()


def _sqlite_header(path: Path, pragma: str) -> Any:
    """A SQLite database's ``PRAGMA`` value, read with the standard library."""
    with closing(sqlite3.connect(path)) as db:
        return db.execute(f"PRAGMA {pragma}").fetchone()[0]


async def test_migrates_a_version_one_database_and_keeps_its_rows(tmp_path):
    path = tmp_path / "bot.sqlite3"
    with closing(sqlite3.connect(path)) as old:
        old.execute(MIGRATIONS[0][0])
        old.execute(
            "INSERT INTO pages VALUES ('0123456789abcdef', 'wt', 'codecademy', 'score ~ completed', 0)"
        )
        old.execute("PRAGMA user_version = 1")
        old.commit()
    store = Store(path)
    await store.open()
    try:
        assert await store.recall("0123456789abcdef") == PagedContent("wt", "codecademy", "score ~ completed")
        assert await store.remember(PagedContent("wt", "codecademy", "score ~ lesson"))
    finally:
        await store.close()
    assert _sqlite_header(path, "user_version") == len(MIGRATIONS)
    assert _sqlite_header(path, "journal_mode") == "wal"


def _database_of_the_latest_version_before_sqlalchemy(path: Path) -> None:
    """A SQLite database as the store made it before SQLAlchemy: every migration run statement by statement,
    the version in ``PRAGMA user_version``, and a row in every table written with that store's SQL."""
    with closing(sqlite3.connect(path, isolation_level=None)) as old:
        for number, statements in enumerate(MIGRATIONS, start=1):
            old.execute("BEGIN IMMEDIATE")
            for statement in statements:
                old.execute(statement)
            old.execute(f"PRAGMA user_version = {number:d}")
            old.execute("COMMIT")
        old.executescript(
            """
            INSERT INTO pages VALUES ('0123456789abcdef', 'wt', 'codecademy', 'score ~ completed', 1.5);
            INSERT INTO datasets (guild_id, name, description, filename, csv, version, uploaded_by, uploaded_at,
                typed, schema) VALUES (1, 'grades', 'Marks.', 'a.csv', x'782c790a', 'v1', 7, 2.5, x'00', '{}');
            INSERT INTO pending_uploads (key, guild_id, name, description, filename, csv, user_id, created_at,
                typed, schema) VALUES ('k1', 1, 'grades', 'New.', 'b.csv', x'792c780a', 7, 3.5, x'', '');
            INSERT INTO settings (scope, id, key, value) VALUES ('guild', 10, 'theme', 'dark');
            INSERT INTO sessions (guild_id, channel_id, topic, opened_by, opened_at) VALUES (1, 10, 'old', 5, 4);
            INSERT INTO questions (session_id, asker_id, question, asked_at) VALUES (1, 21, 'why?', 5);
            INSERT INTO reading_checks (user_id, misconception, passed, checked_at) VALUES (21, 'causal', 1, 6);
            """
        )
        old.execute(
            "INSERT INTO quizzes (guild_id, channel_id, posted_by, topic, question, posted_at) "
            "VALUES (1, 10, 5, 'baseline', ?, 7)",
            (_quiz_question().to_json(),),
        )
        old.execute(
            "INSERT INTO quiz_answers (quiz_id, user_id, choice, correct, misconception, answered_at) "
            "VALUES (1, 21, 0, 0, 'holding', 8)"
        )


async def test_opens_a_database_of_the_latest_version_made_before_sqlalchemy(tmp_path):
    path = tmp_path / "bot.sqlite3"
    _database_of_the_latest_version_before_sqlalchemy(path)
    store = Store(path)
    await store.open()
    try:
        assert await store.recall("0123456789abcdef") == PagedContent("wt", "codecademy", "score ~ completed")
        (grades,) = await store.datasets(1)
        assert (grades.name, grades.version, grades.csv, grades.schema) == ("grades", "v1", b"", "{}")
        waiting = await store.pending_upload("k1")
        assert waiting is not None and waiting.csv == b"y,x\n" and waiting.uploaded_at == 3.5
        assert await store.settings_for(21, 10, "theme") == (None, "dark")
        session = await store.open_session_in(10)
        assert session is not None and (session.id, session.topic) == (1, "old")
        assert await store.ask(session.id, 22, "and?") == 2
        assert [q.question for q in await store.questions(session.id)] == ["why?", "and?"]
        assert (await store.call_next(session.id)).asker_id == 21
        quiz = await store.quiz(1)
        assert quiz is not None and quiz.question == _quiz_question()
        assert not (await store.answer_quiz(1, 21, 3)).first
        assert {p.misconception for p in await store.progress(21)} == {"baseline", "causal"}
        assert [m.quiz_id for m in await store.misses(21)] == [1]
    finally:
        await store.close()
    assert _sqlite_header(path, "user_version") == len(MIGRATIONS)


def _schema(inspector: Inspector) -> dict[str, Any]:
    """Every table's columns (name, kind of Python value, nullable), primary key, indexes and foreign keys,
    as reflected (SQLite reports an INTEGER PRIMARY KEY as nullable: a primary key counts as not null)."""
    schema = {}
    for table in sorted(metadata.tables):
        key = inspector.get_pk_constraint(table)["constrained_columns"]
        schema[table] = (
            [
                (c["name"], c["type"].python_type, c["nullable"] and c["name"] not in key)
                for c in inspector.get_columns(table)
            ],
            key,
            sorted((i["name"], i["column_names"], bool(i["unique"])) for i in inspector.get_indexes(table)),
            sorted(
                (f["referred_table"], f["constrained_columns"]) for f in inspector.get_foreign_keys(table)
            ),
        )
    return schema


def _migrated_schema(folder: Path) -> dict[str, Any]:
    """The schema SQLite's migrations make, in a new file in ``folder``."""
    engine = create_engine(f"sqlite:///{folder / 'migrated.sqlite3'}")
    try:
        with engine.begin() as connection:
            for statements in MIGRATIONS:
                for statement in statements:
                    connection.exec_driver_sql(statement)
            return _schema(inspect(connection))
    finally:
        engine.dispose()


def test_the_tables_every_query_is_written_from_are_the_schema_the_migrations_make(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'from_metadata.sqlite3'}")
    try:
        with engine.begin() as connection:
            metadata.create_all(connection)
            assert _schema(inspect(connection)) == _migrated_schema(tmp_path)
    finally:
        engine.dispose()


async def test_a_new_database_has_the_schema_the_migrations_make(store, tmp_path):
    async with store._atomic() as connection:
        assert await connection.run_sync(lambda sync: _schema(inspect(sync))) == _migrated_schema(tmp_path)


async def test_replacing_an_upload_is_one_transaction(store):
    first = StoredDataset(1, "grades", "", "a.csv", b"x,y\n1,2\n", "v1", 7, 0.0)
    await store.save_dataset(first)
    key = await store.stash_upload(StoredDataset(1, "grades", "new", "b.csv", b"x,y\n3,4\n", "", 7, 1.0))
    waiting = await store.pending_upload(key)
    assert waiting is not None and waiting.csv == b"x,y\n3,4\n"
    await store.replace_with_upload(
        key, StoredDataset(1, "grades", "new", "b.csv", b"x,y\n3,4\n", "v2", 7, 1.0)
    )
    (stored,) = await store.datasets(1)
    assert stored.version == "v2" and await store.pending_upload(key) is None
    assert await store.datasets(2) == []
    assert stored.csv == b"x,y\n3,4\n"  # stored before typed storage (no schema): its CSV comes along
    await store.add_typed(1, "grades", "v2", b"\x00typed", '{"columns": []}')
    (typed,) = await store.datasets()
    assert (typed.csv, typed.typed, typed.schema) == (b"", b"", '{"columns": []}')
    assert await store.delete_dataset(1, "grades") and not await store.delete_dataset(1, "grades")


async def test_queue_bookkeeping(store):
    session = await store.open_session(1, 10, "topic", 5)
    assert session is not None and await store.open_session(1, 10, "again", 5) is None
    assert await store.session(session.id) == session
    assert [await store.ask(session.id, user, f"q{user}") for user in (21, 22, 23)] == [1, 2, 3]
    assert (await store.call_next(session.id)).asker_id == 21
    assert (await store.call_next(session.id)).asker_id == 22
    assert (await store.close_current(session.id, "skipped")).asker_id == 22
    statuses = [q.status for q in await store.questions(session.id)]
    assert statuses == ["answered", "skipped", "waiting"]
    await store.close_session(session.id)
    assert await store.open_session_in(10) is None
    assert await store.open_session(1, 10, "next week", 5) is not None


async def test_concurrent_queue_operations_serve_every_question_exactly_once(store):
    session = await store.open_session(1, 10, "rush", 5)
    assert session is not None
    positions = await asyncio.gather(*(store.ask(session.id, 100 + n, f"q{n}") for n in range(40)))
    assert sorted(positions) == list(range(1, 41))
    called = await asyncio.gather(
        *(store.call_next(session.id) for _ in range(30)),
        *(store.close_current(session.id, "skipped") for _ in range(10)),
        *(store.remember(PagedContent("wt", "codecademy", f"score ~ x{n}")) for n in range(10)),
    )
    served = [q.id for q in called[:30] if q is not None]
    closed = [q.id for q in called[30:40] if q is not None]
    assert len(served) == len(set(served)) == 30 and len(closed) == len(set(closed)) == 10
    final = {q.id: q.status for q in await store.questions(session.id)}
    assert list(final.values()).count("called") <= 1
    assert all(final[i] == "skipped" for i in closed)
    assert {i for i, status in final.items() if status != "waiting"} == set(served) | set(closed)
    assert None not in [await store.recall(key) for key in called[40:]]


async def test_a_failing_transaction_never_takes_another_coroutines_writes_with_it(store):
    session = await store.open_session(1, 10, "topic", 5)
    assert session is not None

    async def doomed() -> None:
        async with store._atomic() as connection:
            await connection.execute(
                insert(questions).values(session_id=session.id, asker_id=1, question="lost", asked_at=0)
            )
            await connection.exec_driver_sql("INSERT INTO no_such_table VALUES (1)")

    results = await asyncio.gather(
        *(doomed() for _ in range(5)),
        *(store.ask(session.id, 200 + n, f"kept {n}") for n in range(20)),
        return_exceptions=True,
    )
    assert all(isinstance(r, DBAPIError) for r in results[:5]), results[:5]
    assert sorted(results[5:]) == list(range(1, 21))
    texts = sorted(q.question for q in await store.questions(session.id))
    assert texts == sorted(f"kept {n}" for n in range(20))


async def test_a_pending_upload_is_used_once(store):
    upload = StoredDataset(1, "grades", "", "a.csv", b"x,y\n1,2\n", "v1", 7, 0.0)
    key = await store.stash_upload(upload)
    results = await asyncio.gather(
        *(store.replace_with_upload(key, upload) for _ in range(3)), return_exceptions=True
    )
    assert results.count(None) == 1
    assert all(isinstance(r, UploadNotWaiting) for r in results if r is not None)
    assert len(await store.datasets(1)) == 1
    assert await store.discard_upload(key) is False
    other = await store.stash_upload(upload)
    assert await store.discard_upload(other) and await store.pending_upload(other) is None


async def test_settings_of_a_user_and_a_server_are_kept_apart_and_outlive_a_restart(store, database):
    assert await store.settings_for(1, 10, "theme") == (None, None)
    await store.set_setting("guild", 10, "theme", "dark")
    await store.set_setting("user", 1, "theme", "light")
    await store.set_setting("user", 1, "theme", "dark")  # a second choice replaces the first
    await store.set_setting("user", 10, "theme", "light")  # a user whose id is a server's: not mixed up
    assert await store.settings_for(1, 10, "theme") == ("dark", "dark")
    assert await store.settings_for(2, 10, "theme") == (None, "dark")
    assert await store.settings_for(1, None, "theme") == ("dark", None)
    await store.set_setting("user", 1, "theme", None)
    assert await store.settings_for(1, 10, "theme") == (None, "dark")
    await store.close()
    again = Store(database)
    await again.open()
    try:
        assert await again.settings_for(2, 10, "theme") == (None, "dark")
        assert await again.settings_for(10, 99, "theme") == ("light", None)
        snowflake = 1_234_567_890_123_456_789  # Discord ids need 64 bits
        await again.set_setting("user", snowflake, "theme", "light")
        assert await again.settings_for(snowflake, snowflake, "theme") == ("light", None)
    finally:
        await again.close()


def _quiz_question(topic: str = "baseline") -> QuizQuestion:
    """A question with B right and A, C, D planting misconceptions."""
    options = tuple(
        Option(f"option {letter}", letter == "B", f"why {letter}", None if letter == "B" else "holding")
        for letter in "ABCD"
    )
    return QuizQuestion("baseline", topic, "codecademy", "score ~ lesson", "Which?", options, "Because.")


async def test_settings_another_process_changes_are_seen_once_the_reading_is_old(
    store, database, monkeypatch
):
    other = Store(database)  # another process on the same database (a shard, on PostgreSQL)
    await other.open()
    try:
        assert await store.settings_for(1, 10, "theme") == (None, None)
        await other.set_setting("user", 1, "theme", "dark")
        assert await other.settings_for(1, 10, "theme") == ("dark", None)  # its own change: at once
        assert await store.settings_for(1, 10, "theme") == (None, None)  # reused, within SETTINGS_TTL
        monkeypatch.setattr(store_module, "SETTINGS_TTL", 0.0)
        assert await store.settings_for(1, 10, "theme") == ("dark", None)
    finally:
        await other.close()


async def test_a_page_key_is_written_once_and_recalled_by_every_process(store, database):
    content = PagedContent("wt", "codecademy", "score ~ lesson")
    key = await store.remember(content)
    assert await store.remember(content) == key
    other = Store(database)
    await other.open()
    try:
        assert await other.recall(key) == content
        assert await other.remember(content) == key  # already stored by the first: no conflict
    finally:
        await other.close()


async def test_quiz_answers_are_one_per_student_even_when_pressed_at_once(store):
    quiz_id = await store.post_quiz(1, 10, 5, _quiz_question())
    stored = await store.quiz(quiz_id)
    assert stored is not None and stored.question == _quiz_question() and not stored.revealed
    presses = await asyncio.gather(*(store.answer_quiz(quiz_id, 21, choice) for choice in (0, 1, 2, 3)))
    assert sum(p.first for p in presses) == 1
    assert len({p.choice for p in presses}) == 1
    assert (await store.answer_quiz(quiz_id, 22, 1)).first
    counts = await store.quiz_counts(quiz_id, 4)
    assert sum(counts) == 2 and counts[1] >= 1
    assert await store.reveal_quiz(quiz_id) and not await store.reveal_quiz(quiz_id)
    late = await store.answer_quiz(quiz_id, 23, 0)
    assert late.first and not late.counted and sum(await store.quiz_counts(quiz_id, 4)) == 2
    assert (await store.quiz(quiz_id)).revealed
    again = await store.answer_quiz(quiz_id, 22, 3)
    assert (again.choice, again.first, again.counted) == (1, False, True)


async def test_progress_counts_quizzes_by_topic_and_checks_by_misconception(store, database):
    wrong = await store.post_quiz(1, 10, 5, _quiz_question("baseline"))
    right = await store.post_quiz(None, 10, 5, _quiz_question("holding"))  # a quiz in a DM has no server
    await store.answer_quiz(wrong, 21, 0)
    await store.answer_quiz(right, 21, 1)
    await store.answer_quiz(right, 22, 0)
    await store.record_checks(21, [("causal", False), ("holding", True), ("causal", True)])
    await store.record_checks(21, [])
    await store.close()
    reopened = Store(database)
    await reopened.open()
    try:
        progress = {p.misconception: p for p in await reopened.progress(21)}
        assert progress["baseline"] == Progress("baseline", 0, 1, 0, 0)
        assert progress["holding"] == Progress("holding", 1, 1, 1, 1)
        assert progress["causal"] == Progress("causal", 0, 0, 1, 2)
        (miss,) = await reopened.misses(21)
        assert (miss.quiz_id, miss.choice, miss.question.options[0].text) == (wrong, 0, "option A")
        assert [m.quiz_id for m in await reopened.misses(22)] == [right]
        assert await reopened.progress(99) == [] and await reopened.quiz(12345) is None
        assert (await reopened.quiz(right)).guild_id is None
    finally:
        await reopened.close()


async def test_two_processes_on_one_postgresql_database_serve_each_question_once(postgres_url):
    first, second = Store(postgres_url), Store(postgres_url)
    await asyncio.gather(first.open(), second.open())  # both migrate at start: one makes the tables
    try:
        async with first._atomic() as connection:
            versions = (await connection.execute(schema_version.select())).all()
        assert [tuple(v) for v in versions] == [(len(MIGRATIONS),)]
        session = await first.open_session(1, 10, "rush", 5)
        assert session is not None and await second.open_session(1, 10, "again", 5) is None
        stores = (first, second)
        positions = await asyncio.gather(
            *(stores[n % 2].ask(session.id, 100 + n, f"q{n}") for n in range(40))
        )
        assert sorted(positions) == list(range(1, 41))
        called = await asyncio.gather(*(stores[n % 2].call_next(session.id) for n in range(50)))
        served = [q.id for q in called if q is not None]
        assert len(served) == len(set(served)) == 40 and called.count(None) == 10
        assert [q.status for q in await second.questions(session.id)] == [
            "answered"
        ] * 40  # the last press ended it

        quiz_id = await first.post_quiz(1, 10, 5, _quiz_question())
        presses = await asyncio.gather(
            *(stores[n % 2].answer_quiz(quiz_id, 200 + n % 8, n % 4) for n in range(48))
        )
        assert sum(p.first for p in presses) == 8
        for student in range(8):
            choices = {p.choice for n, p in enumerate(presses) if n % 8 == student}
            assert len(choices) == 1
        assert sum(await second.quiz_counts(quiz_id, 4)) == 8
    finally:
        await asyncio.gather(first.close(), second.close())
