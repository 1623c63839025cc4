"""The test-facing emulator: a loopback Discord (REST API v10 + gateway) that real discord.py talks to."""

from __future__ import annotations

import asyncio
import base64
import secrets
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web

from tests.emulator.commands import CommandStore
from tests.emulator.gateway import INVALID_SESSION, RECONNECT, Gateway
from tests.emulator.interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    MESSAGE_COMPONENT,
    MODAL_SUBMIT,
    EmulatedInteraction,
    build_options,
)
from tests.emulator.messages import MessageStore
from tests.emulator.models import (
    ADMINISTRATOR,
    MEMBER_PERMISSIONS,
    Channel,
    Guild,
    GuildSpec,
    Heartbeat,
    RecordedRequest,
    SnowflakeFactory,
    StoredAttachment,
    StoredMessage,
    User,
    UserSpec,
    Violation,
    iso,
    utcnow,
)
from tests.emulator.openapi import SPEC_PATH
from tests.emulator.rest import API_PREFIX, RestApi

T = TypeVar("T")

MIB = 1024 * 1024
# Guild i's snowflake timestamp is i modulo this (the lcm of 1..10), so it lives on shard i % n for n <= 10.
SHARD_LAYOUT = 2520
BOT_PERMISSIONS = MEMBER_PERMISSIONS | (1 << 13)  # members' permissions plus MANAGE_MESSAGES
DEFAULT_GUILDS = (GuildSpec("Regression Office Hours", channels=("office-hours", "general")),)
DEFAULT_USERS = (
    UserSpec("instructor", "The Instructor", permissions=MEMBER_PERMISSIONS | ADMINISTRATOR),
    UserSpec("student", "A Student"),
)


@dataclass
class FailurePlan:
    """Answer the next ``remaining`` matching REST requests with ``status`` instead of serving them."""

    status: int
    remaining: int
    retry_after: float
    method: str | None
    path_contains: str | None
    is_global: bool

    def matches(self, method: str, path: str) -> bool:
        """Whether this plan applies to ``method path``."""
        return (
            self.remaining > 0
            and self.method in (None, method)
            and (self.path_contains is None or self.path_contains in path)
        )


class DiscordEmulator:
    """A loopback Discord for end-to-end tests.

    Start it, point the bot at :attr:`api_base_url` (``bot.discord_api.use_api_base_url``) and run
    the bot with :attr:`token`; then drive it with :meth:`slash`, :meth:`autocomplete`, :meth:`press`,
    :meth:`select` and :meth:`submit_modal`, and read :attr:`requests`, :attr:`violations`,
    :attr:`messages` and the returned :class:`EmulatedInteraction` handles. Every request the bot makes
    is checked against Discord's limits and (when the spec file exists) its OpenAPI schema; a refused
    request gets Discord's error body and is listed in :attr:`violations`.

    ``guilds`` and ``users`` name what exists (every user is a member of every guild; the first user
    owns them). The i-th guild (from 0) lives on shard ``i % shard_count`` for every shard count up to
    10, so a test can put guilds on the shards it wants; ``recommended_shards`` is the shard count
    ``GET /gateway/bot`` recommends. ``heartbeat_interval_ms`` goes into HELLO;
    ``interaction_deadline`` (3 s) and ``token_lifetime`` (15 min) bound the initial callback and
    later webhook calls on the emulator clock (see :meth:`advance_clock`); ``max_file_bytes`` caps
    each upload (413 above it); ``spec_path=None`` turns the OpenAPI validation off.
    """

    def __init__(
        self,
        *,
        guilds: Sequence[GuildSpec] = DEFAULT_GUILDS,
        users: Sequence[UserSpec] = DEFAULT_USERS,
        heartbeat_interval_ms: int = 41_250,
        interaction_deadline: float = 3.0,
        token_lifetime: float = 15 * 60.0,
        max_file_bytes: int = 10 * MIB,
        spec_path: Path | None = SPEC_PATH,
        bot_name: str = "Regression Bot",
        recommended_shards: int = 1,
    ) -> None:
        self.snowflake = SnowflakeFactory()
        self.bot_user = User(
            self.snowflake(), bot_name.lower().replace(" ", "-"), bot_name, BOT_PERMISSIONS, bot=True
        )
        self.application_id = self.bot_user.id
        encoded_id = base64.urlsafe_b64encode(str(self.bot_user.id).encode()).decode().rstrip("=")
        self.token = f"{encoded_id}.emulator.{secrets.token_urlsafe(27)}"
        self.users = [
            User(self.snowflake(), u.username, u.global_name, u.permissions, u.locale, roles=u.roles)
            for u in users
        ]
        # Roles by name: every user's roles exist in every guild, with one id per name.
        self.roles = {name: self.snowflake() for user in users for name in user.roles}
        self.guilds = [self._make_guild(spec, index) for index, spec in enumerate(guilds)]
        self.recommended_shards = recommended_shards
        self.interaction_deadline = interaction_deadline
        self.token_lifetime = token_lifetime
        self.max_file_bytes = max_file_bytes
        self.spec_path = spec_path
        self.requests: list[RecordedRequest] = []
        self.violations: list[Violation] = []
        self.commands = CommandStore(self.snowflake, self.application_id)
        self.messages = MessageStore(self.snowflake, self._attachment_url)
        self.interactions: dict[int, EmulatedInteraction] = {}
        self.gateway = Gateway(self, heartbeat_interval_ms)
        self.clock_offset = 0.0
        self.started_at = utcnow()
        self.port = 0
        self._by_token: dict[str, EmulatedInteraction] = {}
        self._dm_channels: dict[int, Channel] = {}
        self._in_flight: Counter[str] = Counter()
        self._failures: list[FailurePlan] = []
        self._waiters: list[tuple[Callable[[], Any], asyncio.Future[Any]]] = []
        self._check_scheduled = False
        self._runner: web.AppRunner | None = None

    def _make_guild(self, spec: GuildSpec, index: int) -> Guild:
        snowflake = self.snowflake()
        ms = snowflake >> 22
        guild_id = ((ms - ms % SHARD_LAYOUT + index % SHARD_LAYOUT) << 22) | (snowflake & ((1 << 22) - 1))
        channels = tuple(Channel(self.snowflake(), name, guild_id) for name in spec.channels)
        owner = self.users[0].id if self.users else self.bot_user.id
        return Guild(guild_id, spec.name, channels, owner, spec.locale)

    # lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on a free loopback port."""
        app = web.Application(client_max_size=16 * self.max_file_bytes)
        RestApi(self).install(app)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/resume", self.gateway.handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Close gateway connections and stop listening."""
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def http_base(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base_url(self) -> str:
        """The REST base URL to give the bot (``http://127.0.0.1:PORT/api/v10``)."""
        return self.http_base + API_PREFIX

    @property
    def gateway_url(self) -> str:
        """What ``GET /gateway/bot`` answers."""
        return f"ws://127.0.0.1:{self.port}/gateway"

    # time and waiting ------------------------------------------------------------------------

    def now(self) -> float:
        """The emulator's clock in seconds (monotonic plus :attr:`clock_offset`)."""
        return time.monotonic() + self.clock_offset

    def advance_clock(self, seconds: float) -> None:
        """Pretend ``seconds`` passed (interaction deadlines and token expiry use this clock)."""
        self.clock_offset += seconds

    def notify(self) -> None:
        """Re-check what :meth:`wait_until` waits for (called on every state change).

        The checks run once, soon after, for every change made until then: a burst of a hundred
        interactions makes hundreds of changes, and waking each waiter's task for each one would load the
        event loop the emulator shares with the bot under test.
        """
        if self._waiters and not self._check_scheduled:
            self._check_scheduled = True
            asyncio.get_running_loop().call_soon(self._check_waiters)

    def _check_waiters(self) -> None:
        """Resolve each waiter whose predicate now holds (with its value, or the error it raised)."""
        self._check_scheduled = False
        waiting = []
        for predicate, future in self._waiters:
            if future.done():
                continue
            try:
                result = predicate()
            except Exception as error:
                future.set_exception(error)
                continue
            if result:
                future.set_result(result)
            else:
                waiting.append((predicate, future))
        self._waiters = waiting

    async def wait_until(
        self, predicate: Callable[[], T], timeout: float = 5.0, what: str = "a condition"
    ) -> T:
        """Wait until ``predicate()`` is truthy and return it; TimeoutError (listing violations) otherwise."""
        if result := predicate():
            return result
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._waiters.append((predicate, future))
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            if result := predicate():
                return result
            found = "; ".join(map(str, self.violations)) or "none"
            raise TimeoutError(
                f"timed out after {timeout}s waiting for {what} (violations: {found})"
            ) from None

    def in_flight(self, token: str) -> bool:
        """Whether a request for this interaction token is being processed."""
        return self._in_flight[token] > 0

    async def wait_ready(self, timeout: float = 10.0, shards: Sequence[int] = (0,)) -> None:
        """Wait until the bot identified each of ``shards`` and got READY and their GUILD_CREATEs.

        discord.py runs ``setup_hook`` (where command syncs belong) before it connects, so by then
        those syncs are done.
        """

        def ready() -> bool:
            sessions = [self.gateway.shards.get(shard) for shard in shards]
            return all(s is not None and s.ready and s.live is not None for s in sessions)

        await self.wait_until(ready, timeout, f"the bot to identify shards {list(shards)}")

    async def wait_commands_synced(
        self, guild: Guild | None = None, timeout: float = 10.0
    ) -> list[dict[str, Any]]:
        """Wait for a bulk command overwrite for ``guild`` (None: global) and return that tree."""
        scope = None if guild is None else guild.id
        await self.wait_until(lambda: scope in self.commands.syncs, timeout, f"a command sync for {scope}")
        return self.commands.list(scope)

    # lookups ---------------------------------------------------------------------------------

    @property
    def guild(self) -> Guild:
        """The first configured guild."""
        return self.guilds[0]

    @property
    def channel(self) -> Channel:
        """The first channel of the first guild."""
        return self.guild.channels[0]

    @property
    def heartbeats(self) -> list[Heartbeat]:
        """Heartbeats received, oldest first."""
        return self.gateway.heartbeats

    def user(self, username: str | None = None) -> User:
        """The configured user called ``username`` (default: the first)."""
        for user in self.users:
            if username in (None, user.username):
                return user
        raise LookupError(f"no user {username!r}")

    def dm_channel(self, user: User) -> Channel:
        """The DM channel between the bot and ``user``."""
        if user.id not in self._dm_channels:
            self._dm_channels[user.id] = Channel(self.snowflake(), "", None, type=1, recipient=user)
        return self._dm_channels[user.id]

    def find_channel(self, channel_id: int) -> Channel | None:
        """A guild or DM channel by id."""
        for guild in self.guilds:
            for channel in guild.channels:
                if channel.id == channel_id:
                    return channel
        return next((c for c in self._dm_channels.values() if c.id == channel_id), None)

    def channel_messages(self, channel: Channel | None = None) -> list[StoredMessage]:
        """The live (not deleted) messages in ``channel`` (default: :attr:`channel`), oldest first."""
        channel_id = (channel or self.channel).id
        return [m for m in self.messages.messages.values() if m.channel_id == channel_id and not m.deleted]

    def interaction_by_token(self, token: str) -> EmulatedInteraction | None:
        """The interaction a token belongs to."""
        return self._by_token.get(token)

    def _attachment_url(self, channel_id: int, attachment_id: int, filename: str) -> str:
        return f"{self.http_base}/attachments/{channel_id}/{attachment_id}/{filename}"

    def upload(self, filename: str, data: bytes, content_type: str | None = None) -> StoredAttachment:
        """A file a user attaches to a command option (pass it as that option's value)."""
        return self.messages.upload(self.channel.id, filename, data, content_type)

    # payloads --------------------------------------------------------------------------------

    def member_payload(self, user: User, *, with_permissions: bool = False) -> dict[str, Any]:
        """A guild member object for ``user``."""
        member: dict[str, Any] = {
            "user": user.payload(),
            "roles": [str(self.roles[name]) for name in user.roles],
            "joined_at": iso(self.started_at),
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "nick": None,
            "avatar": None,
            "premium_since": None,
            "communication_disabled_until": None,
        }
        if with_permissions:
            member["permissions"] = str(user.permissions)
        return member

    def members_payload(self) -> list[dict[str, Any]]:
        """The members of every guild: the configured users and the bot."""
        return [self.member_payload(user) for user in [*self.users, self.bot_user]]

    def ready_payload(self, session_id: str, shard: Any, guilds: Sequence[Guild]) -> dict[str, Any]:
        """The READY event for a new session of ``shard`` (as IDENTIFY sent it), which holds ``guilds``."""
        data: dict[str, Any] = {
            "v": 10,
            "user": self.bot_user.payload() | {"verified": True, "mfa_enabled": False, "flags": 0},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session_id,
            "session_type": "normal",
            "resume_gateway_url": f"ws://127.0.0.1:{self.port}/resume",
            "application": {"id": str(self.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "auth": {},
            "user_settings": {},
            "_trace": ["discord-emulator"],
        }
        if shard is not None:
            data["shard"] = shard
        return data

    def guild_create_payload(self, guild: Guild) -> dict[str, Any]:
        """GUILD_CREATE for ``guild``: channels, the @everyone role, members."""
        members = self.members_payload()
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(guild.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": guild.locale,
            "features": [],
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "vanity_url_code": None,
            "max_members": 500_000,
            "roles": [
                {
                    "id": str(guild.id),
                    "name": "@everyone",
                    "color": 0,
                    "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
                    "hoist": False,
                    "icon": None,
                    "unicode_emoji": None,
                    "position": 0,
                    "permissions": str(MEMBER_PERMISSIONS),
                    "managed": False,
                    "mentionable": False,
                    "flags": 0,
                },
                *(
                    {
                        "id": str(role_id),
                        "name": name,
                        "color": 0,
                        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
                        "hoist": False,
                        "icon": None,
                        "unicode_emoji": None,
                        "position": position,
                        "permissions": "0",
                        "managed": False,
                        "mentionable": True,
                        "flags": 0,
                    }
                    for position, (name, role_id) in enumerate(self.roles.items(), start=1)
                ),
            ],
            "emojis": [],
            "stickers": [],
            "joined_at": iso(self.started_at),
            "large": False,
            "unavailable": False,
            "member_count": len(members),
            "members": members,
            "channels": [c.payload(position) for position, c in enumerate(guild.channels)],
            "threads": [],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    # driving the bot ---------------------------------------------------------------------------

    async def _dispatch_interaction(
        self,
        kind: int,
        data: dict[str, Any],
        *,
        user: User | None,
        guild: Guild | None,
        channel: Channel,
        message: StoredMessage | None = None,
        locale: str | None = None,
    ) -> EmulatedInteraction:
        user = user or self.user()
        interaction_id, token = self.snowflake(), secrets.token_urlsafe(96)
        payload: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": kind,
            "data": data,
            "token": token,
            "version": 1,
            "locale": locale or user.locale,
            "app_permissions": str(BOT_PERMISSIONS),
            "entitlements": [],
            "attachment_size_limit": self.max_file_bytes,
            "channel_id": str(channel.id),
            "channel": channel.payload(),
        }
        if guild is not None:
            payload |= {
                "guild_id": str(guild.id),
                "guild": {"id": str(guild.id), "locale": guild.locale, "features": []},
                "guild_locale": guild.locale,
                "member": self.member_payload(user, with_permissions=True),
                "context": 0,
                "authorizing_integration_owners": {"0": str(guild.id)},
            }
        else:
            payload |= {"user": user.payload(), "context": 1, "authorizing_integration_owners": {"0": "0"}}
        if message is not None:
            payload["message"] = message.payload()
        interaction = EmulatedInteraction(
            self,
            interaction_id,
            token,
            kind,
            payload,
            self.now(),
            user,
            channel,
            guild,
            message_id=message.id if message else None,
        )
        self.interactions[interaction_id] = interaction
        self._by_token[token] = interaction
        await self.gateway.dispatch("INTERACTION_CREATE", payload)
        return interaction

    def _where(
        self, user: User | None, guild: Guild | None, channel: Channel | None, dm: bool
    ) -> tuple[User, Guild | None, Channel]:
        user = user or self.user()
        if dm:
            return user, None, self.dm_channel(user)
        guild = guild or self.guild
        return user, guild, channel or guild.channels[0]

    def _command_data(
        self,
        name: str,
        options: Mapping[str, Any],
        guild: Guild | None,
        focused: str | None = None,
    ) -> dict[str, Any]:
        parts = name.split()
        command = self.commands.find(parts[0], guild.id if guild else None)
        resolved: dict[str, Any] = {}
        chosen = [value for value in options.values() if isinstance(value, User)]
        members = {u.id: self.member_payload(u) for u in chosen} if guild else {}  # resolved user options
        data: dict[str, Any] = {
            "id": command["id"],
            "name": command["name"],
            "type": 1,
            "options": build_options(
                command.get("options") or [], parts[1:], options, resolved, members=members, focused=focused
            ),
        }
        if "guild_id" in command:
            data["guild_id"] = command["guild_id"]
        if resolved:
            data["resolved"] = resolved
        return data

    async def slash(
        self,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        user: User | None = None,
        guild: Guild | None = None,
        channel: Channel | None = None,
        dm: bool = False,
        locale: str | None = None,
    ) -> EmulatedInteraction:
        """Invoke a synced slash command (``"group sub"`` for subcommands) as ``user`` would.

        Option values: str/int/float/bool, a :class:`User`, a :class:`Channel`, or an attachment
        from :meth:`upload`. Defaults: the first user, guild and channel; ``dm=True`` for a DM.
        """
        user, guild, channel = self._where(user, guild, channel, dm)
        data = self._command_data(name, options or {}, guild)
        return await self._dispatch_interaction(
            APPLICATION_COMMAND, data, user=user, guild=guild, channel=channel, locale=locale
        )

    async def autocomplete(
        self,
        name: str,
        options: Mapping[str, Any],
        *,
        focused: str,
        user: User | None = None,
        guild: Guild | None = None,
        channel: Channel | None = None,
        dm: bool = False,
        timeout: float = 5.0,
    ) -> list[dict[str, Any]]:
        """Type into option ``focused`` (its text is ``options[focused]``) and return the bot's choices."""
        user, guild, channel = self._where(user, guild, channel, dm)
        data = self._command_data(name, options, guild, focused=focused)
        interaction = await self._dispatch_interaction(
            AUTOCOMPLETE, data, user=user, guild=guild, channel=channel
        )
        await interaction.wait_response(timeout)
        return interaction.choices or []

    def _message_context(self, message: StoredMessage | int) -> tuple[StoredMessage, Guild | None, Channel]:
        stored = self.messages.get(message if isinstance(message, int) else message.id)
        channel = self.find_channel(stored.channel_id)
        assert channel is not None
        guild = next((g for g in self.guilds if g.id == stored.guild_id), None)
        return stored, guild, channel

    async def press(
        self, message: StoredMessage | int, custom_id: str, *, user: User | None = None
    ) -> EmulatedInteraction:
        """Press the button ``custom_id`` on ``message`` (refused if it is missing or disabled)."""
        stored, guild, channel = self._message_context(message)
        component = stored.component(custom_id)
        if component.get("type") != 2 or component.get("disabled"):
            raise ValueError(f"{custom_id!r} is not an enabled button: {component}")
        data = {"custom_id": custom_id, "component_type": 2}
        return await self._dispatch_interaction(
            MESSAGE_COMPONENT, data, user=user, guild=guild, channel=channel, message=stored
        )

    async def select(
        self, message: StoredMessage | int, custom_id: str, values: Sequence[str], *, user: User | None = None
    ) -> EmulatedInteraction:
        """Choose ``values`` in the string select ``custom_id`` on ``message``."""
        stored, guild, channel = self._message_context(message)
        component = stored.component(custom_id)
        offered = [option["value"] for option in component.get("options") or []]
        low, high = component.get("min_values", 1), component.get("max_values", 1)
        if component.get("type") != 3 or component.get("disabled") or not low <= len(values) <= high:
            raise ValueError(f"cannot choose {list(values)} in {component}")
        if any(value not in offered for value in values):
            raise ValueError(f"{list(values)} are not all among the options {offered}")
        data = {"custom_id": custom_id, "component_type": 3, "values": list(values)}
        return await self._dispatch_interaction(
            MESSAGE_COMPONENT, data, user=user, guild=guild, channel=channel, message=stored
        )

    async def submit_modal(
        self, opened_by: EmulatedInteraction, values: Mapping[str, str], *, user: User | None = None
    ) -> EmulatedInteraction:
        """Submit the modal the bot answered ``opened_by`` with, typing ``values`` by text input custom_id."""
        modal = opened_by.modal
        if modal is None:
            raise ValueError(f"{opened_by} was not answered with a modal")
        inputs: list[str] = []

        def text_input(component: dict[str, Any]) -> dict[str, Any]:
            inputs.append(component["custom_id"])
            value = values.get(component["custom_id"], component.get("value") or "")
            return {"type": 4, "id": component.get("id"), "custom_id": component["custom_id"], "value": value}

        rows: list[dict[str, Any]] = []
        for top in modal.get("components") or []:
            if top.get("type") == 1:
                rows.append(
                    {"type": 1, "id": top.get("id"), "components": [text_input(c) for c in top["components"]]}
                )
            elif top.get("type") == 18 and top["component"].get("type") == 4:
                rows.append({"type": 18, "id": top.get("id"), "component": text_input(top["component"])})
        unknown = set(values) - set(inputs)
        if unknown:
            raise ValueError(f"the modal has no text inputs {sorted(unknown)}; it has {inputs}")
        data = {"custom_id": modal["custom_id"], "components": rows}
        message = self.messages.get(opened_by.message_id) if opened_by.message_id else None
        return await self._dispatch_interaction(
            MODAL_SUBMIT,
            data,
            user=user or opened_by.user,
            guild=opened_by.guild,
            channel=opened_by.channel,
            message=message,
        )

    # faults ------------------------------------------------------------------------------------

    async def disconnect(self, code: int = 4000, *, end_session: bool | None = None, shard: int = 0) -> None:
        """Close the bot's gateway connection (of ``shard``) with ``code``.

        Codes 1000, 4004, 4007, 4009 and 4010-4014 also end the session (a RESUME then gets op 9 and
        the bot must IDENTIFY again); others (1001, 4000, ...) leave it resumable. ``end_session``
        overrides that choice.
        """
        await self.gateway.disconnect(code, end_session=end_session, shard=shard)

    async def send_reconnect(self, shard: int = 0) -> None:
        """Send op 7 RECONNECT to ``shard`` (the bot should reconnect and RESUME)."""
        await self.gateway.send_op(RECONNECT, None, shard=shard)

    async def invalidate_session(self, resumable: bool = False, *, shard: int = 0) -> None:
        """Send op 9 INVALID_SESSION to ``shard``; unless ``resumable`` the session ends (IDENTIFY again)."""
        await self.gateway.send_op(INVALID_SESSION, resumable, end_session=not resumable, shard=shard)

    def set_rest_failures(
        self,
        status: int,
        count: int = 1,
        *,
        retry_after: float = 0.05,
        method: str | None = None,
        path_contains: str | None = None,
        is_global: bool = False,
    ) -> None:
        """Fail the next ``count`` REST requests (optionally only ``method`` / paths containing a text).

        429 comes with Discord's body (``retry_after``, ``global``) and headers (``Retry-After``,
        ``X-RateLimit-*``, ``Via``); 5xx with a JSON error. discord.py retries both.
        """
        self._failures.append(FailurePlan(status, count, retry_after, method, path_contains, is_global))

    def take_failure(self, method: str, path: str) -> FailurePlan | None:
        """The failure plan that claims this request, if any (using up one of its failures)."""
        for plan in self._failures:
            if plan.matches(method, path):
                plan.remaining -= 1
                return plan
        return None

    def track(self, token: str | None, delta: int) -> None:
        """Count a request for an interaction token as started (+1) or finished (-1)."""
        if token is not None:
            self._in_flight[token] += delta
