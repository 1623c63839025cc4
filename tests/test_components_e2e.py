"""End to end: every press of a persistent component is answered, whatever goes wrong behind it.

Page buttons and the jump menu (for the owner and for anyone else), the office-hours queue buttons and the
replace/remove confirmations, through the real discord.py client and the loopback emulator: the engine
busy or the user's share used up, a page job over its time limit, a worker killed in the middle of a job,
the dataset replaced or removed under a walkthrough, the store failing and Discord refusing an edit, and
two instructors pressing at once. Each press gets a specific private answer (or the apology with an
error id that is in the log), nothing is left "thinking", and no request breaks Discord's rules.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

import pytest
import pytest_asyncio

from bot.app import RegressionBot
from bot.config import InstructorConfig, WorkerConfig
from tests.conftest import make_bot
from tests.drawn import drawn
from tests.emulator.emulator import DiscordEmulator
from tests.emulator.fixtures import run_bot, running_emulator
from tests.emulator.interactions import APPLICATION_COMMAND, DEFERRED_UPDATE, MESSAGE_COMPONENT
from tests.emulator.models import ADMINISTRATOR, MEMBER_PERMISSIONS, StoredMessage, UserSpec

pytestmark = pytest.mark.asyncio(loop_scope="module")

USERS = (
    UserSpec("instructor", "The Instructor", permissions=MEMBER_PERMISSIONS | ADMINISTRATOR),
    UserSpec("ta", "A Teaching Assistant", roles=("TA",)),
    UserSpec("alice", "Alice"),
    UserSpec("bob", "Bob"),
)
LECTURE = {"dataset": "codecademy", "formula": "score ~ lesson + completed"}
GRADES = b"hours,grade,section\n1,52,north\n2,55,south\n3,61,north\n4,64,south\n5,70,north\n6,71,south\n7,79,north\n"
ERROR_ID = re.compile(r"error id `([0-9a-f]{8})`")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def live(tmp_path_factory):
    """One emulator and one bot with a single worker and no result cache, so every page turn is a job."""
    database = tmp_path_factory.mktemp("store") / "bot.sqlite3"
    async with running_emulator(users=USERS) as emu:
        bot = make_bot(
            emu,
            database,
            workers=WorkerConfig(processes=1, cache_size=0, jobs_per_user=10_000, draw_ahead=False),
            instructors=InstructorConfig(role_ids=(emu.roles["TA"],)),
        )
        async with run_bot(bot, emu, timeout=60):
            yield emu, bot


@pytest.fixture(autouse=True)
def nothing_left_unanswered(live):
    """After each test: every interaction it made was answered, no "thinking…" is left, no rule broken."""
    emu, _ = live
    before, broken = set(emu.interactions), len(emu.violations)
    yield
    waiting = [
        str(i)
        for key, i in emu.interactions.items()
        if key not in before
        and i.type in (APPLICATION_COMMAND, MESSAGE_COMPONENT)
        and (i.response is None or (i.original is not None and i.original.loading and not i.original.deleted))
    ]
    assert waiting == []
    assert emu.violations[broken:] == []


async def until(predicate: Callable[[], Any], timeout: float = 10.0) -> None:
    """Poll the bot's own state (which does not wake the emulator) until ``predicate()`` holds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting for the bot"
        await asyncio.sleep(0.005)


@contextmanager
def paused_workers(bot: RegressionBot) -> Iterator[list[int]]:
    """Stop every worker process (SIGSTOP) for the block: jobs sent to them wait; continued on exit."""
    pids = bot.engine.worker_pids()
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield pids
    finally:
        for pid in pids:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


async def fresh_workers(bot: RegressionBot) -> None:
    """Kill the idle workers and wait until they are gone: the engine starts new ones, which (as after a
    restart) have no copy of any dataset read before."""
    await bot.engine.started()
    for pid in bot.engine.worker_pids():
        os.kill(pid, signal.SIGKILL)
    await until(lambda: not any(w.process.is_alive() for w in bot.engine._workers))


async def answered(emu: DiscordEmulator, name: str, options: dict, *, user: str = "instructor"):
    """Run a slash command and wait for its whole answer."""
    interaction = await emu.slash(name, options, user=emu.user(user))
    await drawn(interaction, timeout=60)
    if interaction.original is not None and interaction.original.deleted:
        await interaction.wait_followups(1, timeout=10)
    return interaction


def control(message: StoredMessage, label: str) -> str:
    """The custom_id of the button labelled ``label`` (or the select with that placeholder)."""
    for row in message.components:
        for item in row["components"]:
            if label in (item.get("label"), item.get("placeholder")):
                return item["custom_id"]
    raise KeyError(label)


def title(message: StoredMessage) -> str:
    """The message's first embed title."""
    return message.embeds[0]["title"]


async def told(press, timeout: float = 60) -> str:
    """What the presser was told privately: an ephemeral reply, or one that replaced a "thinking…"."""
    await drawn(press, timeout=timeout)
    if press.response_type == DEFERRED_UPDATE or press.original.deleted:
        (reply,) = await press.wait_followups(1, timeout=10)
    else:
        reply = press.original
    assert reply.ephemeral and not reply.loading, reply
    return reply.content or title(reply)


async def walkthrough(emu: DiscordEmulator, options: dict | None = None) -> StoredMessage:
    """A public /fit walkthrough made by the instructor."""
    return (await answered(emu, "fit", options or LECTURE)).original


async def test_page_turns_when_the_queue_is_full_are_told_at_once(live, monkeypatch):
    emu, bot = live
    message = await walkthrough(emu)
    monkeypatch.setattr(bot.engine, "max_queue", 0)
    owner = await emu.press(message, control(message, "Next ▶"))
    other = await emu.press(message, control(message, "Next ▶"), user=emu.user("alice"))
    jump = await emu.select(message, control(message, "Jump to a step"), ["4"], user=emu.user("alice"))
    for press in (owner, other, jump):
        assert (await told(press)).startswith("The bot is busy right now: try again in")
        assert press.response["type"] == 4  # refused before deferring: nothing was left waiting
    assert title(emu.messages.get(message.id)) == "The question and the data"


async def test_a_users_share_used_up_is_told_and_the_waiting_pages_arrive(live, monkeypatch):
    emu, bot = live
    message = await walkthrough(emu)
    second = await walkthrough(emu, {"dataset": "codecademy", "formula": "score ~ completed"})
    monkeypatch.setattr(bot.engine, "jobs_per_user", 1)
    alice = emu.user("alice")
    with paused_workers(bot):
        first = await emu.press(message, control(message, "Next ▶"))
        await until(lambda: len(bot.engine._inflight) == 1)
        again = await emu.select(message, control(message, "Jump to a step"), ["5"])
        assert (await told(again)).startswith("You already have 1 request being worked on")
        copy = await emu.press(message, control(message, "Next ▶"), user=alice)
        await until(lambda: len(bot.engine._inflight) == 2)
        more = await emu.press(second, control(second, "Next ▶"), user=alice)
        assert (await told(more)).startswith("You already have 1 request being worked on")
    await drawn(first, timeout=60)
    assert title(emu.messages.get(message.id)) == "The model's shape"
    await drawn(copy, timeout=60)
    assert copy.original.ephemeral and title(copy.original) == "The question and the data"


async def test_a_page_job_over_its_time_limit_is_reported(live, monkeypatch):
    emu, bot = live
    message = await walkthrough(emu)
    monkeypatch.setattr(bot.engine, "job_timeout", 1.0)
    with paused_workers(bot):
        owner = await emu.press(message, control(message, "Next ▶"))
        assert "took too long" in await told(owner)
    assert title(emu.messages.get(message.id)) == "The question and the data"
    with paused_workers(bot):
        other = await emu.press(message, control(message, "Next ▶"), user=emu.user("bob"))
        assert "took too long" in await told(other)
        assert other.original.deleted  # the private "thinking…" made way for the answer
    monkeypatch.undo()
    turn = await emu.press(message, control(message, "Next ▶"))
    await drawn(turn, timeout=60)
    assert title(emu.messages.get(message.id)) == "The model's shape"


@pytest.mark.parametrize("presser", ["instructor", "alice"])
async def test_a_worker_killed_during_a_page_job_is_reported(live, presser):
    emu, bot = live
    message = await walkthrough(emu, {"dataset": "penguins", "formula": "body_mass_g ~ species + sex"})
    with paused_workers(bot) as pids:
        started = bot.engine.jobs_run
        press = await emu.press(message, control(message, "Next ▶"), user=emu.user(presser))
        await until(lambda: bot.engine.jobs_run > started)
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        assert "stopped unexpectedly" in await told(press)
    again = await emu.press(message, control(message, "Next ▶"), user=emu.user(presser))
    await drawn(again, timeout=60)
    shown = again.original if presser != "instructor" else emu.messages.get(message.id)
    assert title(shown) == ("The model's shape" if presser == "instructor" else "The question and the data")


async def test_pages_of_a_replaced_or_removed_dataset_say_so(live):
    emu, bot = live
    stored = await answered(emu, "dataset upload", {"file": emu.upload("g.csv", GRADES), "name": "weekly"})
    assert "Stored `weekly`" in stored.original.content
    message = await walkthrough(emu, {"dataset": "weekly", "formula": "grade ~ hours"})
    bigger = GRADES + b"8,83,south\n9,88,north\n"
    ask = await answered(emu, "dataset upload", {"file": emu.upload("g.csv", bigger), "name": "weekly"})
    replace = await emu.press(ask.original, control(ask.original, "Replace it"))
    await drawn(replace, timeout=30)
    await fresh_workers(bot)
    owner = await emu.press(message, control(message, "Next ▶"))
    assert "has been replaced or removed" in await told(owner)
    other = await emu.press(message, control(message, "Next ▶"), user=emu.user("alice"))
    assert "has been replaced or removed" in await told(other)
    fresh = await walkthrough(emu, {"dataset": "weekly", "formula": "grade ~ hours"})
    confirm = await answered(emu, "dataset remove", {"name": "weekly"})
    removed = await emu.press(confirm.original, control(confirm.original, "Remove it"))
    await drawn(removed, timeout=30)
    await fresh_workers(bot)
    jump = await emu.select(fresh, control(fresh, "Jump to a step"), ["2"])
    assert "has been replaced or removed" in await told(jump)


async def test_a_store_failure_during_any_press_gets_an_error_id(live, caplog):
    emu, bot = live
    message = await walkthrough(emu)
    opened = await answered(emu, "officehours start", {"topic": "Faults"})
    assert "Office hours are open" in opened.original.content
    panel = (await answered(emu, "queue", {})).original
    await answered(emu, "dataset upload", {"file": emu.upload("g.csv", GRADES), "name": "faulty"})
    ask = await answered(emu, "dataset upload", {"file": emu.upload("g.csv", GRADES), "name": "faulty"})
    await bot.store.close()
    try:
        presses = [
            await emu.press(message, control(message, "Next ▶")),
            await emu.press(message, control(message, "Next ▶"), user=emu.user("alice")),
            await emu.press(panel, control(panel, "Next")),
            await emu.press(ask.original, control(ask.original, "Replace it")),
        ]
        answers = [await told(press) for press in presses]
    finally:
        await bot.store.open()
    for answer in answers:
        assert answer.startswith("Sorry, something went wrong on my side"), answer
        assert ERROR_ID.search(answer).group(1) in caplog.text
    ended = await answered(emu, "officehours end", {})
    assert "Office hours closed" in ended.original.content


async def test_discord_refusing_an_edit_gets_an_error_id(live, caplog):
    emu, _ = live
    message = await walkthrough(emu)
    await answered(emu, "officehours start", {"topic": "Refused edits"})
    await answered(emu, "ask", {"question": "Why?"}, user="alice")
    panel = (await answered(emu, "queue", {})).original
    await answered(emu, "dataset upload", {"file": emu.upload("g.csv", GRADES), "name": "refused"})
    ask = await answered(emu, "dataset upload", {"file": emu.upload("g.csv", GRADES), "name": "refused"})
    cases = [
        (message, "Next ▶", "instructor", "PATCH"),
        (message, "Next ▶", "alice", "POST"),
        (panel, "Next", "instructor", "PATCH"),
        (ask.original, "Replace it", "instructor", "PATCH"),
    ]
    for target, label, user, method in cases:
        emu.set_rest_failures(400, count=1, method=method, path_contains="/webhooks/")
        press = await emu.press(target, control(target, label), user=emu.user(user))
        answer = await told(press)
        assert answer.startswith("Sorry, something went wrong on my side"), (label, user, answer)
        assert ERROR_ID.search(answer).group(1) in caplog.text
    await answered(emu, "officehours end", {})


async def test_two_instructors_pressing_next_serve_every_question_once(live):
    emu, _ = live
    await answered(emu, "officehours start", {"topic": "Rush hour"})
    questions = [f"Question {n}: why is the slope {n}?" for n in range(12)]
    for n, question in enumerate(questions):
        await answered(emu, "ask", {"question": question}, user=("alice", "bob")[n % 2])
    panels = [(await answered(emu, "queue", {}, user=user)).original for user in ("instructor", "ta")]
    presses = await asyncio.gather(
        *(
            emu.press(panel, control(panel, "Next"), user=emu.user(user))
            for _ in range(len(questions) // 2)
            for panel, user in zip(panels, ("instructor", "ta"), strict=True)
        )
    )
    announced = []
    for press in presses:
        (announcement,) = await press.wait_followups(1, timeout=30)
        assert not announcement.ephemeral and "you're up!" in announcement.content, announcement.content
        announced.append(announcement.content.partition("Your question: ")[2])
    assert sorted(announced) == sorted(questions)
    ended = await answered(emu, "officehours end", {})
    assert "Questions asked: **12** · answered: **11** · skipped: **0** · not reached: **1**" in (
        ended.original.content
    )


async def test_confirmations_pressed_twice_at_once_answer_each_press_once(live):
    emu, bot = live
    await answered(emu, "dataset upload", {"file": emu.upload("g.csv", GRADES), "name": "twice"})
    bigger = GRADES + b"8,83,south\n"
    ask = await answered(emu, "dataset upload", {"file": emu.upload("g.csv", bigger), "name": "twice"})
    presses = await asyncio.gather(
        emu.press(ask.original, control(ask.original, "Replace it")),
        emu.press(ask.original, control(ask.original, "Replace it")),
        emu.press(ask.original, control(ask.original, "Keep the old one")),
    )
    for press in presses:
        await drawn(press, timeout=30)
    private = [f.content for press in presses for f in press.followups]
    assert len(private) == 2 and all("no longer waiting" in text for text in private), private
    final = emu.messages.get(ask.original.id).content
    assert final.startswith(("Replaced `twice`: 8 rows", "Kept the old `twice`")), final
    rows = len(bot.datasets.uploaded(emu.guild.id, "twice")[0].frame)
    assert rows == (8 if final.startswith("Replaced") else 7)
    confirm = await answered(emu, "dataset remove", {"name": "twice"})
    student = await emu.press(confirm.original, control(confirm.original, "Remove it"), user=emu.user("bob"))
    assert "Only the person who asked" in await told(student)
    removes = await asyncio.gather(
        *(emu.press(confirm.original, control(confirm.original, "Remove it")) for _ in range(2))
    )
    for press in removes:
        await drawn(press, timeout=30)
    assert [f.content for press in removes for f in press.followups] == ["`twice` was already gone."]
    assert emu.messages.get(confirm.original.id).content == "Removed `twice`."
    assert bot.datasets.uploaded(emu.guild.id, "twice") is None


async def test_queue_presses_on_closed_office_hours_and_by_students_are_answered(live):
    emu, _ = live
    await answered(emu, "officehours start", {"topic": "Short"})
    panel = (await answered(emu, "queue", {})).original
    student = await emu.press(panel, control(panel, "Skip"), user=emu.user("bob"))
    assert "Only instructors run the queue" in await told(student)
    await answered(emu, "officehours end", {})
    late = await emu.press(panel, control(panel, "Answered"))
    await drawn(late, timeout=30)
    assert emu.messages.get(panel.id).content == "These office hours are closed."
