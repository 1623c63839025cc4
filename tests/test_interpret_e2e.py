"""End to end: ``/interpret`` checks a student's sentence about one coefficient, privately, with a model
answer and a pair of predictions behind persistent buttons; the term is autocompleted from the fit."""

from __future__ import annotations

import pandas as pd
import pytest
import pytest_asyncio
import statsmodels.formula.api as smf

from bot.regression.datasets import DatasetRegistry
from bot.regression.text import number
from tests.conftest import make_bot
from tests.drawn import drawn
from tests.emulator.emulator import DiscordEmulator
from tests.emulator.fixtures import run_bot, running_emulator
from tests.emulator.interactions import EmulatedInteraction

pytestmark = pytest.mark.asyncio(loop_scope="module")

LECTURE = {"dataset": "codecademy", "formula": "score ~ lesson + completed"}


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def live(tmp_path_factory):
    database = tmp_path_factory.mktemp("store") / "bot.sqlite3"
    async with running_emulator() as emu, run_bot(make_bot(emu, database), emu, timeout=60):
        yield emu


@pytest.fixture(scope="module")
def lecture_fit():
    """The lecture's model fitted by statsmodels' own formula interface (independent of the bot)."""
    frame: pd.DataFrame = DatasetRegistry.bundled().get("codecademy").frame
    return smf.ols("score ~ lesson + completed", data=frame).fit()


async def interpret(emu: DiscordEmulator, term: str, sentence: str, **options) -> EmulatedInteraction:
    interaction = await emu.slash("interpret", {**LECTURE, **options, "term": term, "sentence": sentence})
    await drawn(interaction)
    return interaction


def button(message, label: str) -> str:
    return next(
        i["custom_id"] for row in message.components for i in row["components"] if i.get("label") == label
    )


async def test_a_reading_is_checked_privately_line_by_line(live, lecture_fit):
    emu = live
    checked = await interpret(
        emu, "completed", "Each additional completed item causes the score to go up by 1.4 points."
    )
    message = checked.original
    assert message.ephemeral
    body = message.embeds[0]["description"]
    slope = number(lecture_fit.params["completed"])
    assert f"1.4 is b₂ = {slope}, rounded" in body
    assert "❌ **holding**" in body and "⚠️ **causal**" in body and "✅ **direction**" in body
    right = await interpret(
        emu,
        "completed",
        f"Holding lesson fixed, each additional completed item goes with a {slope}-point higher predicted score.",
    )
    assert "Every check passed." in right.original.embeds[0]["description"]
    assert emu.violations == []


async def test_the_model_answer_and_why_buttons(live, lecture_fit):
    emu = live
    checked = await interpret(emu, "lesson[T.Lesson B]", "The average score for Lesson B is -13.19.")
    assert "❌ **baseline**" in checked.original.embeds[0]["description"]
    answer = await emu.press(checked.original, button(checked.original, "Show a model answer"))
    await drawn(answer)
    text = answer.original.embeds[0]["description"]
    assert number(lecture_fit.params["lesson[T.Lesson B]"]) in text and "Lesson A" in text
    why = await emu.press(checked.original, button(checked.original, "Why?"), user=emu.user("student"))
    await drawn(why)
    pair = why.original.embeds[0]["description"]
    assert why.original.ephemeral and "Lesson B" in pair and "Lesson A" in pair
    assert emu.violations == []


async def test_a_term_the_model_does_not_have_is_answered_with_its_terms(live):
    emu = live
    wrong = await interpret(emu, "completd", "It goes up.")
    assert wrong.original.deleted  # the private "thinking…" made way for the answer
    (told,) = await wrong.wait_followups(1, timeout=10)
    assert told.ephemeral and "completed" in told.content and "lesson[T.Lesson B]" in told.content


async def test_terms_are_autocompleted_from_the_fit(live):
    emu = live
    choices = await emu.autocomplete("interpret", {**LECTURE, "term": "less"}, focused="term")
    assert [c["value"] for c in choices] == ["lesson[T.Lesson B]"]
    none = await emu.autocomplete(
        "interpret", {"dataset": "codecademy", "formula": "score ~ nope", "term": ""}, focused="term"
    )
    assert none == []


async def meaning_page(emu: DiscordEmulator):
    """The lecture's walkthrough, turned to "What the numbers mean" by its owner."""
    fitted = await emu.slash("fit", LECTURE)
    await drawn(fitted)
    message = fitted.original
    menu = next(c for c in message.iter_components() if c.get("type") == 3)
    index = next(o["value"] for o in menu["options"] if o["label"].endswith("What the numbers mean"))
    jumped = await emu.select(message, menu["custom_id"], [index])
    await drawn(jumped)
    return emu.messages.get(message.id)


def inputs(modal: dict) -> dict[str, dict]:
    """A modal's text inputs by custom_id, each with its label's text and description."""
    return {
        row["component"]["custom_id"]: {
            **row["component"],
            "label": row["label"],
            "hint": row.get("description"),
        }
        for row in modal["components"]
    }


async def test_check_my_reading_opens_a_form_on_the_meaning_page_only(live, lecture_fit):
    emu = live
    page = await meaning_page(emu)
    assert page.embeds[0]["title"] == "What the numbers mean"
    check = button(page, "Check my reading")
    student = emu.user("student")
    opened = await emu.press(page, check, user=student)
    await opened.wait_done()
    assert opened.response_type == 9 and opened.modal["title"] == "Check my reading"
    fields = inputs(opened.modal)
    assert set(fields) == {"term", "sentence"}
    assert "lesson[T.Lesson B]" in fields["term"]["hint"] and "completed" in fields["term"]["hint"]
    slope = number(lecture_fit.params["completed"])
    submitted = await emu.submit_modal(
        opened,
        {
            "term": "completed",
            "sentence": f"Holding lesson fixed, one more completed item goes with a {slope}-point higher "
            "predicted score.",
        },
    )
    await drawn(submitted)
    answer = submitted.original
    assert answer.ephemeral and submitted.user == student
    assert "Every check passed." in answer.embeds[0]["description"]
    assert answer.embeds[0]["footer"]["text"] == "codecademy · score ~ lesson + completed"
    assert {"Show a model answer", "Why?"} <= {c.get("label") for c in answer.iter_components()}
    first = await emu.slash("fit", LECTURE)
    await drawn(first)
    assert "Check my reading" not in {c.get("label") for c in first.original.iter_components()}
    assert emu.violations == []


async def test_a_wrong_reading_from_the_form_gets_its_checklist(live):
    emu = live
    page = await meaning_page(emu)
    opened = await emu.press(page, button(page, "Check my reading"))
    await opened.wait_done()
    submitted = await emu.submit_modal(
        opened, {"term": "lesson", "sentence": "The average score for Lesson B is -13.19."}
    )
    await drawn(submitted)
    assert "❌ **baseline**" in submitted.original.embeds[0]["description"]
    unknown = await emu.submit_modal(opened, {"term": "nope", "sentence": "It goes up."})
    (told,) = await unknown.wait_followups(1, timeout=10)
    assert told.ephemeral and "completed" in told.content
    assert emu.violations == []


async def test_a_form_opened_before_a_restart_is_answered_after_it(tmp_path):
    database = tmp_path / "bot.sqlite3"
    async with running_emulator() as emu:
        async with run_bot(make_bot(emu, database, processes=1), emu, timeout=60):
            page = await meaning_page(emu)
            opened = await emu.press(page, button(page, "Check my reading"))
            await opened.wait_done()
        async with run_bot(make_bot(emu, database, processes=1), emu, timeout=60):
            submitted = await emu.submit_modal(
                opened, {"term": "completed", "sentence": "More completed items go with higher scores."}
            )
            await drawn(submitted, timeout=60)
            assert submitted.original.embeds[0]["title"] == "Your reading of b₂ (completed)"
        assert emu.violations == []
