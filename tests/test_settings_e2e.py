"""End to end: ``/settings`` chooses light or dark figures for a user, instructors set a server's default,
and every figure the bot draws for that user follows it (walkthrough pages, page turns, /describe, /plot,
/compare)."""

from __future__ import annotations

import io

import pytest
import pytest_asyncio
from PIL import Image

from tests.conftest import make_bot
from tests.drawn import drawn
from tests.emulator.emulator import DiscordEmulator
from tests.emulator.fixtures import run_bot, running_emulator
from tests.emulator.models import ADMINISTRATOR, MEMBER_PERMISSIONS, StoredMessage, UserSpec

pytestmark = pytest.mark.asyncio(loop_scope="module")

USERS = (
    UserSpec("instructor", "The Instructor", permissions=MEMBER_PERMISSIONS | ADMINISTRATOR),
    UserSpec("alice", "Alice"),
    UserSpec("bob", "Bob"),
)
#: The figures' background in each theme (bot.regression.plots' palettes), as a Discord client shows them.
BACKGROUND = {"light": (255, 255, 255), "dark": (0x2B, 0x2D, 0x31)}


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def live(tmp_path_factory):
    database = tmp_path_factory.mktemp("store") / "bot.sqlite3"
    async with running_emulator(users=USERS) as emu, run_bot(make_bot(emu, database), emu, timeout=60):
        yield emu


def theme_of(message: StoredMessage) -> str:
    """Which theme the message's figure was drawn in, read from its corner pixel."""
    (attachment,) = message.attachments
    corner = Image.open(io.BytesIO(attachment.data)).convert("RGB").getpixel((1, 1))
    return next(name for name, colour in BACKGROUND.items() if colour == corner)


async def said(emu: DiscordEmulator, user: str, **options) -> str:
    """What ``/settings`` answered ``user`` (privately)."""
    interaction = await emu.slash("settings", options, user=emu.user(user))
    await drawn(interaction)
    assert interaction.original.ephemeral
    return interaction.original.embeds[0]["description"]


async def figure(emu: DiscordEmulator, user: str, name: str = "fit", **options) -> StoredMessage:
    """The message a command answered ``user`` with, its figure drawn."""
    interaction = await emu.slash(
        name, options or {"dataset": "codecademy", "formula": "score ~ completed"}, user=emu.user(user)
    )
    await drawn(interaction)
    return interaction.original


async def test_a_users_theme_and_the_servers_default(live):
    emu = live
    assert "drawn **light** (the bot's default)" in await said(emu, "alice")
    assert theme_of(await figure(emu, "alice")) == "light"
    assert "Saved" in await said(emu, "alice", theme="dark")
    assert theme_of(await figure(emu, "alice")) == "dark"
    assert theme_of(await figure(emu, "bob")) == "light"  # one user's choice is theirs alone
    refused = await said(emu, "bob", theme="dark", for_server=True)
    assert "Only instructors set the server's default" in refused
    assert theme_of(await figure(emu, "bob")) == "light"
    assert "server's default is saved" in await said(emu, "instructor", theme="dark", for_server=True)
    assert "drawn **dark** (this server's default)" in await said(emu, "bob")
    assert (
        theme_of(await figure(emu, "bob", "plot", dataset="codecademy", x="completed", y="score")) == "dark"
    )
    assert "Saved" in await said(emu, "bob", theme="light")
    assert theme_of(await figure(emu, "bob", "describe", dataset="penguins")) == "light"
    compared = await figure(
        emu,
        "alice",
        "compare",
        dataset="codecademy",
        formula="score ~ completed",
        other="score ~ lesson + completed",
    )
    assert theme_of(compared) == "dark"
    assert "drawn **dark** (this server's default)" in await said(emu, "bob", theme="default")
    assert emu.violations == []


async def test_page_turns_and_private_copies_follow_the_pressers_theme(live):
    emu = live
    await said(emu, "alice", theme="dark")
    await said(emu, "bob", theme="light")
    message = await figure(
        emu, "alice", dataset="penguins", formula="body_mass_g ~ flipper_length_mm + species"
    )
    assert theme_of(message) == "dark"
    nxt = next(
        item["custom_id"]
        for row in message.components
        for item in row["components"]
        if item.get("label") == "Next ▶"
    )
    copy = await emu.press(message, nxt, user=emu.user("bob"))
    await drawn(copy)
    private = copy.original  # the private "thinking…" the copy replaced
    assert private.ephemeral and theme_of(private) == "light"
    assert theme_of(emu.messages.get(message.id)) == "dark"
