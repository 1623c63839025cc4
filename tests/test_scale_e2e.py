"""End to end at scale: two real ``python -m bot`` processes, each holding one shard of 2, sharing one
PostgreSQL database, against one emulator (running in this process).

Each guild's commands are answered once, by the process holding its shard (DMs by shard 0's); a
walkthrough shown before its process is killed is paged by the restarted process; an upload is fitted
after its guild's process restarts; and two office-hours queues, one on each shard, with two instructors
pressing Next at once in both, serve every question exactly once.
"""

from __future__ import annotations

import asyncio
import re
import signal
import subprocess
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager, contextmanager
from pathlib import Path

from tests.drawn import drawn
from tests.emulator.emulator import DiscordEmulator
from tests.emulator.fixtures import running_emulator
from tests.emulator.interactions import EmulatedInteraction
from tests.emulator.models import ADMINISTRATOR, MEMBER_PERMISSIONS, GuildSpec, StoredMessage, UserSpec
from tests.test_process import alive, bot_process, children, sync_globally

SHARDS = 2
MANAGE_GUILD = 1 << 5
# The emulator puts the i-th guild on shard i % 2: these are on shards 0 and 1.
GUILDS = (GuildSpec("Course on shard 0"), GuildSpec("Course on shard 1"))
STUDENTS = ("alice", "bob", "carol", "dave")
USERS = (
    UserSpec("instructor", "The Instructor", permissions=MEMBER_PERMISSIONS | ADMINISTRATOR),
    UserSpec("ta", "A Teaching Assistant", permissions=MEMBER_PERMISSIONS | MANAGE_GUILD),
    *(UserSpec(name) for name in STUDENTS),
)
LECTURE = {"dataset": "codecademy", "formula": "score ~ lesson + completed"}
GRADES = b"hours,grade,section\n1,52,north\n2,55,south\n3,61,north\n4,64,south\n5,70,north\n6,71,south\n7,79,north\n"
ANNOUNCEMENT = re.compile(r"<@(\d+)>, you're up! Your question: (.*)")


def shard_process(
    emu: DiscordEmulator, tmp_path: Path, shard: int, url: str
) -> AbstractAsyncContextManager[subprocess.Popen[bytes]]:
    """``python -m bot --shard-count 2 --shard-ids <shard>`` on the PostgreSQL database ``url``, with one
    worker and nothing drawn ahead (two of them share this machine's cores)."""
    return bot_process(emu, tmp_path, shard=(shard, SHARDS), storage_url=url, draw_ahead=False)


@asynccontextmanager
async def deployment(
    tmp_path: Path, url: str
) -> AsyncIterator[tuple[DiscordEmulator, list[subprocess.Popen[bytes]]]]:
    """The emulator with the global commands published (``python -m bot sync``, for the guild that is not
    the dev guild) and a process for each shard, all started side by side; the processes are killed on
    the way out (a test may restart one inside the block)."""
    async with running_emulator(guilds=GUILDS, users=USERS) as emu, AsyncExitStack() as stack:
        async with asyncio.TaskGroup() as group:
            group.create_task(sync_globally(emu, tmp_path))
            starting = [
                group.create_task(stack.enter_async_context(shard_process(emu, tmp_path, shard, url)))
                for shard in range(SHARDS)
            ]
        yield emu, [task.result() for task in starting]


@contextmanager
def frozen(process: subprocess.Popen[bytes]) -> Iterator[None]:
    """``process`` stopped (SIGSTOP) during the block and continued (SIGCONT) after it: whatever is answered
    meanwhile, another process answered."""
    process.send_signal(signal.SIGSTOP)
    try:
        yield
    finally:
        process.send_signal(signal.SIGCONT)


def assert_answered_once(emu: DiscordEmulator, tmp_path: Path) -> None:
    """Discord refused nothing, every interaction got exactly one initial response (and none was left
    "thinking"), and no process logged a traceback."""
    assert emu.violations == [], emu.violations
    responses = {str(i): len(i.callbacks) for i in emu.interactions.values()}
    assert responses and set(responses.values()) == {1}, responses
    thinking = [str(i) for i in emu.interactions.values() if i.original is not None and i.original.loading]
    assert thinking == []
    for log in tmp_path.glob("shard-*.log"):
        assert "Traceback" not in log.read_text(), log.name


def text_of(interaction: EmulatedInteraction) -> str:
    """The content and embeds of the bot's answer."""
    message = interaction.original
    assert message is not None
    return message.content + str(message.embeds)


def button(message: StoredMessage, label: str) -> str:
    """The custom_id of the button labelled ``label``."""
    for row in message.components:
        for item in row["components"]:
            if item.get("label") == label:
                return str(item["custom_id"])
    raise KeyError(label)


async def test_each_guild_is_answered_once_by_the_process_of_its_shard(
    tmp_path: Path, postgres_url: str
) -> None:
    async with deployment(tmp_path, postgres_url) as (emu, (zero, one)):
        assert emu.commands.syncs.count(emu.guild.id) == 1  # the dev guild: by shard 0's process only
        assert None in emu.commands.syncs
        first, second = emu.guilds
        with frozen(one):
            on_zero = [
                await emu.slash("help", guild=first),
                await emu.slash("help", dm=True),
                await emu.slash("fit", LECTURE, guild=first),
            ]
            for interaction in on_zero:
                await drawn(interaction, timeout=60)
        with frozen(zero):
            on_one = [await emu.slash("help", guild=second), await emu.slash("fit", LECTURE, guild=second)]
            for interaction in on_one:
                await drawn(interaction, timeout=60)
        (help_first, help_dm, fit_first), (help_second, fit_second) = on_zero, on_one
        for interaction in (help_first, help_dm, help_second):
            assert interaction.original is not None and interaction.original.ephemeral
            assert interaction.original.embeds[0]["title"] == "Regression office hours"
        for interaction in (fit_first, fit_second):
            assert interaction.original is not None
            (figure,) = interaction.original.attachments
            assert figure.data.startswith(b"\x89PNG") and figure.description
            footer = interaction.original.embeds[0]["footer"]["text"]
            assert footer == "Step 1/10 · codecademy · score ~ lesson + completed"
        assert_answered_once(emu, tmp_path)


async def test_a_walkthrough_is_paged_by_its_shards_restarted_process(
    tmp_path: Path, postgres_url: str
) -> None:
    async with deployment(tmp_path, postgres_url) as (emu, (_, one)):
        first, second = emu.guilds
        fit = await emu.slash("fit", LECTURE, guild=second)
        await drawn(fit, timeout=60)
        message = fit.original
        assert message is not None
        # SIGKILL, not SIGTERM: like a crash or the OOM killer, it leaves the process no moment to save
        # anything, so the next page can only come from what PostgreSQL held when the first was shown.
        # (SIGTERM's clean shutdown is the upload test's restart and test_process.py's.)
        workers = children(one.pid)
        one.kill()
        assert await asyncio.to_thread(one.wait, 10) == -signal.SIGKILL
        meanwhile = await emu.slash("help", guild=first)  # shard 0's process goes on alone
        await meanwhile.wait_done(timeout=30)
        async with shard_process(emu, tmp_path, 1, postgres_url):
            press = await emu.press(message, button(message, "Next ▶"))
            await drawn(press, timeout=60)
        assert workers and not any(alive(pid) for pid in workers)  # its workers went with it
        paged = emu.messages.get(message.id)
        assert paged.embeds[0]["title"] == "The model's shape"
        assert paged.embeds[0]["footer"]["text"].startswith("Step 2/10 · codecademy")
        assert_answered_once(emu, tmp_path)


async def test_an_upload_is_fitted_after_its_guilds_process_restarts(
    tmp_path: Path, postgres_url: str
) -> None:
    async with deployment(tmp_path, postgres_url) as (emu, (zero, _)):
        first, second = emu.guilds
        stored = await emu.slash(
            "dataset upload",
            {"file": emu.upload("grades.csv", GRADES, "text/csv"), "name": "grades"},
            user=emu.user("ta"),  # an instructor by the Manage Server permission
            guild=first,
        )
        await drawn(stored, timeout=60)
        assert "Stored `grades`" in text_of(stored)
        # SIGTERM: a deployment's restart, which closes the bot and its workers cleanly and exits 0.
        zero.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(zero.wait, 30) == 0
        async with shard_process(emu, tmp_path, 0, postgres_url):
            fit = await emu.slash(
                "fit", {"dataset": "grades", "formula": "grade ~ hours + section"}, guild=first
            )
            await drawn(fit, timeout=60)
            elsewhere = await emu.slash(
                "fit", {"dataset": "grades", "formula": "grade ~ hours"}, guild=second
            )
            await elsewhere.wait_done(timeout=30)
        assert fit.original is not None
        assert fit.original.embeds[0]["footer"]["text"] == "Step 1/10 · grades · grade ~ hours + section"
        assert "no dataset" in text_of(elsewhere).lower()  # the upload is its own guild's only
        assert emu.commands.syncs.count(emu.guild.id) == 2  # the restarted shard 0 synced the dev guild again
        assert_answered_once(emu, tmp_path)


QUESTIONS = 12
PRESSES = 2  # by each instructor in each round, at the same moment as all the others


async def test_two_queues_on_two_shards_pressed_at_once_serve_every_question_once(
    tmp_path: Path, postgres_url: str
) -> None:
    # The presses on one queue all reach one process: the queue lives in one channel, so in one guild, on
    # one shard. Presses on one session from two processes (two Store instances, each with its own pool of
    # connections, on one PostgreSQL database) are test_store.py's
    # test_two_processes_on_one_postgresql_database_serve_each_question_once.
    async with deployment(tmp_path, postgres_url) as (emu, _):
        instructors = (emu.user("instructor"), emu.user("ta"))
        opened = await asyncio.gather(*(emu.slash("officehours start", {}, guild=g) for g in emu.guilds))
        for interaction in opened:
            await interaction.wait_done(timeout=30)
        asked = {
            f"{guild.name}: question {n}": (guild, emu.user(STUDENTS[n % len(STUDENTS)]))
            for guild in emu.guilds
            for n in range(QUESTIONS)
        }
        asks = await asyncio.gather(
            *(emu.slash("ask", {"question": q}, user=user, guild=guild) for q, (guild, user) in asked.items())
        )
        for interaction in asks:
            await interaction.wait_done(timeout=30)
        for guild in emu.guilds:
            positions = [re.search(r"\*\*#(\d+)\*\*", text_of(a)) for a in asks if a.guild is guild]
            assert sorted(int(p[1]) for p in positions if p) == list(range(1, QUESTIONS + 1))
        panels = []
        for guild in emu.guilds:
            for instructor in instructors:
                shown = await emu.slash("queue", user=instructor, guild=guild)
                await shown.wait_done(timeout=30)
                assert shown.original is not None
                panels.append((shown.original, instructor))
        presses: list[EmulatedInteraction] = []
        for _ in range(QUESTIONS // (PRESSES * len(instructors)) + 1):  # the last round finds none waiting
            round_ = await asyncio.gather(
                *(
                    emu.press(panel, button(panel, "Next"), user=instructor)
                    for panel, instructor in panels
                    for _ in range(PRESSES)
                )
            )
            for press in round_:
                await press.wait_done(timeout=30)
            presses += round_
        await emu.wait_until(
            lambda: (
                sum(len(p.followup_ids) for p in presses) >= len(asked)
                and not any(emu.in_flight(p.token) for p in presses)
            ),
            timeout=30,
            what="every question to be called",
        )
        called: Counter[str] = Counter()
        for press in presses:
            assert len(press.followups) <= 1
            for announcement in press.followups:
                match = ANNOUNCEMENT.fullmatch(announcement.content)
                assert match is not None and announcement.guild_id == press.guild.id, announcement.content
                guild, asker = asked[match[2]]
                assert (guild, asker.id) == (press.guild, int(match[1]))
                called[match[2]] += 1
        assert called == dict.fromkeys(asked, 1)
        ended = await asyncio.gather(*(emu.slash("officehours end", {}, guild=g) for g in emu.guilds))
        for interaction in ended:
            await interaction.wait_done(timeout=30)
            assert (
                f"Questions asked: **{QUESTIONS}** · answered: **{QUESTIONS}** · skipped: **0** · "
                "not reached: **0**"
            ) in text_of(interaction)
        assert_answered_once(emu, tmp_path)
