"""The application commands the bot registered, globally and per guild."""

from __future__ import annotations

from typing import Any

from tests.emulator.errors import UNKNOWN_COMMAND, fail
from tests.emulator.models import SnowflakeFactory


class CommandStore:
    """Command trees by scope (``None`` = global, else a guild id), as Discord would return them."""

    def __init__(self, snowflake: SnowflakeFactory, application_id: int) -> None:
        self.snowflake = snowflake
        self.application_id = application_id
        self.scopes: dict[int | None, list[dict[str, Any]]] = {}
        self.syncs: list[int | None] = []

    def _stored(self, guild_id: int | None, command: dict[str, Any]) -> dict[str, Any]:
        """The command as Discord stores it: ids added, an existing (type, name) keeps its id."""
        kind = command.get("type") or 1
        previous = next(
            (c for c in self.scopes.get(guild_id, []) if (c["type"], c["name"]) == (kind, command["name"])),
            None,
        )
        stored = {key: value for key, value in command.items() if value is not None}
        stored.update(
            id=previous["id"] if previous else str(self.snowflake()),
            application_id=str(self.application_id),
            version=str(self.snowflake()),
            type=kind,
            description=command.get("description") or "",
        )
        if guild_id is not None:
            stored["guild_id"] = str(guild_id)
        return stored

    def overwrite(self, guild_id: int | None, commands: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Bulk overwrite the scope's commands (what ``CommandTree.sync`` does)."""
        self.scopes[guild_id] = [self._stored(guild_id, command) for command in commands]
        self.syncs.append(guild_id)
        return self.scopes[guild_id]

    def upsert(self, guild_id: int | None, command: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """Create or replace one command; also say whether it is new."""
        stored = self._stored(guild_id, command)
        scope = self.scopes.setdefault(guild_id, [])
        created = all(c["id"] != stored["id"] for c in scope)
        self.scopes[guild_id] = [c for c in scope if c["id"] != stored["id"]] + [stored]
        return stored, created

    def list(self, guild_id: int | None) -> list[dict[str, Any]]:
        """The scope's commands."""
        return self.scopes.get(guild_id, [])

    def get(self, guild_id: int | None, command_id: str) -> dict[str, Any]:
        """One command of the scope; Discord's 404 otherwise."""
        for command in self.scopes.get(guild_id, []):
            if command["id"] == command_id:
                return command
        raise fail(UNKNOWN_COMMAND)

    def delete(self, guild_id: int | None, command_id: str) -> None:
        """Remove one command of the scope."""
        command = self.get(guild_id, command_id)
        self.scopes[guild_id].remove(command)

    def find(self, name: str, guild_id: int | None, kind: int = 1) -> dict[str, Any]:
        """The command a user would invoke by ``name`` here: the guild's own first, then global."""
        for scope in (guild_id, None) if guild_id is not None else (None,):
            for command in self.scopes.get(scope, []):
                if command["name"] == name and command["type"] == kind:
                    return command
        known = [c["name"] for scope in self.scopes.values() for c in scope]
        raise LookupError(f"no synced command {name!r} for guild {guild_id}; synced: {known}")
