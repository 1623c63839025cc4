"""The SQLite store: migrations from an old schema, transactions, the queue's bookkeeping, concurrency."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing

from bot.regression.questions import Option
from bot.regression.questions import Question as QuizQuestion
from bot.store import MIGRATIONS, PagedContent, Progress, Store, StoredDataset, UploadNotWaiting


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


async def test_concurrent_queue_operations_serve_every_question_exactly_once(tmp_path):
    store = Store(tmp_path / "bot.sqlite3")
    await store.open()
    try:
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
    finally:
        await store.close()


async def test_a_failing_transaction_never_takes_another_coroutines_writes_with_it(tmp_path):
    store = Store(tmp_path / "bot.sqlite3")
    await store.open()
    try:
        session = await store.open_session(1, 10, "topic", 5)
        assert session is not None
        doomed = [
            (
                "INSERT INTO questions (session_id, asker_id, question, asked_at) VALUES (?, 1, 'lost', 0)",
                (session.id,),
            ),
            ("INSERT INTO no_such_table VALUES (1)", ()),
        ]
        results = await asyncio.gather(
            *(store._transaction(doomed) for _ in range(5)),
            *(store.ask(session.id, 200 + n, f"kept {n}") for n in range(20)),
            return_exceptions=True,
        )
        assert all(isinstance(r, sqlite3.OperationalError) for r in results[:5]), results[:5]
        assert sorted(results[5:]) == list(range(1, 21))
        texts = sorted(q.question for q in await store.questions(session.id))
        assert texts == sorted(f"kept {n}" for n in range(20))
    finally:
        await store.close()


async def test_a_pending_upload_is_used_once(tmp_path):
    store = Store(tmp_path / "bot.sqlite3")
    await store.open()
    try:
        upload = StoredDataset(1, "grades", "", "a.csv", b"x,y\n1,2\n", "v1", 7, 0.0)
        key = await store.stash_upload(upload)
        results = await asyncio.gather(
            *(store.replace_with_upload(key, upload) for _ in range(3)), return_exceptions=True
        )
        assert results.count(None) == 1
        assert all(isinstance(r, UploadNotWaiting) for r in results if r is not None)
        assert len(await store.datasets(1)) == 1
        assert await store.discard_upload(key) is False
    finally:
        await store.close()


async def test_settings_of_a_user_and_a_server_are_kept_apart_and_outlive_a_restart(tmp_path):
    path = tmp_path / "bot.sqlite3"
    store = Store(path)
    await store.open()
    try:
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
    finally:
        await store.close()
    again = Store(path)
    await again.open()
    try:
        assert await again.settings_for(2, 10, "theme") == (None, "dark")
        assert await again.settings_for(10, 99, "theme") == ("light", None)
    finally:
        await again.close()


def _quiz_question(topic: str = "baseline") -> QuizQuestion:
    """A question with B right and A, C, D planting misconceptions."""
    options = tuple(
        Option(f"option {letter}", letter == "B", f"why {letter}", None if letter == "B" else "holding")
        for letter in "ABCD"
    )
    return QuizQuestion("baseline", topic, "codecademy", "score ~ lesson", "Which?", options, "Because.")


async def test_quiz_answers_are_one_per_student_even_when_pressed_at_once(tmp_path):
    store = Store(tmp_path / "bot.sqlite3")
    await store.open()
    try:
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
    finally:
        await store.close()


async def test_progress_counts_quizzes_by_topic_and_checks_by_misconception(tmp_path):
    path = tmp_path / "bot.sqlite3"
    store = Store(path)
    await store.open()
    try:
        wrong = await store.post_quiz(1, 10, 5, _quiz_question("baseline"))
        right = await store.post_quiz(1, 10, 5, _quiz_question("holding"))
        await store.answer_quiz(wrong, 21, 0)
        await store.answer_quiz(right, 21, 1)
        await store.answer_quiz(right, 22, 0)
        await store.record_checks(21, [("causal", False), ("holding", True), ("causal", True)])
    finally:
        await store.close()
    reopened = Store(path)
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
    finally:
        await reopened.close()
