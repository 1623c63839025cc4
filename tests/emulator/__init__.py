"""A loopback emulator of Discord's HTTP API v10 and gateway for end-to-end tests of the real bot.

Import :class:`DiscordEmulator` from here and the pytest helpers from ``tests.emulator.fixtures``.
"""

from tests.emulator.emulator import DiscordEmulator
from tests.emulator.interactions import EmulatedInteraction
from tests.emulator.models import (
    Channel,
    Guild,
    GuildSpec,
    Heartbeat,
    RecordedRequest,
    StoredAttachment,
    StoredMessage,
    User,
    UserSpec,
    Violation,
)

__all__ = [
    "Channel",
    "DiscordEmulator",
    "EmulatedInteraction",
    "Guild",
    "GuildSpec",
    "Heartbeat",
    "RecordedRequest",
    "StoredAttachment",
    "StoredMessage",
    "User",
    "UserSpec",
    "Violation",
]
