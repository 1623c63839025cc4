"""End to end: the real discord.py client runs the real bot against the loopback Discord emulator.

Every command and option, the button paging (owner and not), autocomplete, ephemeral flags, the error
paths, alt text on every image, a restart in the middle of a walkthrough, and the synced command tree.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import pytest_asyncio

from tests.conftest import make_bot
from tests.drawn import drawn
from tests.emulator.emulator import DiscordEmulator
from tests.emulator.fixtures import run_bot, running_emulator

pytestmark = pytest.mark.asyncio(loop_scope="module")

DEFERRED, EPHEMERAL = 5, 64
LECTURE = {"dataset": "codecademy", "formula": "score ~ lesson + completed"}


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def live(tmp_path_factory):
    """One emulator and one running bot shared by this module's tests."""
    database = tmp_path_factory.mktemp("store") / "bot.sqlite3"
    async with running_emulator() as emu, run_bot(make_bot(emu, database), emu, timeout=60) as bot:
        yield emu, bot, database


async def answered(emu: DiscordEmulator, name: str, options: dict, **where):
    """Run a slash command and wait until it is fully answered."""
    interaction = await emu.slash(name, options, **where)
    await drawn(interaction, timeout=60)
    if interaction.original is not None and interaction.original.deleted:
        await interaction.wait_followups(1, timeout=10)  # a private answer replaces the public placeholder
    return interaction


def button_ids(message) -> dict[str, dict]:
    """The components of a message by label (buttons) or placeholder (selects)."""
    found = {}
    for row in message.components:
        for item in row["components"]:
            found[item.get("label") or item.get("placeholder")] = item
    return found


def assert_clean(emu: DiscordEmulator) -> None:
    """No request broke Discord's limits or schema."""
    assert emu.violations == [], emu.violations


async def test_synced_tree_follows_discords_rules(live):
    emu, _, _ = live
    commands = emu.commands.scopes[emu.guild.id]
    names = sorted(c["name"] for c in commands)
    assert names == [
        "ask",
        "compare",
        "dataset",
        "datasets",
        "describe",
        "explain",
        "fit",
        "help",
        "interpret",
        "officehours",
        "plot",
        "predict",
        "progress",
        "queue",
        "quiz",
        "settings",
    ]
    for command in commands:
        assert re.fullmatch(r"[-_a-z0-9]{1,32}", command["name"])
        assert 1 <= len(command["description"]) <= 100
        for option in command.get("options", []):
            assert 1 <= len(option["description"]) <= 100, (command["name"], option["name"])
    assert_clean(emu)


async def test_fit_defers_then_shows_the_first_step(live):
    emu, _, _ = live
    interaction = await answered(emu, "fit", LECTURE)
    assert interaction.response["type"] == DEFERRED
    message = interaction.original
    assert not message.ephemeral
    (embed,) = message.embeds
    assert embed["title"] == "The question and the data"
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert "ŷ = 18.34 − 13.19·[lesson = Lesson B] + 1.35·completed" in fields["Fitted equation"]
    assert "lesson[T.Lesson B]" in fields["Coefficients"] and "−13.19" in fields["Coefficients"]
    assert fields["n"] == "100" and fields["R²"].startswith("0.6")
    assert embed["footer"]["text"] == "Step 1/10 · codecademy · score ~ lesson + completed"
    (attachment,) = message.attachments
    assert embed["image"]["url"] == f"attachment://{attachment.filename}"
    assert attachment.data.startswith(b"\x89PNG") and "Scatter plot of score" in attachment.description
    controls = button_ids(message)
    assert controls["◀ Back"]["disabled"] and not controls["Next ▶"].get("disabled")
    assert len(controls["Jump to a step"]["options"]) == 10
    assert_clean(emu)


async def test_owner_pages_through_the_walkthrough(live):
    emu, _, _ = live
    message = (await answered(emu, "fit", LECTURE)).original
    seen = {}
    for _ in range(9):
        press = await emu.press(message, button_ids(message)["Next ▶"]["custom_id"])
        await drawn(press, timeout=60)
        message = emu.messages.get(message.id)
        seen[message.embeds[0]["title"]] = message.embeds[0]["description"]
    assert list(seen)[3] == "One line per lesson", list(seen)
    assert list(seen)[3] == "One line per lesson" and "18.34 − 13.19 = 5.16" in seen["One line per lesson"]
    assert list(seen)[-1] == "Try next" and "18.34 + 1.35 × 35 = 65.75" in seen["Try next"]
    assert button_ids(message)["Next ▶"]["disabled"]
    back = await emu.press(message, button_ids(message)["◀ Back"]["custom_id"])
    await drawn(back, timeout=60)
    assert emu.messages.get(message.id).embeds[0]["title"] == "How well it fits"
    assert_clean(emu)


async def test_picture_step_has_the_lines_and_alt_text(live):
    emu, _, _ = live
    message = (await answered(emu, "fit", LECTURE)).original
    jump = button_ids(message)["Jump to a step"]
    press = await emu.select(message, jump["custom_id"], ["5"])
    await drawn(press, timeout=60)
    message = emu.messages.get(message.id)
    assert message.embeds[0]["title"] == "The picture"
    (attachment,) = message.attachments
    assert "Lesson B: ŷ = 5.16 + 1.35·completed" in attachment.description
    assert "parallel" in attachment.description
    assert_clean(emu)


async def test_someone_else_gets_a_private_copy(live):
    emu, _, _ = live
    message = (await answered(emu, "fit", LECTURE)).original
    student = emu.user("student")
    press = await emu.press(message, button_ids(message)["Next ▶"]["custom_id"], user=student)
    await drawn(press, timeout=60)
    copy = press.original  # the deferred private answer, filled in by the first follow-up
    assert copy.id != message.id and copy.ephemeral and copy.embeds[0]["title"] == "The question and the data"
    assert emu.messages.get(message.id).embeds[0]["title"] == "The question and the data"
    assert str(student.id) in button_ids(copy)["Next ▶"]["custom_id"]
    turn = await emu.press(copy, button_ids(copy)["Next ▶"]["custom_id"], user=student)
    await drawn(turn, timeout=60)
    assert emu.messages.get(copy.id).embeds[0]["title"] == "The model's shape"
    assert_clean(emu)


async def test_private_fit_is_ephemeral(live):
    emu, _, _ = live
    interaction = await answered(emu, "fit", {**LECTURE, "private": True})
    assert interaction.original.ephemeral and interaction.original.embeds
    assert_clean(emu)


async def test_autocomplete(live):
    emu, _, _ = live
    datasets = await emu.autocomplete("fit", {"dataset": "cod"}, focused="dataset")
    assert datasets[0]["value"] == "codecademy"
    formulas = await emu.autocomplete(
        "fit", {"dataset": "codecademy", "formula": "score ~ les"}, focused="formula"
    )
    values = [c["value"] for c in formulas]
    assert "score ~ lesson" in values
    examples = await emu.autocomplete("fit", {"dataset": "codecademy", "formula": ""}, focused="formula")
    assert "score ~ lesson + completed" in [c["value"] for c in examples]
    columns = await emu.autocomplete("plot", {"dataset": "penguins", "x": "bill"}, focused="x")
    assert {c["value"] for c in columns} == {"bill_length_mm", "bill_depth_mm"}
    topics = await emu.autocomplete("explain", {"topic": "inter"}, focused="topic")
    assert [c["value"] for c in topics][:2] == ["intercept", "interaction"]
    nothing = await emu.autocomplete("fit", {"dataset": "nope", "formula": "x"}, focused="formula")
    assert nothing == []
    assert_clean(emu)


async def test_datasets_describe_plot(live):
    emu, _, _ = live
    listing = await answered(emu, "datasets", {})
    assert "codecademy" in listing.original.embeds[0]["description"]
    describe = await answered(emu, "describe", {"dataset": "penguins"})
    message = describe.original
    assert "Step 1/" in message.embeds[0]["footer"]["text"]
    press = await emu.press(message, button_ids(message)["Next ▶"]["custom_id"])
    await drawn(press, timeout=60)
    assert emu.messages.get(message.id).embeds[0]["footer"]["text"].startswith("Step 2/")
    plot = await answered(emu, "plot", {"dataset": "codecademy", "x": "lesson", "y": "score", "kind": "box"})
    (attachment,) = plot.original.attachments
    assert attachment.description.startswith("Box plot of score")
    assert_clean(emu)


async def test_predict_and_compare(live):
    emu, _, _ = live
    predict = await answered(emu, "predict", {**LECTURE, "values": "completed=35 lesson=Lesson A"})
    body = predict.original.embeds[0]["description"]
    assert "18.34 + 1.35 × 35 = 65.75" in body and "prediction interval" in body
    compare = await answered(
        emu,
        "compare",
        {
            "dataset": "penguins",
            "formula": "bill_depth_mm ~ bill_length_mm",
            "other": "bill_depth_mm ~ bill_length_mm + species",
        },
    )
    embeds = compare.original.embeds
    assert [e["title"] for e in embeds] == [
        "Side by side",
        "What changed, and why",
        "Both models in one picture",
    ]
    assert "The sign flips" in embeds[1]["description"]
    assert all(a.description for a in compare.original.attachments)
    assert_clean(emu)


async def test_explain_and_help(live):
    emu, _, _ = live
    explain = await answered(emu, "explain", {"topic": "vif"})
    assert explain.original.embeds[0]["title"] == "Multicollinearity and VIF"
    help_ = await answered(emu, "help", {})
    assert help_.original.ephemeral
    assert {f["name"] for f in help_.original.embeds[0]["fields"]} >= {"/fit", "/predict", "/compare"}
    assert_clean(emu)


@pytest.mark.parametrize(
    ("name", "options", "expected"),
    [
        ("fit", {"dataset": "codecadmy", "formula": "score ~ completed"}, "Did you mean `codecademy`"),
        ("fit", {"dataset": "codecademy", "formula": "score ~ lessons"}, "Did you mean `lesson`"),
        ("fit", {"dataset": "codecademy", "formula": "score ~ __import__('os')"}, "^"),
        ("fit", {"dataset": "codecademy", "formula": "score ~ log(I(completed - 30))"}, "undefined value"),
        ("predict", {**LECTURE, "values": "completed=lots lesson=Lesson A"}, "needs a number"),
        (
            "compare",
            {"dataset": "codecademy", "formula": "score ~ completed", "other": "completed ~ score"},
            "predict different things",
        ),
        ("plot", {"dataset": "codecademy", "x": "complted", "y": "score"}, "Did you mean `completed`"),
        ("explain", {"topic": "intercpt"}, "Did you mean `intercept`"),
    ],
)
async def test_user_mistakes_get_a_specific_private_answer(live, name, options, expected):
    emu, _, _ = live
    interaction = await answered(emu, name, options)
    messages = [interaction.original, *interaction.followups]
    texts = [m.content for m in messages if m is not None and m.ephemeral]
    assert any(expected in t for t in texts), texts
    assert all("Traceback" not in (m.content or "") for m in messages if m is not None)
    assert_clean(emu)


@pytest.mark.parametrize(
    ("name", "options", "expected"),
    [
        ("describe", {"dataset": "pengiuns"}, "Did you mean `penguins`"),
        ("plot", {"dataset": "nope", "x": "a", "y": "b"}, "There is no dataset called `nope`"),
        (
            "predict",
            {"dataset": "codecademy", "formula": "score ~ lessons", "values": "completed=1"},
            "There is no column `lessons`",
        ),
        (
            "compare",
            {"dataset": "codecademy", "formula": "score ~ completed", "other": "score ~ completed +"},
            "The formula ends too early",
        ),
    ],
)
async def test_option_mistakes_are_answered_at_once_without_any_job(live, name, options, expected):
    emu, bot, _ = live
    jobs = bot.engine.jobs_run
    interaction = await answered(emu, name, options)
    assert interaction.response["type"] == 4 and interaction.original.ephemeral  # before any defer
    assert expected in interaction.original.content
    assert bot.engine.jobs_run == jobs
    assert_clean(emu)


@pytest.mark.parametrize(
    ("formula", "wrong"),
    [("score ~ lessons + completed", "lessons"), ("score ~ completed + __import__('os')", "__import__")],
)
async def test_the_caret_stands_under_the_mistake(live, formula, wrong):
    emu, _, _ = live
    interaction = await answered(emu, "fit", {"dataset": "codecademy", "formula": formula})
    assert interaction.response["type"] == 4 and interaction.original.ephemeral
    shown, carets = interaction.original.content.split("```\n")[1].split("\n")[:2]
    assert shown == formula
    assert carets.strip() == "^" * len(wrong) and formula[carets.index("^") :].startswith(wrong)
    assert_clean(emu)


async def test_unexpected_errors_get_an_id_and_do_not_affect_others(live, monkeypatch, caplog):
    emu, bot, _ = live
    original = bot.engine.submit

    def broken(job, *args, user=None, priority=0):
        if job == "prediction":
            raise RuntimeError("boom")
        return original(job, *args, user=user, priority=priority)

    monkeypatch.setattr(bot.engine, "submit", broken)
    failing = await answered(emu, "predict", {**LECTURE, "values": "completed=35 lesson=Lesson A"})
    text = failing.followups[0].content if failing.followups else failing.original.content
    error_id = re.search(r"error id `([0-9a-f]{8})`", text).group(1)
    assert error_id in caplog.text and "boom" in caplog.text
    fine = await answered(emu, "fit", LECTURE)
    assert fine.original.embeds[0]["title"] == "The question and the data"
    assert_clean(emu)


async def test_every_image_has_alt_text(live):
    emu, _, _ = live
    attachments = [a for m in emu.messages.messages.values() for a in m.attachments]
    assert attachments and all(a.description for a in attachments)
    for attachment in attachments:
        assert len(attachment.description) <= 1024


async def test_buttons_work_after_a_restart(tmp_path: Path):
    database = tmp_path / "bot.sqlite3"
    async with running_emulator() as emu:
        async with run_bot(make_bot(emu, database, processes=1), emu, timeout=60):
            message = (await answered(emu, "fit", LECTURE)).original
        async with run_bot(make_bot(emu, database, processes=1), emu, timeout=60):
            press = await emu.press(message, button_ids(message)["Next ▶"]["custom_id"])
            await drawn(press, timeout=60)
            assert emu.messages.get(message.id).embeds[0]["title"] == "The model's shape"
        assert_clean(emu)
