"""The Discord emulator, proven with a throwaway discord.py bot that exercises every kind of traffic."""

from __future__ import annotations

import asyncio
import io
import itertools
import struct
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Literal

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands

from bot.discord_api import ApiGatewayMixin
from tests.emulator import DiscordEmulator, GuildSpec
from tests.emulator.fixtures import run_bot, running_emulator
from tests.emulator.openapi import SPEC_PATH

FRUITS = ["apple", "apricot", "banana", "blueberry", "cherry"]


def tiny_png(width: int = 3, height: int = 2) -> bytes:
    """A valid grey PNG of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(pixels))
        + chunk(b"IEND", b"")
    )


class VoteView(discord.ui.View):
    """A view whose button edits its message at once and whose select defers, then edits."""

    @discord.ui.button(label="Vote", custom_id="vote", style=discord.ButtonStyle.primary)
    async def vote(self, interaction: discord.Interaction, button: discord.ui.Button[VoteView]) -> None:
        await interaction.response.edit_message(content=f"Votes: 1 (last: {interaction.user.name})")

    @discord.ui.select(
        custom_id="level",
        options=[discord.SelectOption(label=level, value=level) for level in ("Lesson A", "Lesson B")],
    )
    async def level(self, interaction: discord.Interaction, select: discord.ui.Select[VoteView]) -> None:
        await interaction.response.defer()
        await interaction.edit_original_response(content=f"Level: {select.values[0]}")


class CounterButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=r"counter:(?P<count>\d+)"
):
    """A persistent button whose state lives in its custom_id."""

    def __init__(self, count: int) -> None:
        super().__init__(discord.ui.Button(label=f"Count {count}", custom_id=f"counter:{count}"))
        self.count = count

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any
    ) -> CounterButton:
        return cls(int(match["count"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        view = discord.ui.View(timeout=None)
        view.add_item(CounterButton(self.count + 1))
        await interaction.response.edit_message(content=f"Count: {self.count + 1}", view=view)


class FeedbackModal(discord.ui.Modal, title="Feedback"):
    """A modal with one text input."""

    comment: discord.ui.TextInput[FeedbackModal] = discord.ui.TextInput(label="Comment", custom_id="comment")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"Thanks: {self.comment.value}", ephemeral=True)


class EchoCog(commands.Cog):
    """One command per kind of traffic the emulator must handle."""

    dataset = app_commands.Group(name="dataset", description="Datasets")

    def __init__(self, bot: EchoBot) -> None:
        self.bot = bot

    @app_commands.command(description="Defer, then edit the original response")
    async def echo(self, interaction: discord.Interaction, text: str) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.edit_original_response(content=text)

    @app_commands.command(description="Defer publicly, then send two ephemeral follow-ups")
    async def followups(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.followup.send("first", ephemeral=True)
        await interaction.followup.send("second", ephemeral=True)

    @app_commands.command(description="An ephemeral reply")
    async def secret(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("psst", ephemeral=True)

    @app_commands.command(description="An embed showing an attached picture")
    async def plot(self, interaction: discord.Interaction) -> None:
        embed = discord.Embed(title="Plot", description="A tiny picture").set_image(url="attachment://x.png")
        picture = discord.File(fp=io.BytesIO(tiny_png()), filename="x.png", description="A grey 3x2 image")
        await interaction.response.send_message(embed=embed, file=picture)

    @app_commands.command(description="Pick a fruit")
    async def fruit(self, interaction: discord.Interaction, name: str) -> None:
        await interaction.response.send_message(f"You picked {name}")

    @fruit.autocomplete("name")
    async def fruit_names(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=f, value=f) for f in FRUITS if f.startswith(current)]

    @dataset.command(name="show", description="Show a dataset")
    async def dataset_show(
        self, interaction: discord.Interaction, name: Literal["codecademy", "students"], rows: int = 5
    ) -> None:
        await interaction.response.send_message(f"{name}: {rows} rows")

    @app_commands.command(description="Read an uploaded file")
    async def size(self, interaction: discord.Interaction, upload: discord.Attachment) -> None:
        data = await upload.read()
        await interaction.response.send_message(f"{upload.filename}: {len(data)} bytes, {data[:3]!r}")

    @app_commands.command(description="A message with a button")
    async def vote(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Votes: 0", view=VoteView())

    @app_commands.command(description="A message with a persistent counter button")
    async def counter(self, interaction: discord.Interaction) -> None:
        view = discord.ui.View(timeout=None)
        view.add_item(CounterButton(0))
        await interaction.response.send_message("Count: 0", view=view)

    @app_commands.command(description="Open a modal")
    async def feedback(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(FeedbackModal())

    @app_commands.command(description="Try to send 2001 characters")
    async def long(self, interaction: discord.Interaction) -> None:
        await self.bot.refused(interaction, content="x" * 2001)

    @app_commands.command(description="Try to send an embed description of 4097 characters")
    async def bigembed(self, interaction: discord.Interaction) -> None:
        await self.bot.refused(interaction, embed=discord.Embed(description="y" * 4097))

    @app_commands.command(description="Answer only once the test opens the gate")
    async def slow(self, interaction: discord.Interaction) -> None:
        await self.bot.gate.wait()
        try:
            await interaction.response.send_message("finally")
        except discord.NotFound as exc:
            self.bot.error_codes.append(exc.code)

    @app_commands.command(description="Post in the channel")
    async def announce(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("posting", ephemeral=True)
        assert isinstance(interaction.channel, discord.abc.Messageable)
        await interaction.channel.send("Office hours start now")


class EchoBot(ApiGatewayMixin, commands.Bot):
    """The throwaway bot: syncs its commands to the dev guild (and globally, for DMs) in setup_hook."""

    def __init__(self, dev_guild_id: int) -> None:
        super().__init__(command_prefix=commands.when_mentioned, intents=discord.Intents.default())
        self.dev_guild = discord.Object(dev_guild_id)
        self.gate = asyncio.Event()
        self.error_codes: list[int] = []

    async def setup_hook(self) -> None:
        await self.add_cog(EchoCog(self))
        self.add_dynamic_items(CounterButton)
        self.tree.copy_global_to(guild=self.dev_guild)
        await self.tree.sync(guild=self.dev_guild)
        await self.tree.sync()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Re-identify at once (discord.py waits 5 s; the emulator has no identify rate limit)."""

    async def refused(self, interaction: discord.Interaction, **message: Any) -> None:
        """Send ``message``; on Discord's refusal, note the error code and say so ephemerally."""
        try:
            await interaction.response.send_message(**message)
        except discord.HTTPException as exc:
            self.error_codes.append(exc.code)
            await interaction.response.send_message(f"refused: {exc.code}", ephemeral=True)


@dataclass
class Env:
    """A running emulator with the bot connected to it."""

    emu: DiscordEmulator
    bot: EchoBot


@asynccontextmanager
async def echo_env(**options: Any) -> AsyncIterator[Env]:
    """An emulator (built with ``options``) with EchoBot connected to it."""
    async with running_emulator(**options) as emu, run_bot(EchoBot(emu.guild.id), emu) as bot:
        yield Env(emu, bot)


@pytest.fixture
async def env() -> AsyncIterator[Env]:
    """The default emulator with EchoBot connected."""
    async with echo_env() as running:
        yield running


def paths(emu: DiscordEmulator, method: str) -> list[str]:
    """The paths of the recorded requests with ``method``."""
    return [r.path for r in emu.requests if r.method == method]


async def test_bot_reaches_only_the_emulator(env: Env) -> None:
    emu = env.emu
    assert {"/users/@me", "/oauth2/applications/@me", "/gateway/bot"} <= set(paths(emu, "GET"))
    guild_path = f"/applications/{emu.application_id}/guilds/{emu.guild.id}/commands"
    assert paths(emu, "PUT") == [guild_path, f"/applications/{emu.application_id}/commands"]
    connection = emu.gateway.connections[0]
    assert (connection.path, connection.opening) == ("/gateway", "identify")
    assert connection.query == {"v": "10", "encoding": "json", "compress": "zlib-stream"}
    assert emu.gateway.identifies[0]["token"] == emu.token
    names = {c["name"] for c in await emu.wait_commands_synced(emu.guild)}
    assert {"echo", "plot", "fruit", "dataset", "vote", "counter", "feedback"} <= names
    assert env.bot.get_guild(emu.guild.id) is not None
    assert emu.violations == []


async def test_slash_command_defers_then_edits(env: Env) -> None:
    emu = env.emu
    interaction = await emu.slash("echo", {"text": "hello, regression"})
    await interaction.wait_done()
    assert interaction.response_type == 5
    original = interaction.original
    assert original is not None
    assert (original.content, original.loading, original.ephemeral) == ("hello, regression", False, False)
    assert original.interaction_metadata is not None
    assert original.interaction_metadata["name"] == "echo"
    assert interaction.payload["data"]["id"] == emu.commands.find("echo", emu.guild.id)["id"]
    assert f"/webhooks/{emu.application_id}/{interaction.token}/messages/@original" in paths(emu, "PATCH")
    assert emu.violations == []


async def test_first_followup_after_a_defer_fills_the_loading_message(env: Env) -> None:
    interaction = await env.emu.slash("followups")
    (second,) = await interaction.wait_followups()
    assert interaction.original is not None
    assert (interaction.original.content, interaction.original.ephemeral) == ("first", False)
    assert (second.content, second.ephemeral) == ("second", True)
    assert env.emu.violations == []


async def test_ephemeral_reply_and_direct_message(env: Env) -> None:
    emu = env.emu
    secret = await emu.slash("secret", user=emu.user("student"))
    await secret.wait_done()
    assert secret.original is not None and secret.original.ephemeral
    assert secret.original.flags & 64
    direct = await emu.slash("echo", {"text": "in private"}, dm=True)
    await direct.wait_done()
    assert direct.original is not None and direct.original.content == "in private"
    assert direct.original.guild_id is None
    assert emu.violations == []


async def test_embed_with_attached_picture(env: Env) -> None:
    interaction = await env.emu.slash("plot")
    await interaction.wait_done()
    message = interaction.original
    assert message is not None
    assert message.embeds[0]["image"]["url"] == "attachment://x.png"
    picture = message.attachment("x.png")
    assert picture.data == tiny_png()
    assert picture.description == "A grey 3x2 image"
    assert (picture.payload()["width"], picture.payload()["height"]) == (3, 2)
    async with aiohttp.ClientSession() as session, session.get(picture.url) as response:
        assert await response.read() == tiny_png()
    assert env.emu.violations == []


async def test_autocomplete_and_subcommand_choices(env: Env) -> None:
    emu = env.emu
    choices = await emu.autocomplete("fruit", {"name": "ap"}, focused="name")
    assert [c["value"] for c in choices] == ["apple", "apricot"]
    shown = await emu.slash("dataset show", {"name": "students", "rows": 3})
    await shown.wait_done()
    assert shown.original is not None and shown.original.content == "students: 3 rows"
    with pytest.raises(ValueError, match="not a choice"):
        await emu.slash("dataset show", {"name": "penguins"})
    assert emu.violations == []


async def test_attachment_option_is_downloadable(env: Env) -> None:
    emu = env.emu
    upload = emu.upload("scores.csv", b"score,completed\n70,30\n")
    interaction = await emu.slash("size", {"upload": upload})
    await interaction.wait_done()
    assert interaction.original is not None
    assert interaction.original.content == "scores.csv: 22 bytes, b'sco'"
    assert interaction.payload["data"]["resolved"]["attachments"][str(upload.id)]["filename"] == "scores.csv"
    assert emu.violations == []


async def test_button_press_edits_the_message(env: Env) -> None:
    emu = env.emu
    command = await emu.slash("vote")
    await command.wait_done()
    assert command.original is not None
    press = await emu.press(command.original, "vote", user=emu.user("student"))
    await press.wait_done()
    assert press.response_type == 7
    assert command.original.content == "Votes: 1 (last: student)"
    assert command.original.edit_count == 1
    chosen = await emu.select(command.original, "level", ["Lesson B"])
    await chosen.wait_done()
    assert chosen.response_type == 6
    assert command.original.content == "Level: Lesson B"
    assert emu.violations == []


async def test_dynamic_item_survives_in_its_custom_id(env: Env) -> None:
    emu = env.emu
    command = await emu.slash("counter")
    await command.wait_done()
    message = command.original
    assert message is not None and message.custom_ids() == ["counter:0"]
    for expected in (1, 2):
        press = await emu.press(message, f"counter:{expected - 1}")
        await press.wait_done()
        assert message.content == f"Count: {expected}"
        assert message.custom_ids() == [f"counter:{expected}"]
    assert emu.violations == []


async def test_modal_round_trip(env: Env) -> None:
    emu = env.emu
    opened = await emu.slash("feedback")
    await opened.wait_done()
    assert opened.response_type == 9 and opened.modal is not None
    submitted = await emu.submit_modal(opened, {"comment": "clear explanation"})
    await submitted.wait_done()
    assert submitted.original is not None
    assert (submitted.original.content, submitted.original.ephemeral) == ("Thanks: clear explanation", True)
    assert emu.violations == []


async def test_limits_answer_with_discords_400(env: Env) -> None:
    emu = env.emu
    for name in ("long", "bigembed"):
        interaction = await emu.slash(name)
        await interaction.wait_done()
        assert interaction.original is not None and interaction.original.content == "refused: 50035"
    assert env.bot.error_codes == [50035, 50035]
    assert [(v.kind, v.status) for v in emu.violations] == [("limit", 400), ("limit", 400)]
    content_error = emu.violations[0].body["errors"]["data"]["content"]["_errors"][0]
    assert content_error == {"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 2000 or fewer in length."}
    embed_error = emu.violations[1].body["errors"]["data"]["embeds"]["0"]["description"]["_errors"][0]
    assert embed_error["message"] == "Must be 4096 or fewer in length."


async def test_late_initial_response_is_an_unknown_interaction(env: Env) -> None:
    emu = env.emu
    interaction = await emu.slash("slow")
    emu.advance_clock(3.5)
    env.bot.gate.set()
    await emu.wait_until(lambda: env.bot.error_codes, what="the bot to see the 404")
    assert env.bot.error_codes == [10062]
    assert interaction.response_type is None
    assert [(v.status, v.body["code"]) for v in emu.violations] == [(404, 10062)]


@pytest.mark.skipif(
    not SPEC_PATH.exists(), reason="needs ../shared/discord-api-spec/openapi.json (CI has it)"
)
async def test_bodies_are_validated_against_the_openapi_spec(env: Env) -> None:
    emu = env.emu
    echo = await emu.slash("echo", {"text": "done"})
    await echo.wait_done()
    callback = f"{emu.api_base_url}/interactions/{echo.id}/{echo.token}/callback"
    async with (
        aiohttp.ClientSession() as session,
        session.post(callback, json={"type": "banana"}) as response,
    ):
        status, body = response.status, await response.json()
    assert status == 400 and body["code"] == 50035
    assert body["errors"]["type"]["_errors"][0]["message"] == "'banana' is not of type 'integer'"
    assert [v.kind for v in emu.violations] == ["schema"]


async def test_direct_requests_are_checked(env: Env) -> None:
    emu = env.emu
    echo = await emu.slash("echo", {"text": "done"})
    await echo.wait_done()
    callback = f"{emu.api_base_url}/interactions/{echo.id}/{echo.token}/callback"
    original = f"{emu.api_base_url}/webhooks/{emu.application_id}/{echo.token}/messages/@original"
    auth = {"Authorization": f"Bot {emu.token}"}
    async with aiohttp.ClientSession() as session:

        async def status_and_body(method: str, url: str, **kwargs: Any) -> tuple[int, Any]:
            async with session.request(method, url, **kwargs) as response:
                return response.status, await response.json()

        status, body = await status_and_body("POST", callback, json={"type": 4, "data": {"content": "again"}})
        assert (status, body["code"]) == (400, 40060)
        status, body = await status_and_body(
            "PATCH", original, json={"embeds": [{"image": {"url": "attachment://a.png"}}]}
        )
        assert body["errors"]["embeds"]["0"]["image"]["url"]["_errors"][0]["code"] == "ATTACHMENT_NOT_FOUND"
        form = aiohttp.FormData()
        form.add_field("payload_json", '{"content": "big"}', content_type="application/json")
        form.add_field("files[0]", b"\0" * (emu.max_file_bytes + 1), filename="big.bin")
        status, body = await status_and_body("PATCH", original, data=form)
        assert (status, body["code"]) == (413, 40005)
        commands_url = f"{emu.api_base_url}/applications/{emu.application_id}/commands"
        bad = [{"name": "Bad Name", "description": "x"}, {"name": "ok", "description": ""}]
        status, body = await status_and_body("PUT", commands_url, json=bad, headers=auth)
        assert body["errors"]["0"]["name"]["_errors"][0]["code"] == "APPLICATION_COMMAND_INVALID_NAME"
        assert body["errors"]["1"]["description"]["_errors"][0]["code"] == "BASE_TYPE_BAD_LENGTH"
        status, body = await status_and_body("GET", commands_url)
        assert (status, body["code"]) == (401, 0)
        emu.advance_clock(15 * 60 + 1)
        status, body = await status_and_body("PATCH", original, json={"content": "too late"})
        assert (status, body["code"]) == (401, 50027)
    assert [v.kind for v in emu.violations] == [
        "interaction",
        "limit",
        "limit",
        "limit",
        "auth",
        "interaction",
    ]
    assert echo.original is not None and echo.original.content == "done"


async def test_resumable_close_resumes_and_replays(env: Env) -> None:
    emu = env.emu
    await emu.disconnect(4000)
    interaction = await emu.slash("echo", {"text": "sent while disconnected"})
    await interaction.wait_done()
    assert [c.opening for c in emu.gateway.connections] == ["identify", "resume"]
    assert emu.gateway.connections[1].path == "/resume"
    assert emu.gateway.session is not None
    assert emu.gateway.resumes[0]["session_id"] == emu.gateway.session.id
    assert "sent while disconnected" in [m.content for m in emu.messages.messages.values()]
    await emu.send_reconnect()
    await emu.wait_until(
        lambda: len(emu.gateway.resumes) == 2 and emu.gateway.session.live, what="a second resume"
    )
    again = await emu.slash("echo", {"text": "after op 7"})
    await again.wait_done()
    assert len(emu.gateway.identifies) == 1
    assert emu.violations == []


async def test_session_ending_close_leads_to_identify(env: Env) -> None:
    emu = env.emu
    await emu.disconnect(4009)
    await emu.wait_until(
        lambda: len(emu.gateway.identifies) == 2 and emu.gateway.session.ready, what="IDENTIFY"
    )
    assert [(c.opening, c.close_code) for c in emu.gateway.connections[:2]] == [
        ("identify", 4009),
        ("resume", 1000),
    ]
    assert emu.gateway.connections[2].opening == "identify"
    interaction = await emu.slash("echo", {"text": "new session"})
    await interaction.wait_done()
    await emu.invalidate_session(resumable=False)
    await emu.wait_until(
        lambda: len(emu.gateway.identifies) == 3 and emu.gateway.session.ready, what="IDENTIFY"
    )
    assert emu.violations == []


async def test_heartbeats_are_recorded() -> None:
    async with echo_env(heartbeat_interval_ms=50) as env:
        emu = env.emu
        await emu.wait_until(lambda: len(emu.heartbeats) >= 4, what="four heartbeats")
    beats = emu.heartbeats
    gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(beats[1:])]
    assert all(0.02 < gap < 1.0 for gap in gaps)
    assert all(beat.connection == 1 for beat in beats)
    assert emu.violations == []


async def test_rate_limits_are_retried(env: Env) -> None:
    emu = env.emu
    emu.set_rest_failures(429, method="POST", path_contains="/callback", retry_after=0.05)
    emu.set_rest_failures(429, method="POST", path_contains="/messages", retry_after=0.05)
    interaction = await emu.slash("announce")
    await emu.wait_until(
        lambda: [m.content for m in emu.channel_messages() if not m.ephemeral] == ["Office hours start now"],
        what="the announcement",
    )
    assert interaction.original is not None and interaction.original.ephemeral
    statuses = [(r.path.rsplit("/", 1)[-1], r.status) for r in emu.requests if r.method == "POST"]
    assert statuses == [("callback", 429), ("callback", 200), ("messages", 429), ("messages", 200)]
    assert emu.violations == []


class ShardedEchoBot(EchoBot, commands.AutoShardedBot):
    """EchoBot over discord.py's AutoShardedClient: as many shards as ``GET /gateway/bot`` recommends."""


@asynccontextmanager
async def raw_identify(emu: DiscordEmulator, shard: Any) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
    """A bare websocket that got HELLO and sent IDENTIFY with ``shard``."""
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(f"{emu.gateway_url}?v=10&encoding=json") as ws,
    ):
        assert (await ws.receive_json())["op"] == 10
        await ws.send_json(
            {"op": 2, "d": {"token": emu.token, "intents": 0, "properties": {}, "shard": shard}}
        )
        yield ws


async def frame_or_close(ws: aiohttp.ClientWebSocketResponse) -> Any:
    """The next frame's payload, or the close code if the emulator closed the connection."""
    message = await ws.receive(timeout=5)
    return message.json() if message.type is aiohttp.WSMsgType.TEXT else ws.close_code


@pytest.mark.parametrize("shard", [[2, 2], [0, 0], [-1, 1], [0], [0, True], "0,1"])
async def test_an_invalid_shard_is_closed_with_4010(shard: Any) -> None:
    async with running_emulator() as emu, raw_identify(emu, shard) as ws:
        assert await frame_or_close(ws) == 4010
    assert [(v.kind, v.status, v.body["message"]) for v in emu.violations] == [
        ("gateway", 4010, "Invalid shard")
    ]


async def test_one_shard_count_at_a_time_and_one_session_per_shard() -> None:
    async with running_emulator() as emu, raw_identify(emu, [1, 2]) as first:
        assert (await frame_or_close(first))["t"] == "READY"
        async with raw_identify(emu, [0, 3]) as other_count:
            assert await frame_or_close(other_count) == 4010
        async with raw_identify(emu, [1, 2]) as again:
            assert (await frame_or_close(again))["t"] == "READY"
            old, new = emu.gateway.sessions.values()
            assert (old.valid, new.valid, emu.gateway.shards) == (False, True, {1: new})
    assert [v.body["message"] for v in emu.violations] == ["Invalid shard: the live shards use shard_count 2"]


def dispatched(session: Any, event: str) -> list[int]:
    """The ids in the payloads of ``event`` that ``session`` was sent."""
    return [int(frame["d"]["id"]) for frame in session.log if frame["t"] == event]


async def test_each_guild_talks_to_its_shard() -> None:
    specs = [GuildSpec(name) for name in ("Zero", "One", "Zero again")]
    async with (
        running_emulator(guilds=specs, recommended_shards=2) as emu,
        run_bot(ShardedEchoBot(emu.guild.id), emu) as bot,
    ):
        zero, one = emu.gateway.shards[0], emu.gateway.shards[1]
        a, b, c = emu.guilds
        assert sorted(identify["shard"] for identify in emu.gateway.identifies) == [[0, 2], [1, 2]]
        assert (zero.log[0]["d"]["shard"], [g["id"] for g in one.log[0]["d"]["guilds"]]) == (
            [0, 2],
            [str(b.id)],
        )
        assert (dispatched(zero, "GUILD_CREATE"), dispatched(one, "GUILD_CREATE")) == ([a.id, c.id], [b.id])
        asked = [await emu.slash("echo", {"text": g.name}, guild=g) for g in emu.guilds]
        asked.append(await emu.slash("echo", {"text": "in private"}, dm=True))
        for interaction in asked:
            await interaction.wait_done()
        ids = [i.id for i in asked]
        assert dispatched(zero, "INTERACTION_CREATE") == [ids[0], ids[2], ids[3]]
        assert dispatched(one, "INTERACTION_CREATE") == [ids[1]]
        await emu.disconnect(4000, shard=1)
        late = await emu.slash("echo", {"text": "after a resume"}, guild=b)
        await late.wait_done()
        assert emu.gateway.resumes[0]["session_id"] == one.id and one.live is not None
        assert {guild.id for guild in bot.guilds} == {a.id, b.id, c.id}
    assert emu.violations == []
