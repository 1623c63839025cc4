"""The SQLite store: migrations from an old schema, transactions, the queue's bookkeeping."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from bot.store import MIGRATIONS, PagedContent, Store, StoredDataset


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
        assert await store._scalar("PRAGMA user_version") == len(MIGRATIONS)
        assert await store._scalar("PRAGMA journal_mode") == "wal"
    finally:
        await store.close()


async def test_replacing_an_upload_is_one_transaction(tmp_path):
    store = Store(tmp_path / "bot.sqlite3")
    await store.open()
    try:
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
    finally:
        await store.close()


async def test_queue_bookkeeping(tmp_path):
    store = Store(tmp_path / "bot.sqlite3")
    await store.open()
    try:
        session = await store.open_session(1, 10, "topic", 5)
        assert session is not None and await store.open_session(1, 10, "again", 5) is None
        assert [await store.ask(session.id, user, f"q{user}") for user in (21, 22, 23)] == [1, 2, 3]
        assert (await store.call_next(session.id)).asker_id == 21
        assert (await store.call_next(session.id)).asker_id == 22
        assert (await store.close_current(session.id, "skipped")).asker_id == 22
        statuses = [q.status for q in await store.questions(session.id)]
        assert statuses == ["answered", "skipped", "waiting"]
        await store.close_session(session.id)
        assert await store.open_session_in(10) is None
        assert await store.open_session(1, 10, "next week", 5) is not None
    finally:
        await store.close()
