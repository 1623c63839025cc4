"""End to end: ``/quiz`` posts a question about the class's model, students answer privately (once each),
the instructor sees the results and reveals the answer, presses work after a restart, and ``/progress``
counts quizzes and reading checks by misconception with a review of the misses."""

from __future__ import annotations

import re

import pytest
import pytest_asyncio

from bot.regression.questions import KINDS, LETTERS
from tests.conftest import make_bot
from tests.drawn import drawn
from tests.emulator.emulator import DiscordEmulator
from tests.emulator.fixtures import run_bot, running_emulator
from tests.emulator.interactions import EmulatedInteraction
from tests.emulator.models import ADMINISTRATOR, MEMBER_PERMISSIONS, UserSpec

pytestmark = pytest.mark.asyncio(loop_scope="module")

USERS = (
    UserSpec("instructor", "The Instructor", permissions=MEMBER_PERMISSIONS | ADMINISTRATOR),
    UserSpec("ann", "Ann"),
    UserSpec("ben", "Ben"),
    UserSpec("cat", "Cat"),
    UserSpec("dan", "Dan"),
)
LECTURE = {"dataset": "codecademy", "formula": "score ~ lesson + completed"}


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def live(tmp_path_factory):
    database = tmp_path_factory.mktemp("store") / "bot.sqlite3"
    async with running_emulator(users=USERS) as emu, run_bot(make_bot(emu, database), emu, timeout=60):
        yield emu


async def done(interaction: EmulatedInteraction) -> EmulatedInteraction:
    await drawn(interaction)
    return interaction


def ids(message) -> dict[str, dict]:
    """The message's buttons by label."""
    return {c["label"]: c for c in message.iter_components() if c.get("type") == 2}


async def post(emu: DiscordEmulator, kind: str = "predict", **options) -> EmulatedInteraction:
    quiz = await done(
        await emu.slash("quiz", {**LECTURE, "kind": kind, **options}, user=emu.user("instructor"))
    )
    assert not quiz.original.ephemeral
    return quiz


async def press(emu: DiscordEmulator, message, label: str, user: str) -> EmulatedInteraction:
    return await done(await emu.press(message, ids(message)[label]["custom_id"], user=emu.user(user)))


def answer_of(reply: EmulatedInteraction) -> str:
    """The right letter, as a student's private reply states it."""
    title = reply.original.embeds[0]["title"]
    found = re.fullmatch(r"✅ Right: ([A-D])|❌ Not quite: the answer is ([A-D])", title)
    assert found, title
    return found[1] or found[2]


async def test_a_quiz_is_answered_privately_once_per_student_and_revealed_by_the_instructor(live):
    emu = live
    quiz = await post(emu)
    message = quiz.original
    embed = message.embeds[0]
    assert embed["title"] == f"Quiz: {KINDS['predict']}"
    assert all(f"**{letter}.**" in embed["description"] for letter in LETTERS)
    assert set(ids(message)) == {*LETTERS, "Results", "Reveal"}

    first = await press(emu, message, "A", "ann")
    assert first.original.ephemeral
    right = answer_of(first)
    wrong = next(letter for letter in LETTERS if letter != right)
    assert "Right" in (await press(emu, message, right, "ben")).original.embeds[0]["title"]
    missed = await press(emu, message, wrong, "cat")
    assert missed.original.embeds[0]["title"] == f"❌ Not quite: the answer is {right}"
    again = await press(emu, message, right, "cat")
    assert f"You answered **{wrong}** already" in again.original.embeds[0]["description"]
    assert again.original.embeds[0]["title"].startswith("❌")

    refused = await emu.press(message, ids(message)["Results"]["custom_id"], user=emu.user("ann"))
    await refused.wait_done()
    assert refused.original.ephemeral and "Only instructors can see the results" in refused.original.content
    not_yours = await emu.press(message, ids(message)["Reveal"]["custom_id"], user=emu.user("ben"))
    await not_yours.wait_done()
    assert "Only instructors can reveal the answer" in not_yours.original.content

    results = await press(emu, message, "Results", "instructor")
    tally = results.original.embeds[0]["description"]
    assert results.original.ephemeral and "3 answered" in tally
    expected_right = 2 if right == "A" else 1
    assert f"{expected_right} right" in tally

    revealed = await press(emu, message, "Reveal", "instructor")
    (posted,) = await revealed.wait_followups(1)
    assert not posted.ephemeral and posted.embeds[0]["title"] == f"The answer: {right}"
    closed = emu.messages.get(message.id)
    buttons = ids(closed)
    assert all(buttons[letter].get("disabled") for letter in LETTERS) and buttons["Reveal"].get("disabled")
    assert not buttons["Results"].get("disabled")
    assert emu.violations == []


async def test_a_kind_that_does_not_fit_the_model_is_answered_with_the_kinds_that_do(live):
    emu = live
    refused = await emu.slash(
        "quiz",
        {"dataset": "codecademy", "formula": "score ~ completed", "kind": "baseline"},
        user=emu.user("ann"),
    )
    (told,) = await refused.wait_followups(1, timeout=20)
    assert told.ephemeral and "baseline" in told.content and "predict" in told.content


async def test_every_kind_is_posted_for_the_lecture_model(live):
    emu = live
    for kind in KINDS:
        quiz = await post(emu, kind)
        assert quiz.original.embeds[0]["title"] == f"Quiz: {KINDS[kind]}"
    assert emu.violations == []


async def test_progress_counts_quizzes_and_checks_and_reviews_the_misses(live):
    emu = live
    wrong = {}
    for kind in ("predict", "baseline"):
        message = (await post(emu, kind)).original
        right = answer_of(await press(emu, message, "A", "instructor"))
        wrong[kind] = next(letter for letter in LETTERS if letter != right)
        await press(emu, message, wrong[kind], "dan")
    checked = await done(
        await emu.slash(
            "interpret",
            {**LECTURE, "term": "completed", "sentence": "Completing more items causes higher scores."},
            user=emu.user("dan"),
        )
    )
    assert "⚠️ **causal**" in checked.original.embeds[0]["description"]

    progress = await done(await emu.slash("progress", user=emu.user("dan")))
    shown = progress.original
    text = shown.embeds[0]["description"]
    assert shown.ephemeral
    assert "🔁 **The baseline of a group difference**: quizzes 0/1 right" in text
    assert re.search(r"🔁 \*\*Causal language\*\*: reading checks 0/1 passed", text)
    assert "🔁 **Predictions: signs and arithmetic**: quizzes 0/1 right" in text
    assert "You missed 2 quiz questions" in text

    review = await press(emu, shown, "Review my misses", "dan")
    first = review.original
    assert first.ephemeral and first.embeds[0]["title"] == f"Miss 1 of 2: {KINDS['baseline']}"
    assert f"You chose **{wrong['baseline']}**" in first.embeds[0]["description"]
    assert "**Worked solution.**" in first.embeds[0]["description"]
    turned = await press(emu, first, "Next miss ▶", "dan")
    assert emu.messages.get(first.id).embeds[0]["title"] == f"Miss 2 of 2: {KINDS['predict']}"
    assert ids(emu.messages.get(first.id))["Next miss ▶"].get("disabled")
    assert turned.response_type == 7

    fresh = await done(await emu.slash("progress", user=emu.user("ben")))
    assert "Review my misses" not in ids(fresh.original)
    assert emu.violations == []


async def test_quiz_presses_work_after_a_restart(tmp_path):
    database = tmp_path / "bot.sqlite3"
    async with running_emulator(users=USERS) as emu:
        async with run_bot(make_bot(emu, database, processes=1), emu, timeout=60):
            message = (await post(emu, "sentence")).original
            answer = answer_of(await press(emu, message, "B", "ann"))
        async with run_bot(make_bot(emu, database, processes=1), emu, timeout=60):
            again = await press(emu, message, "C", "ann")
            assert "You answered **B** already" in again.original.embeds[0]["description"]
            assert answer_of(await press(emu, message, answer, "ben")) == answer
            results = await press(emu, message, "Results", "instructor")
            assert "2 answered" in results.original.embeds[0]["description"]
        assert emu.violations == []
