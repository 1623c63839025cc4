"""Values the emulator keeps and hands to tests: users, guilds, stored messages, recorded traffic."""

from __future__ import annotations

import struct
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DISCORD_EPOCH_MS = 1_420_070_400_000

# Permission bits (https://discord.com/developers/docs/topics/permissions).
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
USE_EXTERNAL_EMOJIS = 1 << 18
USE_APPLICATION_COMMANDS = 1 << 31
ADMINISTRATOR = 1 << 3
MEMBER_PERMISSIONS = (
    ADD_REACTIONS
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_EXTERNAL_EMOJIS
    | USE_APPLICATION_COMMANDS
)

# Message flags.
EPHEMERAL = 1 << 6
LOADING = 1 << 7
IS_COMPONENTS_V2 = 1 << 15


class SnowflakeFactory:
    """Time-based Discord snowflakes: ms since the Discord epoch, worker 1, a rolling increment."""

    def __init__(self) -> None:
        self._increment = 0

    def __call__(self) -> int:
        self._increment = (self._increment + 1) % 4096
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        return (ms << 22) | (1 << 17) | self._increment


def iso(moment: datetime) -> str:
    """Discord's timestamp format (ISO 8601 with microseconds and an offset)."""
    return moment.isoformat(timespec="microseconds")


def utcnow() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class UserSpec:
    """A user the test wants in every guild; the emulator gives it an id."""

    username: str
    global_name: str | None = None
    permissions: int = MEMBER_PERMISSIONS
    locale: str = "en-US"
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class GuildSpec:
    """A guild with named text channels; the emulator gives them ids."""

    name: str
    channels: tuple[str, ...] = ("office-hours",)
    locale: str = "en-US"


@dataclass(frozen=True)
class User:
    """A Discord user (or the bot's own user) as the emulator knows it."""

    id: int
    username: str
    global_name: str | None = None
    permissions: int = MEMBER_PERMISSIONS
    locale: str = "en-US"
    bot: bool = False
    roles: tuple[str, ...] = ()

    def payload(self) -> dict[str, Any]:
        """The user object Discord sends."""
        data: dict[str, Any] = {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "public_flags": 0,
        }
        if self.bot:
            data["bot"] = True
        return data


@dataclass(frozen=True)
class Channel:
    """A guild text channel (type 0) or a DM channel (type 1, no guild)."""

    id: int
    name: str
    guild_id: int | None
    type: int = 0
    recipient: User | None = None

    def payload(self, position: int = 0) -> dict[str, Any]:
        """The channel object Discord sends."""
        if self.type == 1:
            assert self.recipient is not None
            return {
                "id": str(self.id),
                "type": 1,
                "last_message_id": None,
                "flags": 0,
                "recipients": [self.recipient.payload()],
            }
        data: dict[str, Any] = {
            "id": str(self.id),
            "type": self.type,
            "name": self.name,
            "position": position,
            "permission_overwrites": [],
            "parent_id": None,
            "topic": None,
            "nsfw": False,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
        }
        if self.guild_id is not None:
            data["guild_id"] = str(self.guild_id)
        return data


@dataclass(frozen=True)
class Guild:
    """A guild with its text channels."""

    id: int
    name: str
    channels: tuple[Channel, ...]
    owner_id: int
    locale: str = "en-US"

    def channel(self, name: str) -> Channel:
        """The channel called ``name``."""
        for channel in self.channels:
            if channel.name == name:
                return channel
        raise LookupError(f"guild {self.name!r} has no channel {name!r}")


@dataclass(frozen=True)
class UploadedFile:
    """One ``files[n]`` part of a multipart request."""

    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class StoredAttachment:
    """An attachment of a stored message, with its bytes."""

    id: int
    filename: str
    data: bytes
    url: str
    description: str | None = None
    content_type: str = "application/octet-stream"

    def payload(self) -> dict[str, Any]:
        """The attachment object Discord sends."""
        data: dict[str, Any] = {
            "id": str(self.id),
            "filename": self.filename,
            "size": len(self.data),
            "url": self.url,
            "proxy_url": self.url,
            "content_type": self.content_type,
        }
        if self.description is not None:
            data["description"] = self.description
        size = png_size(self.data)
        if size is not None:
            data["width"], data["height"] = size
        return data


def png_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG header, or None for anything else."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or len(data) < 24:
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@dataclass
class StoredMessage:
    """A message the bot created, with every edit applied; ``deleted`` once deleted."""

    id: int
    channel_id: int
    guild_id: int | None
    author: User
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[StoredAttachment] = field(default_factory=list)
    flags: int = 0
    type: int = 0
    created_at: datetime = field(default_factory=utcnow)
    edited_at: datetime | None = None
    interaction_id: int | None = None
    interaction_metadata: dict[str, Any] | None = None
    webhook_id: int | None = None
    deleted: bool = False
    edit_count: int = 0

    @property
    def ephemeral(self) -> bool:
        """Whether only the invoking user sees it (flag 64)."""
        return bool(self.flags & EPHEMERAL)

    @property
    def loading(self) -> bool:
        """Whether it is still a deferred "thinking..." placeholder (flag 128)."""
        return bool(self.flags & LOADING)

    def iter_components(self) -> list[dict[str, Any]]:
        """Every component, depth first (rows, their children, v2 containers and accessories)."""
        found: list[dict[str, Any]] = []

        def walk(items: list[dict[str, Any]]) -> None:
            for item in items:
                found.append(item)
                walk(item.get("components") or [])
                for key in ("accessory", "component"):
                    if isinstance(item.get(key), dict):
                        walk([item[key]])

        walk(self.components)
        return found

    def custom_ids(self) -> list[str]:
        """The custom_ids of all interactive components, in order."""
        return [c["custom_id"] for c in self.iter_components() if "custom_id" in c]

    def component(self, custom_id: str) -> dict[str, Any]:
        """The component with this custom_id."""
        for component in self.iter_components():
            if component.get("custom_id") == custom_id:
                return component
        raise LookupError(f"message {self.id} has no component {custom_id!r}; it has {self.custom_ids()}")

    def attachment(self, filename: str) -> StoredAttachment:
        """The attachment called ``filename``."""
        for attachment in self.attachments:
            if attachment.filename == filename:
                return attachment
        raise LookupError(f"message {self.id} has no attachment {filename!r}")

    def payload(self) -> dict[str, Any]:
        """The message object Discord sends."""
        data: dict[str, Any] = {
            "id": str(self.id),
            "type": self.type,
            "channel_id": str(self.channel_id),
            "author": self.author.payload(),
            "content": self.content,
            "timestamp": iso(self.created_at),
            "edited_timestamp": iso(self.edited_at) if self.edited_at else None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [a.payload() for a in self.attachments],
            "embeds": self.embeds,
            "components": self.components,
            "pinned": False,
            "flags": self.flags,
        }
        if self.guild_id is not None:
            data["guild_id"] = str(self.guild_id)
        if self.webhook_id is not None:
            data["webhook_id"] = str(self.webhook_id)
            data["application_id"] = str(self.webhook_id)
        if self.interaction_metadata is not None:
            data["interaction_metadata"] = self.interaction_metadata
        return data


@dataclass
class RecordedRequest:
    """One HTTP request as received; ``status`` is filled in when the answer is sent."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    files: list[UploadedFile]
    received_at: float
    status: int | None = None


@dataclass(frozen=True)
class Violation:
    """A request Discord would have refused (or a gateway misuse), with the error sent back."""

    kind: str
    method: str
    path: str
    status: int
    body: dict[str, Any]

    def __str__(self) -> str:
        return f"{self.kind}: {self.method} {self.path} -> {self.status} {self.body}"


@dataclass(frozen=True)
class Heartbeat:
    """A heartbeat (op 1) the bot sent: when (emulator clock), its sequence, on which connection."""

    at: float
    sequence: int | None
    connection: int


@dataclass
class GatewayConnection:
    """One websocket connection: where it was opened, IDENTIFY or RESUME, and the close code.

    ``close_code`` is the code of whoever closed first (the emulator's for :meth:`disconnect`).
    """

    number: int
    path: str
    query: dict[str, str]
    opened_at: float
    opening: str | None = None
    close_code: int | None = None
