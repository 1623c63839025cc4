"""End to end: instructors' datasets (upload, info, replace, remove, isolation) and the office-hours queue."""

from __future__ import annotations

import pytest
import pytest_asyncio

from bot.config import InstructorConfig, UploadConfig
from tests.conftest import make_bot
from tests.drawn import drawn
from tests.emulator.emulator import DiscordEmulator
from tests.emulator.fixtures import run_bot, running_emulator
from tests.emulator.models import ADMINISTRATOR, MEMBER_PERMISSIONS, GuildSpec, UserSpec

pytestmark = pytest.mark.asyncio(loop_scope="module")

USERS = (
    UserSpec("instructor", "The Instructor", permissions=MEMBER_PERMISSIONS | ADMINISTRATOR),
    UserSpec("ta", "A Teaching Assistant", roles=("TA",)),
    UserSpec("alice", "Alice"),
    UserSpec("bob", "Bob"),
)
GUILDS = (
    GuildSpec("Course A", channels=("office-hours",)),
    GuildSpec("Course B", channels=("office-hours",)),
)
GRADES = b"hours,grade,section\n1,52,north\n2,55,south\n3,61,north\n4,64,south\n5,70,north\n6,71,south\n7,79,north\n"


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def live(tmp_path_factory):
    database = tmp_path_factory.mktemp("store") / "bot.sqlite3"
    async with running_emulator(users=USERS, guilds=GUILDS) as emu:
        bot = make_bot(
            emu,
            database,
            instructors=InstructorConfig(role_ids=(emu.roles["TA"],)),
            uploads=UploadConfig(max_megabytes=0.05, max_rows=1000, max_columns=10),
        )
        async with run_bot(bot, emu, timeout=60):
            await bot.tree.sync()  # global commands too, so the second server has them
            yield emu, bot


async def answered(
    emu: DiscordEmulator, name: str, options: dict, *, user: str = "instructor", guild: int = 0
):
    """Run a command as ``user`` in the ``guild``-th server and wait for its whole answer."""
    interaction = await emu.slash(
        name, options, user=emu.user(user), guild=emu.guilds[guild], channel=emu.guilds[guild].channels[0]
    )
    await drawn(interaction, timeout=60)
    if interaction.original is not None and interaction.original.deleted:
        await interaction.wait_followups(1, timeout=10)
    return interaction


def text_of(interaction) -> str:
    """Everything the bot said in answer: contents and embed texts."""
    parts = []
    for message in [interaction.original, *interaction.followups]:
        if message is None or message.deleted:
            continue
        parts.append(message.content or "")
        for embed in message.embeds:
            parts += [embed.get("title", ""), embed.get("description", "")]
            parts += [f"{f['name']} {f['value']}" for f in embed.get("fields", [])]
    return "\n".join(parts)


async def upload(
    emu, data: bytes, name: str, *, user: str = "instructor", guild: int = 0, filename="grades.csv"
):
    """``/dataset upload`` of ``data``."""
    attachment = emu.upload(filename, data, "text/csv")
    return await answered(emu, "dataset upload", {"file": attachment, "name": name}, user=user, guild=guild)


def button(message, label: str) -> str:
    """The custom_id of the button labelled ``label``."""
    for row in message.components:
        for item in row["components"]:
            if item.get("label") == label:
                return item["custom_id"]
    raise KeyError(label)


async def test_only_instructors_upload(live):
    emu, _ = live
    refused = await upload(emu, GRADES, "grades", user="alice")
    assert refused.original.ephemeral and "only instructors" in text_of(refused)
    assert "Manage Server" in text_of(refused) and f"<@&{emu.roles['TA']}>" in text_of(refused)
    by_role = await upload(emu, GRADES, "grades-ta", user="ta")
    assert "Stored `grades-ta`" in text_of(by_role)
    assert emu.violations == []


async def test_upload_then_use_everywhere(live):
    emu, _ = live
    stored = await upload(emu, GRADES, "Grades")
    assert stored.original.ephemeral
    text = text_of(stored)
    assert "Stored `grades`" in text and "7 rows × 3 columns" in text
    assert "`hours` — numeric" in text and "`section` — categorical" in text
    listing = await answered(emu, "datasets", {}, user="alice")
    assert "grades" in text_of(listing)
    fit = await answered(
        emu, "fit", {"dataset": "grades", "formula": "grade ~ hours + section"}, user="alice"
    )
    assert fit.original.embeds[0]["footer"]["text"] == "Step 1/10 · grades · grade ~ hours + section"
    page = await emu.press(fit.original, button(fit.original, "Next ▶"), user=emu.user("alice"))
    await drawn(page, timeout=60)
    assert emu.messages.get(fit.original.id).embeds[0]["title"] == "The model's shape"
    choices = await emu.autocomplete("fit", {"dataset": "gra"}, focused="dataset", user=emu.user("alice"))
    assert "grades" in [c["value"] for c in choices]
    info = await answered(emu, "dataset info", {"name": "grades"}, user="alice")
    assert "uploaded by <@" in text_of(info) and "Formulas to try" in text_of(info)
    assert emu.violations == []


async def test_servers_do_not_see_each_others_datasets(live):
    emu, _ = live
    await upload(emu, GRADES, "secret-grades")
    listing = await answered(emu, "datasets", {}, guild=1)
    assert "secret-grades" not in text_of(listing)
    fit = await answered(emu, "fit", {"dataset": "secret-grades", "formula": "grade ~ hours"}, guild=1)
    assert (
        "secret" not in text_of(fit).replace("`secret-grades`", "") and "no dataset" in text_of(fit).lower()
    )
    for command, options in (
        ("dataset info", {"name": "secret-grades"}),
        ("dataset remove", {"name": "secret-grades"}),
        ("describe", {"dataset": "secret-grades"}),
    ):
        answer = await answered(emu, command, options, guild=1)
        assert answer.original.ephemeral, command
        assert "secret-grades" not in text_of(answer).replace("`secret-grades`", "", 1), command
    choices = await emu.autocomplete("fit", {"dataset": "sec"}, focused="dataset", guild=emu.guilds[1])
    assert "secret-grades" not in [c["value"] for c in choices]
    still = await answered(emu, "datasets", {})
    assert "secret-grades" in text_of(still)
    direct = await emu.slash("datasets", {}, user=emu.user("instructor"), dm=True)
    await drawn(direct, timeout=30)
    assert "**codecademy**" in text_of(direct)
    assert "**grades**" not in text_of(direct) and "**secret-grades**" not in text_of(direct)


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        (b"", "a.csv", "empty"),
        ("x,y\n1,caf\u00e9\n".encode("latin-1"), "a.csv", "not UTF-8"),
        (b"PK\x03\x04" + b"\0" * 100, "a.csv", "Excel"),
        (b"x,y\n1,2\n3,4,5\n", "a.csv", "Line 3"),
        (b"x,x\n1,2\n3,4\n", "a.csv", "x"),
        (b"a,b\nu,v\nw,z\n", "a.csv", "numeric"),
        (b"x,y\n" + b"1,2\n" * 20000, "a.csv", "MB"),
        (b"x;y\n1;2\n", "a.xlsx", ".csv"),
    ],
)
async def test_bad_files_are_refused_with_what_to_fix(live, data, filename, expected):
    emu, _ = live
    answer = await upload(emu, data, "broken", filename=filename)
    assert answer.original.ephemeral or all(m.ephemeral for m in answer.followups)
    assert expected in text_of(answer)
    assert "Stored" not in text_of(answer)
    assert emu.violations == []


async def test_replace_and_remove_ask_first(live):
    emu, bot = live
    await upload(emu, GRADES, "weekly")
    bigger = GRADES + b"8,83,south\n9,88,north\n"
    ask = await upload(emu, bigger, "weekly")
    assert "already exists (7 rows" in text_of(ask) and "9 rows" in text_of(ask)
    keep = await emu.press(ask.original, button(ask.original, "Keep the old one"))
    await drawn(keep, timeout=30)
    assert len(bot.datasets.uploaded(emu.guild.id, "weekly")[0].frame) == 7
    ask = await upload(emu, bigger, "weekly")
    replace = await emu.press(ask.original, button(ask.original, "Replace it"))
    await drawn(replace, timeout=30)
    assert "Replaced `weekly`: 9 rows" in emu.messages.get(ask.original.id).content
    assert len(bot.datasets.uploaded(emu.guild.id, "weekly")[0].frame) == 9
    confirm = await answered(emu, "dataset remove", {"name": "weekly"})
    assert "Remove `weekly`" in text_of(confirm)
    student_tries = await emu.press(
        confirm.original, button(confirm.original, "Remove it"), user=emu.user("alice")
    )
    await drawn(student_tries, timeout=30)
    assert bot.datasets.uploaded(emu.guild.id, "weekly") is not None
    removed = await emu.press(confirm.original, button(confirm.original, "Remove it"))
    await drawn(removed, timeout=30)
    assert bot.datasets.uploaded(emu.guild.id, "weekly") is None
    gone = await answered(emu, "fit", {"dataset": "weekly", "formula": "grade ~ hours"})
    assert "weekly" in text_of(gone) and gone.original.ephemeral
    assert emu.violations == []


async def test_office_hours_queue(live):
    emu, _ = live
    closed = await answered(emu, "ask", {"question": "Is anyone here?"}, user="alice")
    assert "No office hours are open" in text_of(closed)
    refused = await answered(emu, "officehours start", {"topic": "Indicators"}, user="alice")
    assert "only instructors" in text_of(refused)
    opened = await answered(emu, "officehours start", {"topic": "Indicators"})
    assert not opened.original.ephemeral and "Office hours are open" in text_of(opened)
    again = await answered(emu, "officehours start", {})
    assert "already open" in text_of(again)
    first = await answered(emu, "ask", {"question": "Why is Lesson A the baseline?"}, user="alice")
    assert first.original.ephemeral and "#1" in text_of(first)
    second = await answered(emu, "ask", {"question": "What does holding fixed mean?"}, user="bob")
    assert "#2" in text_of(second)
    student_view = await answered(emu, "queue", {}, user="bob")
    assert student_view.original.ephemeral and not student_view.original.components
    assert "Why is Lesson A the baseline?" in text_of(student_view)
    panel = (await answered(emu, "queue", {})).original
    alice, bob = emu.user("alice"), emu.user("bob")
    called = await emu.press(panel, button(panel, "Next"))
    (announcement,) = await called.wait_followups(1, timeout=30)
    assert not announcement.ephemeral and f"<@{alice.id}>, you're up!" in announcement.content
    assert "Now:** <@" in emu.messages.get(panel.id).embeds[0]["description"]
    student_press = await emu.press(panel, button(panel, "Next"), user=bob)
    await drawn(student_press, timeout=30)
    assert student_press.original.ephemeral and "Only instructors" in student_press.original.content
    called = await emu.press(panel, button(panel, "Next"))
    assert f"<@{bob.id}>, you're up!" in (await called.wait_followups(1, timeout=30))[0].content
    skipped = await emu.press(panel, button(panel, "Skip"))
    await drawn(skipped, timeout=30)
    late = await answered(emu, "ask", {"question": "Can I still ask?"}, user="alice")
    assert "#1" in text_of(late)
    ended = await answered(emu, "officehours end", {})
    summary = text_of(ended)
    assert "Questions asked: **3** · answered: **1** · skipped: **1** · not reached: **1**" in summary
    assert "Waiting time: median" in summary
    assert emu.violations == []
