"""The messages the bot created, built from request bodies and files with Discord's edit semantics."""

from __future__ import annotations

import copy
import mimetypes
from collections.abc import Callable
from typing import Any

from tests.emulator.errors import UNKNOWN_MESSAGE, FormErrors, fail, invalid_form_body
from tests.emulator.limits import embed_attachment_refs
from tests.emulator.models import (
    EPHEMERAL,
    IS_COMPONENTS_V2,
    LOADING,
    SnowflakeFactory,
    StoredAttachment,
    StoredMessage,
    UploadedFile,
    User,
    utcnow,
)

SUPPRESS_EMBEDS, SUPPRESS_NOTIFICATIONS = 1 << 2, 1 << 12
CREATE_FLAGS = EPHEMERAL | SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS | IS_COMPONENTS_V2
EDIT_FLAGS = SUPPRESS_EMBEDS | IS_COMPONENTS_V2
MAX_ATTACHMENTS = 10


def _number_components(components: list[Any]) -> list[Any]:
    """A copy of a component tree where every component has a numeric ``id``, as Discord returns it."""
    numbered = copy.deepcopy(components)
    used = set()
    pending: list[dict[str, Any]] = []

    def walk(items: list[Any]) -> None:
        for item in items:
            if not isinstance(item, dict):
                continue
            if isinstance(item.get("id"), int):
                used.add(item["id"])
            else:
                pending.append(item)
            walk(item.get("components") or [])
            for key in ("accessory", "component"):
                if isinstance(item.get(key), dict):
                    walk([item[key]])

    walk(numbered)
    next_id = 1
    for item in pending:
        while next_id in used:
            next_id += 1
        item["id"] = next_id
        used.add(next_id)
    return numbered


class MessageStore:
    """Every message the bot created, by id, with the uploaded files kept as attachments."""

    def __init__(self, snowflake: SnowflakeFactory, attachment_url: Callable[[int, int, str], str]) -> None:
        self.snowflake = snowflake
        self.attachment_url = attachment_url
        self.messages: dict[int, StoredMessage] = {}
        self.attachments: dict[int, StoredAttachment] = {}

    def get(self, message_id: int, channel_id: int | None = None) -> StoredMessage:
        """A live message (in ``channel_id`` if given); Discord's 404 Unknown Message otherwise."""
        message = self.messages.get(message_id)
        if message is None or message.deleted or channel_id not in (None, message.channel_id):
            raise fail(UNKNOWN_MESSAGE)
        return message

    def create(
        self,
        *,
        channel_id: int,
        guild_id: int | None,
        author: User,
        body: dict[str, Any],
        files: list[UploadedFile],
        flags: int | None = None,
        **fields: Any,
    ) -> StoredMessage:
        """A new message from a create body; ``flags`` overrides the body's flags."""
        message = StoredMessage(self.snowflake(), channel_id, guild_id, author, **fields)
        message.flags = (body.get("flags") or 0) & CREATE_FLAGS if flags is None else flags
        self._apply(message, body, files)
        self.messages[message.id] = message
        return message

    def edit(self, message: StoredMessage, body: dict[str, Any], files: list[UploadedFile]) -> None:
        """Apply an edit body: fields present replace, ``attachments`` lists those to keep."""
        self._apply(message, body, files)
        if "flags" in body and isinstance(body["flags"], int):
            message.flags = (message.flags & ~EDIT_FLAGS) | (body["flags"] & EDIT_FLAGS)
        message.flags &= ~LOADING
        message.edited_at = utcnow()
        message.edit_count += 1

    def delete(self, message: StoredMessage) -> None:
        """Mark a message deleted."""
        message.deleted = True

    def _apply(self, message: StoredMessage, body: dict[str, Any], files: list[UploadedFile]) -> None:
        """Check the resulting message (attachment references, attachment count), then commit it."""
        content = (body.get("content") or "") if "content" in body else message.content
        embeds = list(body.get("embeds") or []) if "embeds" in body else message.embeds
        components = _number_components(body.get("components") or []) if "components" in body else None
        attachments = self._attachments(message, body, files)
        errors = FormErrors()
        names = {a.filename for a in attachments}
        for path, name in embed_attachment_refs(embeds):
            if name not in names:
                errors.add(
                    path, "ATTACHMENT_NOT_FOUND", f"attachment://{name} does not name an attached file"
                )
        errors.max_length(("attachments",), attachments, MAX_ATTACHMENTS)
        if errors:
            raise invalid_form_body(errors)
        message.content, message.embeds, message.attachments = content, embeds, attachments
        if components is not None:
            message.components = components
        for attachment in attachments:
            self.attachments[attachment.id] = attachment

    def _attachments(
        self, message: StoredMessage, body: dict[str, Any], files: list[UploadedFile]
    ) -> list[StoredAttachment]:
        described = body.get("attachments")
        metadata = {str(a.get("id")): a for a in described or [] if isinstance(a, dict)}
        if described is None:
            kept = list(message.attachments)
        else:
            kept = [a for a in message.attachments if str(a.id) in metadata]
        for position, upload in enumerate(files):
            index = upload.field.removeprefix("files[").removesuffix("]")
            meta = metadata.get(index if index.isdigit() else str(position), {})
            filename = meta.get("filename") or upload.filename
            attachment_id = self.snowflake()
            kept.append(
                StoredAttachment(
                    id=attachment_id,
                    filename=filename,
                    data=upload.data,
                    url=self.attachment_url(message.channel_id, attachment_id, filename),
                    description=meta.get("description"),
                    content_type=mimetypes.guess_type(filename)[0] or upload.content_type,
                )
            )
        return kept

    def upload(
        self, channel_id: int, filename: str, data: bytes, content_type: str | None
    ) -> StoredAttachment:
        """An attachment a user uploads as a command option (served like any other attachment)."""
        attachment_id = self.snowflake()
        attachment = StoredAttachment(
            id=attachment_id,
            filename=filename,
            data=data,
            url=self.attachment_url(channel_id, attachment_id, filename),
            content_type=content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream",
        )
        self.attachments[attachment_id] = attachment
        return attachment
