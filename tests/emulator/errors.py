"""Discord's JSON error bodies, and an exception that carries one back to the HTTP layer."""

from __future__ import annotations

from typing import Any

Path = tuple[str | int, ...]


class FormErrors:
    """Collects field errors into Discord's nested ``errors`` object (``{"content": {"_errors": [...]}}``)."""

    def __init__(self) -> None:
        self.tree: dict[str, Any] = {}

    def add(self, path: Path, code: str, message: str) -> None:
        """Record ``code``/``message`` for the field at ``path`` (keys and list indexes)."""
        node = self.tree
        for part in path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def max_length(self, path: Path, value: Any, limit: int) -> None:
        """Flag ``value`` (a string or list) longer than ``limit``."""
        if value is not None and len(value) > limit:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

    def bad_length(self, path: Path, value: Any, low: int, high: int) -> None:
        """Flag a missing ``value`` or one whose length is outside ``low..high``."""
        if value is None or not low <= len(value) <= high:
            self.add(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")

    def __bool__(self) -> bool:
        return bool(self.tree)


class DiscordHTTPError(Exception):
    """Answer the current request with ``status`` and Discord's JSON error ``body``.

    ``violation`` names the kind of mistake the bot made (None for injected faults).
    """

    def __init__(self, status: int, body: dict[str, Any], violation: str | None = "interaction") -> None:
        super().__init__(f"{status} {body}")
        self.status = status
        self.body = body
        self.violation = violation


def error_body(code: int, message: str) -> dict[str, Any]:
    """A plain Discord error body."""
    return {"message": message, "code": code}


def invalid_form_body(errors: FormErrors, prefix: Path = ()) -> DiscordHTTPError:
    """Discord's 400 ``50035 Invalid Form Body`` for these field errors (nested under ``prefix``)."""
    tree = errors.tree
    for part in reversed(prefix):
        tree = {str(part): tree}
    body = {"code": 50035, "message": "Invalid Form Body", "errors": tree}
    return DiscordHTTPError(400, body, violation="limit")


UNKNOWN_INTERACTION = (404, 10062, "Unknown interaction")
ALREADY_ACKNOWLEDGED = (400, 40060, "Interaction has already been acknowledged.")
UNKNOWN_WEBHOOK = (404, 10015, "Unknown Webhook")
INVALID_WEBHOOK_TOKEN = (401, 50027, "Invalid Webhook Token")
UNKNOWN_MESSAGE = (404, 10008, "Unknown Message")
UNKNOWN_CHANNEL = (404, 10003, "Unknown Channel")
UNKNOWN_COMMAND = (404, 10063, "Unknown application command")
UNKNOWN_APPLICATION = (404, 10002, "Unknown Application")
UNKNOWN_GUILD = (404, 10004, "Unknown Guild")
INVALID_JSON = (400, 50109, "The request body contains invalid JSON.")
UNAUTHORIZED = (401, 0, "401: Unauthorized")
NOT_FOUND = (404, 0, "404: Not Found")
TOO_LARGE = (413, 40005, "Request entity too large")


def fail(error: tuple[int, int, str], violation: str = "interaction") -> DiscordHTTPError:
    """The exception for one of the canned errors above."""
    status, code, message = error
    return DiscordHTTPError(status, error_body(code, message), violation)
