"""The emulated REST API v10: recording, fault injection, auth, limits, schema checks, and the routes."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import BodyPartReader, hdrs, web

from tests.emulator import limits
from tests.emulator.errors import (
    ALREADY_ACKNOWLEDGED,
    INVALID_JSON,
    INVALID_WEBHOOK_TOKEN,
    NOT_FOUND,
    TOO_LARGE,
    UNAUTHORIZED,
    UNKNOWN_APPLICATION,
    UNKNOWN_CHANNEL,
    UNKNOWN_GUILD,
    UNKNOWN_INTERACTION,
    UNKNOWN_MESSAGE,
    UNKNOWN_WEBHOOK,
    DiscordHTTPError,
    FormErrors,
    fail,
    invalid_form_body,
)
from tests.emulator.interactions import (
    ALLOWED_CALLBACKS,
    APPLICATION_COMMAND,
    AUTOCOMPLETE_RESULT,
    CHANNEL_MESSAGE,
    DEFERRED_CHANNEL_MESSAGE,
    DEFERRED_UPDATE,
    MODAL,
    MODAL_SUBMIT,
    UPDATE_MESSAGE,
    EmulatedInteraction,
)
from tests.emulator.messages import CREATE_FLAGS
from tests.emulator.models import (
    EPHEMERAL,
    LOADING,
    Channel,
    RecordedRequest,
    StoredMessage,
    UploadedFile,
    Violation,
)
from tests.emulator.openapi import load_spec

if TYPE_CHECKING:
    from tests.emulator.emulator import DiscordEmulator, FailurePlan

API_PREFIX = "/api/v10"
TOKEN_PARAMS = ("interaction_token", "webhook_token")
TRUE = ("1", "true", "True")
BODY = web.RequestKey("body", Any)
FILES = web.RequestKey("files", list[UploadedFile])
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

CALLBACK = "/interactions/{interaction_id}/{interaction_token}/callback"
WEBHOOK = "/webhooks/{webhook_id}/{webhook_token}"
WEBHOOK_MESSAGES = ("/messages/@original", "/messages/{message_id}")
CHANNEL_MESSAGES = "/channels/{channel_id}/messages"
COMMAND_SCOPES = (
    "/applications/{application_id}/commands",
    "/applications/{application_id}/guilds/{guild_id}/commands",
)
# Discord's limits, checked before the OpenAPI schema so that their errors have Discord's own wording.
LIMITS: dict[tuple[str, str], Callable[[Any, FormErrors], None]] = {
    ("POST", CALLBACK): limits.check_callback,
    ("POST", WEBHOOK): limits.check_message,
    ("PATCH", WEBHOOK + WEBHOOK_MESSAGES[0]): limits.check_message,
    ("PATCH", WEBHOOK + WEBHOOK_MESSAGES[1]): limits.check_message,
    ("POST", CHANNEL_MESSAGES): limits.check_message,
    ("PATCH", CHANNEL_MESSAGES + "/{message_id}"): limits.check_message,
    **{("PUT", scope): limits.check_command_list for scope in COMMAND_SCOPES},
    **{("POST", scope): limits.check_command for scope in COMMAND_SCOPES},
}


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """A JSON answer with Discord's exact ``Content-Type`` (discord.py decodes only that one)."""
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def _snowflake(text: str) -> int:
    """A path id as an int (-1, which matches nothing, if it is not a number)."""
    return int(text) if text.isdigit() else -1


def _body(request: web.Request) -> dict[str, Any]:
    """The request's JSON object (or payload_json), empty if there was none."""
    body = request[BODY]
    return body if isinstance(body, dict) else {}


def _files(request: web.Request) -> list[UploadedFile]:
    return request[FILES]


async def _read_body(request: web.Request) -> tuple[Any, list[UploadedFile]]:
    """The JSON body (or multipart ``payload_json``) and the uploaded files.

    The media type is read from the header directly, and a JSON body decoded as UTF-8 (as Discord reads
    it): aiohttp's ``content_type`` and ``text()`` parse the header with the standard library's e-mail
    parser, which in a burst cost the event loop, shared with the bot under test, tenths of a second.
    """
    media_type = request.headers.get(hdrs.CONTENT_TYPE, "").partition(";")[0].strip().lower()
    try:
        if media_type == "multipart/form-data":
            payload: Any = None
            files: list[UploadedFile] = []
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader):
                    continue
                if part.filename is not None:
                    content_type = part.headers.get("Content-Type", "application/octet-stream")
                    data = bytes(await part.read())
                    files.append(UploadedFile(part.name or "", part.filename, content_type, data))
                elif part.name == "payload_json":
                    payload = json.loads(await part.text())
            return payload, files
        body = await request.read() if request.can_read_body else b""
        return (json.loads(body) if body else None), []
    except ValueError as exc:
        raise fail(INVALID_JSON, "schema") from exc


def _failure_response(plan: FailurePlan) -> web.Response:
    """An injected failure: Discord's 429 (body and headers) or a 5xx."""
    if plan.status != 429:
        return _json({"message": f"{plan.status}: emulated failure", "code": 0}, status=plan.status)
    headers = {
        "Retry-After": str(max(1, round(plan.retry_after))),
        "X-RateLimit-Limit": "5",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": f"{time.time() + plan.retry_after:.3f}",
        "X-RateLimit-Reset-After": f"{plan.retry_after:.3f}",
        "X-RateLimit-Bucket": "emulated-bucket",
        "X-RateLimit-Scope": "global" if plan.is_global else "user",
        "Via": "1.1 google",
    }
    if plan.is_global:
        headers["X-RateLimit-Global"] = "true"
    body = {
        "message": "You are being rate limited.",
        "retry_after": plan.retry_after,
        "global": plan.is_global,
    }
    return _json(body, status=429, headers=headers)


class RestApi:
    """Routes and middleware of the REST side; all state lives in the emulator."""

    def __init__(self, emu: DiscordEmulator) -> None:
        self.emu = emu

    def install(self, app: web.Application) -> None:
        """Add the middleware and every route to ``app``."""
        app.middlewares.append(self.middleware)
        routes: list[tuple[str, str, Handler]] = [
            ("GET", "/users/@me", self.get_me),
            ("GET", "/oauth2/applications/@me", self.get_application),
            ("GET", "/applications/@me", self.get_application),
            ("GET", "/gateway", self.get_gateway),
            ("GET", "/gateway/bot", self.get_gateway_bot),
            ("POST", CALLBACK, self.callback),
            ("POST", WEBHOOK, self.followup),
            ("GET", "/channels/{channel_id}", self.get_channel),
            ("POST", CHANNEL_MESSAGES, self.create_channel_message),
        ]
        for scope in COMMAND_SCOPES:
            routes += [
                ("GET", scope, self.list_commands),
                ("PUT", scope, self.overwrite_commands),
                ("POST", scope, self.create_command),
                ("GET", scope + "/{command_id}", self.get_command),
                ("DELETE", scope + "/{command_id}", self.delete_command),
            ]
        for suffix in WEBHOOK_MESSAGES:
            routes += [
                ("GET", WEBHOOK + suffix, self.get_webhook_message),
                ("PATCH", WEBHOOK + suffix, self.edit_webhook_message),
                ("DELETE", WEBHOOK + suffix, self.delete_webhook_message),
            ]
        for method, handler in (
            ("GET", self.get_channel_message),
            ("PATCH", self.edit_channel_message),
            ("DELETE", self.delete_channel_message),
        ):
            routes.append((method, CHANNEL_MESSAGES + "/{message_id}", handler))
        for method, path, handler in routes:
            app.router.add_route(method, API_PREFIX + path, handler)
        app.router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", self.get_attachment)

    # middleware --------------------------------------------------------------------------------

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Record the request, then serve it (or refuse it with Discord's error)."""
        if not request.path.startswith(API_PREFIX + "/"):
            return await handler(request)
        emu = self.emu
        record = RecordedRequest(
            request.method, request.path.removeprefix(API_PREFIX), dict(request.query), None, [], emu.now()
        )
        emu.requests.append(record)
        token = next((request.match_info[k] for k in TOKEN_PARAMS if k in request.match_info), None)
        emu.track(token, 1)
        try:
            response = await self._serve(request, record, handler)
        finally:
            emu.track(token, -1)
        record.status = response.status
        emu.notify()
        return response

    async def _serve(
        self, request: web.Request, record: RecordedRequest, handler: Handler
    ) -> web.StreamResponse:
        emu = self.emu
        try:
            body, files = await _read_body(request)
            record.json, record.files = body, files
            plan = emu.take_failure(request.method, record.path)
            if plan is not None:
                return _failure_response(plan)
            if request.match_info.http_exception is not None:
                raise fail(NOT_FOUND, "route")
            authorized = request.headers.get("Authorization") == f"Bot {emu.token}"
            if not authorized and not any(k in request.match_info for k in TOKEN_PARAMS):
                raise fail(UNAUTHORIZED, "auth")
            if any(len(f.data) > emu.max_file_bytes for f in files):
                raise fail(TOO_LARGE, "limit")
            template = request.match_info.route.resource.canonical.removeprefix(API_PREFIX)
            self._validate(request.method, template, body)
            request[BODY], request[FILES] = body, files
            return await handler(request)
        except DiscordHTTPError as exc:
            if exc.violation is not None:
                emu.violations.append(
                    Violation(exc.violation, request.method, record.path, exc.status, exc.body)
                )
            return _json(exc.body, status=exc.status)
        except Exception as exc:  # an emulator bug: fail the request fast (a 5xx would be retried) and say so
            body = {"message": f"emulator error: {exc!r}", "code": 0}
            emu.violations.append(Violation("emulator", request.method, record.path, 400, body))
            return _json(body, status=400)

    def _validate(self, method: str, template: str, body: Any) -> None:
        """Discord's limits first, then the OpenAPI request schema (when the spec file exists)."""
        if body is None:
            return
        check = LIMITS.get((method, template))
        if check is not None:
            errors = FormErrors()
            check(body, errors)
            if errors:
                raise invalid_form_body(errors)
        spec = load_spec(self.emu.spec_path) if self.emu.spec_path is not None else None
        problem = spec.validate(template, method, body) if spec is not None else None
        if problem is not None:
            errors = FormErrors()
            errors.add(problem.path, "SCHEMA_VALIDATION", problem.message)
            error = invalid_form_body(errors)
            error.violation = "schema"
            raise error

    # login and gateway -------------------------------------------------------------------------

    async def get_me(self, request: web.Request) -> web.Response:
        """``GET /users/@me``: the bot user (discord.py's login)."""
        user = self.emu.bot_user.payload() | {"verified": True, "mfa_enabled": False, "flags": 0}
        return _json(user)

    async def get_application(self, request: web.Request) -> web.Response:
        """``GET /oauth2/applications/@me``: the application (discord.py asks right after login)."""
        emu = self.emu
        owner = emu.users[0] if emu.users else emu.bot_user
        return _json(
            {
                "id": str(emu.application_id),
                "name": emu.bot_user.global_name,
                "icon": None,
                "description": "",
                "summary": "",
                "bot_public": True,
                "bot_require_code_grant": False,
                "verify_key": "0" * 64,
                "flags": 0,
                "owner": owner.payload(),
                "team": None,
                "bot": emu.bot_user.payload(),
                "rpc_origins": [],
                "interactions_endpoint_url": None,
                "redirect_uris": [],
                "tags": [],
                "approximate_guild_count": len(emu.guilds),
            }
        )

    async def get_gateway(self, request: web.Request) -> web.Response:
        """``GET /gateway``."""
        return _json({"url": self.emu.gateway_url})

    async def get_gateway_bot(self, request: web.Request) -> web.Response:
        """``GET /gateway/bot``: the emulator's websocket address and recommended shard count."""
        emu = self.emu
        used = len(emu.gateway.identifies)
        limit = {"total": 1000, "remaining": 1000 - used, "reset_after": 86_400_000, "max_concurrency": 1}
        return _json({"url": emu.gateway_url, "shards": emu.recommended_shards, "session_start_limit": limit})

    # application commands ----------------------------------------------------------------------

    def _scope(self, request: web.Request) -> int | None:
        """The command scope of the path (None = global), checking the application and guild."""
        if request.match_info["application_id"] != str(self.emu.application_id):
            raise fail(UNKNOWN_APPLICATION)
        if "guild_id" not in request.match_info:
            return None
        guild_id = _snowflake(request.match_info["guild_id"])
        if all(g.id != guild_id for g in self.emu.guilds):
            raise fail(UNKNOWN_GUILD)
        return guild_id

    async def list_commands(self, request: web.Request) -> web.Response:
        """``GET .../commands``."""
        return _json(self.emu.commands.list(self._scope(request)))

    async def overwrite_commands(self, request: web.Request) -> web.Response:
        """``PUT .../commands``: bulk overwrite (``CommandTree.sync``)."""
        scope = self._scope(request)
        body = request[BODY] if isinstance(request[BODY], list) else []
        commands = self.emu.commands.overwrite(scope, body)
        self.emu.notify()
        return _json(commands)

    async def create_command(self, request: web.Request) -> web.Response:
        """``POST .../commands``: create or replace one command."""
        command, created = self.emu.commands.upsert(self._scope(request), _body(request))
        return _json(command, status=201 if created else 200)

    async def get_command(self, request: web.Request) -> web.Response:
        """``GET .../commands/{command_id}``."""
        return _json(self.emu.commands.get(self._scope(request), request.match_info["command_id"]))

    async def delete_command(self, request: web.Request) -> web.Response:
        """``DELETE .../commands/{command_id}``."""
        self.emu.commands.delete(self._scope(request), request.match_info["command_id"])
        return web.Response(status=204)

    # interactions ------------------------------------------------------------------------------

    def _interaction_message(
        self, interaction: EmulatedInteraction, body: dict[str, Any], files: list[UploadedFile], flags: int
    ) -> StoredMessage:
        """A message created through an interaction token (response or follow-up)."""
        metadata: dict[str, Any] = {
            "id": str(interaction.id),
            "type": interaction.type,
            "user": interaction.user.payload(),
            "authorizing_integration_owners": interaction.payload["authorizing_integration_owners"],
        }
        if interaction.type == APPLICATION_COMMAND:
            metadata["name"] = interaction.payload["data"]["name"]
        if interaction.message_id is not None:
            metadata["interacted_message_id"] = str(interaction.message_id)
        return self.emu.messages.create(
            channel_id=interaction.channel.id,
            guild_id=interaction.guild.id if interaction.guild else None,
            author=self.emu.bot_user,
            body=body,
            files=files,
            flags=flags,
            type=20 if interaction.type == APPLICATION_COMMAND else 0,
            interaction_id=interaction.id,
            interaction_metadata=metadata,
            webhook_id=self.emu.application_id,
        )

    async def callback(self, request: web.Request) -> web.Response:
        """``POST /interactions/{id}/{token}/callback``: the one initial response, within 3 s."""
        emu = self.emu
        interaction = emu.interactions.get(_snowflake(request.match_info["interaction_id"]))
        if interaction is None or interaction.token != request.match_info["interaction_token"]:
            raise fail(UNKNOWN_INTERACTION)
        if emu.now() - interaction.dispatched_at > emu.interaction_deadline:
            raise fail(UNKNOWN_INTERACTION)
        if interaction.response_type is not None:
            raise fail(ALREADY_ACKNOWLEDGED)
        body, files = _body(request), _files(request)
        kind = body.get("type")
        allowed = set(ALLOWED_CALLBACKS[interaction.type])
        if interaction.type == MODAL_SUBMIT and interaction.message_id is None:
            allowed -= {DEFERRED_UPDATE, UPDATE_MESSAGE}
        if kind not in allowed:
            errors = FormErrors()
            errors.add(("type",), "BASE_TYPE_CHOICES", f"Value must be one of {sorted(allowed)}.")
            raise invalid_form_body(errors)
        data = body.get("data") if isinstance(body.get("data"), dict) else {}
        message: StoredMessage | None = None
        if kind == CHANNEL_MESSAGE:
            message = self._interaction_message(
                interaction, data, files, (data.get("flags") or 0) & CREATE_FLAGS
            )
        elif kind == DEFERRED_CHANNEL_MESSAGE:
            flags = LOADING | ((data.get("flags") or 0) & EPHEMERAL)
            message = self._interaction_message(interaction, {}, [], flags)
        elif kind in (DEFERRED_UPDATE, UPDATE_MESSAGE):
            assert interaction.message_id is not None
            message = emu.messages.get(interaction.message_id)
            if kind == UPDATE_MESSAGE:
                emu.messages.edit(message, data, files)
        elif kind == AUTOCOMPLETE_RESULT:
            interaction.choices = list(data.get("choices") or [])
        elif kind == MODAL:
            interaction.modal = data
        if message is not None:
            interaction.original_id = message.id
        interaction.response_type = kind
        interaction.callbacks.append(body)
        if request.query.get("with_response") not in TRUE:
            return web.Response(status=204)
        result: dict[str, Any] = {"interaction": {"id": str(interaction.id), "type": interaction.type}}
        if message is not None and kind != DEFERRED_UPDATE:
            result["interaction"] |= {
                "response_message_id": str(message.id),
                "response_message_loading": kind == DEFERRED_CHANNEL_MESSAGE,
                "response_message_ephemeral": message.ephemeral,
            }
            result["resource"] = {"type": kind, "message": message.payload()}
        return _json(result)

    def _webhook_interaction(self, request: web.Request) -> EmulatedInteraction:
        """The acknowledged, unexpired interaction a webhook token belongs to."""
        emu = self.emu
        interaction = emu.interaction_by_token(request.match_info["webhook_token"])
        if interaction is None or request.match_info["webhook_id"] != str(emu.application_id):
            raise fail(UNKNOWN_WEBHOOK)
        if emu.now() - interaction.dispatched_at > emu.token_lifetime:
            raise fail(INVALID_WEBHOOK_TOKEN)
        if interaction.response_type is None:
            raise fail(UNKNOWN_WEBHOOK)
        return interaction

    def _webhook_message(self, request: web.Request, interaction: EmulatedInteraction) -> StoredMessage:
        """``@original`` or one of the interaction's own messages."""
        reference = request.match_info.get("message_id")
        message_id = interaction.original_id if reference is None else _snowflake(reference)
        if message_id is None or (
            message_id != interaction.original_id and message_id not in interaction.followup_ids
        ):
            raise fail(UNKNOWN_MESSAGE)
        return self.emu.messages.get(message_id)

    async def followup(self, request: web.Request) -> web.Response:
        """``POST /webhooks/{app}/{token}``: a follow-up (the first after a thinking defer fills it)."""
        interaction = self._webhook_interaction(request)
        body, files = _body(request), _files(request)
        original = interaction.original
        if (
            interaction.response_type == DEFERRED_CHANNEL_MESSAGE
            and original is not None
            and original.loading
            and not original.deleted
        ):
            self.emu.messages.edit(original, body, files)
            message = original
        else:
            message = self._interaction_message(
                interaction, body, files, (body.get("flags") or 0) & CREATE_FLAGS
            )
            interaction.followup_ids.append(message.id)
        interaction.webhook_requests += 1
        if request.query.get("wait") in TRUE:
            return _json(message.payload())
        return web.Response(status=204)

    async def get_webhook_message(self, request: web.Request) -> web.Response:
        """``GET /webhooks/{app}/{token}/messages/{@original|id}``."""
        interaction = self._webhook_interaction(request)
        return _json(self._webhook_message(request, interaction).payload())

    async def edit_webhook_message(self, request: web.Request) -> web.Response:
        """``PATCH /webhooks/{app}/{token}/messages/{@original|id}``."""
        interaction = self._webhook_interaction(request)
        message = self._webhook_message(request, interaction)
        self.emu.messages.edit(message, _body(request), _files(request))
        interaction.webhook_requests += 1
        return _json(message.payload())

    async def delete_webhook_message(self, request: web.Request) -> web.Response:
        """``DELETE /webhooks/{app}/{token}/messages/{@original|id}``."""
        interaction = self._webhook_interaction(request)
        self.emu.messages.delete(self._webhook_message(request, interaction))
        interaction.webhook_requests += 1
        return web.Response(status=204)

    # channels ----------------------------------------------------------------------------------

    def _channel(self, request: web.Request) -> Channel:
        channel = self.emu.find_channel(_snowflake(request.match_info["channel_id"]))
        if channel is None:
            raise fail(UNKNOWN_CHANNEL)
        return channel

    async def get_channel(self, request: web.Request) -> web.Response:
        """``GET /channels/{id}``."""
        return _json(self._channel(request).payload())

    async def create_channel_message(self, request: web.Request) -> web.Response:
        """``POST /channels/{id}/messages``: the bot posts in a channel."""
        channel = self._channel(request)
        body = _body(request)
        message = self.emu.messages.create(
            channel_id=channel.id,
            guild_id=channel.guild_id,
            author=self.emu.bot_user,
            body=body,
            files=_files(request),
            flags=(body.get("flags") or 0) & CREATE_FLAGS & ~EPHEMERAL,
            type=19 if body.get("message_reference") else 0,
        )
        return _json(message.payload())

    def _channel_message(self, request: web.Request) -> StoredMessage:
        channel = self._channel(request)
        return self.emu.messages.get(_snowflake(request.match_info["message_id"]), channel.id)

    async def get_channel_message(self, request: web.Request) -> web.Response:
        """``GET /channels/{id}/messages/{id}``."""
        return _json(self._channel_message(request).payload())

    async def edit_channel_message(self, request: web.Request) -> web.Response:
        """``PATCH /channels/{id}/messages/{id}``."""
        message = self._channel_message(request)
        self.emu.messages.edit(message, _body(request), _files(request))
        return _json(message.payload())

    async def delete_channel_message(self, request: web.Request) -> web.Response:
        """``DELETE /channels/{id}/messages/{id}``."""
        self.emu.messages.delete(self._channel_message(request))
        return web.Response(status=204)

    async def get_attachment(self, request: web.Request) -> web.Response:
        """The CDN: an attachment's bytes."""
        attachment = self.emu.messages.attachments.get(_snowflake(request.match_info["attachment_id"]))
        if attachment is None:
            raise web.HTTPNotFound()
        return web.Response(body=attachment.data, content_type=attachment.content_type)
