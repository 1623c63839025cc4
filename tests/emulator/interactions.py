"""Interactions the emulator dispatched, and the option payloads a Discord client would build."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tests.emulator.models import MEMBER_PERMISSIONS, Channel, Guild, StoredAttachment, StoredMessage, User

if TYPE_CHECKING:
    from tests.emulator.emulator import DiscordEmulator

APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5
CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE = 4, 5, 6, 7
AUTOCOMPLETE_RESULT, MODAL = 8, 9
# Which callback types Discord accepts for each interaction type.
ALLOWED_CALLBACKS = {
    APPLICATION_COMMAND: {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, MODAL},
    MESSAGE_COMPONENT: {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE, MODAL},
    AUTOCOMPLETE: {AUTOCOMPLETE_RESULT},
    MODAL_SUBMIT: {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE},
}
SUBCOMMAND, SUBCOMMAND_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, NUMBER, ATTACHMENT = 3, 4, 5, 6, 7, 10, 11


@dataclass(eq=False)
class EmulatedInteraction:
    """One dispatched interaction and everything the bot did with its token.

    ``original`` is the message of the initial response (for components: the message the component
    is on); after a deferred "thinking" response the first follow-up fills that message, as on Discord.
    """

    emu: DiscordEmulator = field(repr=False)
    id: int
    token: str
    type: int
    payload: dict[str, Any]
    dispatched_at: float
    user: User
    channel: Channel
    guild: Guild | None
    message_id: int | None = None
    response_type: int | None = None
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    original_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    webhook_requests: int = 0
    choices: list[dict[str, Any]] | None = None
    modal: dict[str, Any] | None = None

    @property
    def original(self) -> StoredMessage | None:
        """The initial response's message with all edits applied (None before a response)."""
        return None if self.original_id is None else self.emu.messages.messages[self.original_id]

    @property
    def followups(self) -> list[StoredMessage]:
        """Follow-up messages, oldest first."""
        return [self.emu.messages.messages[i] for i in self.followup_ids]

    @property
    def response(self) -> dict[str, Any] | None:
        """The accepted initial callback body, if any."""
        return self.callbacks[0] if self.callbacks else None

    def _settled(self) -> bool:
        if self.response_type is None or self.emu.in_flight(self.token):
            return False
        if self.response_type == DEFERRED_CHANNEL_MESSAGE:
            original = self.original
            resolved = original is not None and (original.deleted or not original.loading)
            return resolved or bool(self.followup_ids)
        if self.response_type == DEFERRED_UPDATE:
            return self.webhook_requests > 0
        return True

    async def wait_response(self, timeout: float = 5.0) -> dict[str, Any]:
        """Wait for the initial callback and return its body."""
        await self.emu.wait_until(lambda: self.response is not None, timeout, f"a response to {self}")
        assert self.response is not None
        return self.response

    async def wait_done(self, timeout: float = 5.0) -> None:
        """Wait until the bot has answered and nothing is pending on this interaction's token.

        "Answered" means: a message (4), an update (7), choices (8) or a modal (9); after a deferred
        message (5) the loading message was edited, deleted or followed up; after a deferred update
        (6) an edit, deletion or follow-up arrived.
        """
        await self.emu.wait_until(self._settled, timeout, f"{self} to be answered")

    async def wait_followups(self, count: int = 1, timeout: float = 5.0) -> list[StoredMessage]:
        """Wait until at least ``count`` follow-ups exist and return them."""
        await self.emu.wait_until(lambda: len(self.followup_ids) >= count, timeout, f"{count} follow-ups")
        return self.followups

    def __str__(self) -> str:
        return f"interaction {self.id} (type {self.type}, response {self.response_type})"


def _check_range(definition: dict[str, Any], value: Any) -> None:
    """Refuse what the Discord client would not let a user submit (choices, min/max)."""
    name = definition["name"]
    choices = definition.get("choices")
    if choices and value not in [c["value"] for c in choices]:
        raise ValueError(f"{value!r} is not a choice of option {name!r}")
    low, high = definition.get("min_value"), definition.get("max_value")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{value!r} is outside {low}..{high} for option {name!r}")
    shortest, longest = definition.get("min_length"), definition.get("max_length")
    if isinstance(value, str) and not (shortest or 0) <= len(value) <= (longest or 6000):
        raise ValueError(f"{value!r} has a bad length for option {name!r}")


def _value(
    definition: dict[str, Any], value: Any, resolved: dict[str, Any], member: Mapping[int, dict[str, Any]]
) -> Any:
    """The option value as Discord sends it, adding users/channels/attachments to ``resolved``."""
    kind = definition["type"]
    if kind == STRING:
        return str(value)
    if kind == INTEGER:
        return int(value)
    if kind == NUMBER:
        return float(value)
    if kind == BOOLEAN:
        return bool(value)
    if kind == USER and isinstance(value, User):
        resolved.setdefault("users", {})[str(value.id)] = value.payload()
        if value.id in member:
            resolved.setdefault("members", {})[str(value.id)] = member[value.id]
        return str(value.id)
    if kind == CHANNEL and isinstance(value, Channel):
        entry = value.payload() | {"permissions": str(MEMBER_PERMISSIONS)}
        resolved.setdefault("channels", {})[str(value.id)] = entry
        return str(value.id)
    if kind == ATTACHMENT and isinstance(value, StoredAttachment):
        resolved.setdefault("attachments", {})[str(value.id)] = value.payload()
        return str(value.id)
    raise ValueError(f"option {definition['name']!r} of type {kind} cannot take {value!r}")


def build_options(
    definitions: list[dict[str, Any]],
    path: list[str],
    values: Mapping[str, Any],
    resolved: dict[str, Any],
    *,
    members: Mapping[int, dict[str, Any]],
    focused: str | None = None,
) -> list[dict[str, Any]]:
    """The ``data.options`` a client sends for ``values`` under the subcommand ``path``.

    With ``focused`` (autocomplete) the focused option is sent as the partial text typed so far and
    required options may be missing, as on Discord.
    """
    by_name = {d["name"]: d for d in definitions}
    if path:
        sub = by_name.get(path[0])
        if sub is None or sub["type"] not in (SUBCOMMAND, SUBCOMMAND_GROUP):
            raise ValueError(f"no subcommand {path[0]!r}; options are {sorted(by_name)}")
        inner = build_options(
            sub.get("options") or [], path[1:], values, resolved, members=members, focused=focused
        )
        return [{"type": sub["type"], "name": sub["name"], "options": inner}]
    unknown = set(values) - set(by_name)
    if unknown:
        raise ValueError(f"unknown options {sorted(unknown)}; the command has {sorted(by_name)}")
    missing = [d["name"] for d in definitions if d.get("required") and d["name"] not in values]
    if missing and focused is None:
        raise ValueError(f"required options missing: {missing}")
    options = []
    for definition in definitions:
        name = definition["name"]
        if name not in values:
            continue
        if name == focused:
            options.append(
                {"type": definition["type"], "name": name, "value": str(values[name]), "focused": True}
            )
            continue
        value = _value(definition, values[name], resolved, members)
        _check_range(definition, value)
        options.append({"type": definition["type"], "name": name, "value": value})
    return options
