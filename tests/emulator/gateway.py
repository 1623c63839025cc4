"""The emulated gateway: HELLO, IDENTIFY/READY, heartbeats, RESUME with replay, shards, and test controls.

Sharding follows Discord: IDENTIFY may carry ``shard: [shard_id, shard_count]`` (without it the
connection is shard 0 of 1), a guild belongs to shard ``(guild_id >> 22) % shard_count``, and events
without a guild (DMs) go to shard 0. One session per shard is current at a time: a new IDENTIFY for a
shard ends that shard's previous session (as a single bot's re-IDENTIFY does). A malformed or
out-of-range ``shard``, or a ``shard_count`` other than the one the other shards' live sessions use, is
closed with 4010 Invalid shard.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from tests.emulator.models import GatewayConnection, Heartbeat, Violation

if TYPE_CHECKING:
    from tests.emulator.emulator import DiscordEmulator

HELLO, HEARTBEAT, IDENTIFY, PRESENCE, VOICE_STATE = 10, 1, 2, 3, 4
RESUME, RECONNECT, REQUEST_MEMBERS, INVALID_SESSION, HEARTBEAT_ACK = 6, 7, 8, 9, 11

UNKNOWN_OPCODE, DECODE_ERROR, NOT_AUTHENTICATED, AUTHENTICATION_FAILED = 4001, 4002, 4003, 4004
ALREADY_AUTHENTICATED, INVALID_SHARD, INVALID_API_VERSION = 4005, 4010, 4012
# Closing with these ends the session: the bot must IDENTIFY again (RESUME gets op 9 false).
SESSION_ENDING_CODES = frozenset({1000, 4004, 4007, 4009, 4010, 4011, 4012, 4013, 4014})


class _Socket:
    """One websocket connection with its transport compression and its session, if any."""

    def __init__(self, ws: web.WebSocketResponse, info: GatewayConnection, compress: bool) -> None:
        self.ws = ws
        self.info = info
        self.session: GatewaySession | None = None
        self.closed_by_server = False
        self.ended = asyncio.Event()
        self._lock = asyncio.Lock()
        self._zlib = zlib.compressobj() if compress else None

    async def send(self, frame: dict[str, Any]) -> None:
        """Send one gateway frame (zlib-stream: compressed and ended with a Z_SYNC_FLUSH)."""
        text = json.dumps(frame)
        async with self._lock:
            if self.ws.closed:
                return
            try:
                if self._zlib is None:
                    await self.ws.send_str(text)
                else:
                    data = self._zlib.compress(text.encode()) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
                    await self.ws.send_bytes(data)
            except ConnectionError:
                return  # the bot is going away; dispatches stay in the session log for RESUME


def parse_shard(value: Any) -> tuple[int, int] | None:
    """IDENTIFY's ``shard`` as ``(shard_id, shard_count)``; absent is ``(0, 1)``, invalid is None."""
    if value is None:
        return 0, 1
    if not (isinstance(value, list) and len(value) == 2 and all(type(v) is int for v in value)):
        return None
    shard_id, shard_count = value
    return (shard_id, shard_count) if 0 <= shard_id < shard_count else None


@dataclass
class GatewaySession:
    """A gateway session: its shard, sequence, every dispatch sent (for RESUME replay) and live socket."""

    id: str
    shard: tuple[int, int] = (0, 1)
    sequence: int = 0
    log: list[dict[str, Any]] = field(default_factory=list)
    live: _Socket | None = None
    valid: bool = True
    ready: bool = False

    async def dispatch(self, event: str, data: Any) -> None:
        """Send (or, while disconnected, queue for replay) a DISPATCH with the next sequence number."""
        self.sequence += 1
        frame = {"op": 0, "t": event, "s": self.sequence, "d": data}
        self.log.append(frame)
        if self.live is not None:
            await self.live.send(frame)


class Gateway:
    """The websocket side of the emulator (``/gateway`` for IDENTIFY, ``/resume`` for RESUME)."""

    def __init__(self, emu: DiscordEmulator, heartbeat_interval_ms: int) -> None:
        self.emu = emu
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.connections: list[GatewayConnection] = []
        self.heartbeats: list[Heartbeat] = []
        self.identifies: list[dict[str, Any]] = []
        self.resumes: list[dict[str, Any]] = []
        self.sessions: dict[str, GatewaySession] = {}
        self.shards: dict[int, GatewaySession] = {}
        self.shard_count = 1
        self._sockets: list[_Socket] = []

    @property
    def session(self) -> GatewaySession | None:
        """The current session of shard 0 (the only one when the bot does not shard)."""
        return self.shards.get(0)

    def shard_of(self, guild_id: int | None) -> int:
        """The shard a guild's events go to (``(guild_id >> 22) % shard_count``); 0 without a guild."""
        return 0 if guild_id is None else (guild_id >> 22) % self.shard_count

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """Serve one websocket connection until either side closes it."""
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        info = GatewayConnection(len(self.connections) + 1, request.path, dict(request.query), self.emu.now())
        self.connections.append(info)
        compress = request.query.get("compress")
        sock = _Socket(ws, info, compress == "zlib-stream")
        self._sockets.append(sock)
        try:
            if request.query.get("v") != "10" or request.query.get("encoding", "json") != "json":
                await self._refuse(sock, INVALID_API_VERSION, "Invalid API version or encoding")
            elif compress not in (None, "zlib-stream"):
                await self._refuse(sock, DECODE_ERROR, f"Unsupported compression {compress}")
            else:
                await sock.send({"op": HELLO, "d": {"heartbeat_interval": self.heartbeat_interval_ms}})
                await self._serve(sock)
        finally:
            self._ended(sock)
        return ws

    async def _serve(self, sock: _Socket) -> None:
        async for message in sock.ws:
            if message.type is not WSMsgType.TEXT:
                await self._refuse(sock, DECODE_ERROR, "Gateway frames must be JSON text")
                return
            try:
                frame = json.loads(message.data)
            except ValueError:
                await self._refuse(sock, DECODE_ERROR, "Invalid JSON")
                return
            await self._on_frame(sock, frame)

    def _ended(self, sock: _Socket) -> None:
        if sock.info.close_code is None:
            sock.info.close_code = sock.ws.close_code
        session = sock.session
        if session is not None and session.live is sock:
            session.live = None
            if not sock.closed_by_server and sock.ws.close_code in (1000, 1001):
                session.valid = False
        self._sockets.remove(sock)
        sock.ended.set()
        self.emu.notify()

    async def _refuse(self, sock: _Socket, code: int, reason: str) -> None:
        """Record a gateway violation and close the connection with ``code``."""
        self.emu.violations.append(Violation("gateway", "WS", sock.info.path, code, {"message": reason}))
        sock.closed_by_server, sock.info.close_code = True, code
        await sock.ws.close(code=code, message=reason.encode())

    async def _on_frame(self, sock: _Socket, frame: Any) -> None:
        op = frame.get("op") if isinstance(frame, dict) else None
        data = frame.get("d") if isinstance(frame, dict) else None
        if op == HEARTBEAT:
            self.heartbeats.append(Heartbeat(self.emu.now(), data, sock.info.number))
            await sock.send({"op": HEARTBEAT_ACK, "d": None})
            self.emu.notify()
        elif op in (IDENTIFY, RESUME) and sock.session is not None:
            await self._refuse(sock, ALREADY_AUTHENTICATED, "Already authenticated")
        elif op in (IDENTIFY, RESUME) and (not isinstance(data, dict) or data.get("token") != self.emu.token):
            await self._refuse(sock, AUTHENTICATION_FAILED, "Authentication failed")
        elif op == IDENTIFY:
            await self._identify(sock, data)
        elif op == RESUME:
            await self._resume(sock, data)
        elif sock.session is None:
            await self._refuse(sock, NOT_AUTHENTICATED, "Not authenticated")
        elif op == REQUEST_MEMBERS:
            await self._send_members(sock.session, data)
        elif op not in (PRESENCE, VOICE_STATE):
            await self._refuse(sock, UNKNOWN_OPCODE, f"Unknown opcode {op}")

    async def _identify(self, sock: _Socket, data: dict[str, Any]) -> None:
        sock.info.opening = "identify"
        self.identifies.append(data)
        shard = parse_shard(data.get("shard"))
        if shard is None:
            await self._refuse(sock, INVALID_SHARD, "Invalid shard")
            return
        shard_id, shard_count = shard
        if shard_count != self.shard_count:
            if any(s.live is not None and s.valid for n, s in self.shards.items() if n != shard_id):
                reason = f"Invalid shard: the live shards use shard_count {self.shard_count}"
                await self._refuse(sock, INVALID_SHARD, reason)
                return
            for old in self.shards.values():  # a new layout: the old one's sessions cannot be resumed
                old.valid = False
            self.shards.clear()
            self.shard_count = shard_count
        if shard_id in self.shards:
            self.shards[shard_id].valid = False
        session = GatewaySession(secrets.token_hex(16), shard)
        self.sessions[session.id] = self.shards[shard_id] = session
        session.live, sock.session = sock, session
        guilds = [g for g in self.emu.guilds if self.shard_of(g.id) == shard_id]
        await session.dispatch("READY", self.emu.ready_payload(session.id, data.get("shard"), guilds))
        for guild in guilds:
            await session.dispatch("GUILD_CREATE", self.emu.guild_create_payload(guild))
        session.ready = True
        self.emu.notify()

    async def _resume(self, sock: _Socket, data: dict[str, Any]) -> None:
        sock.info.opening = "resume"
        self.resumes.append(data)
        session = self.sessions.get(str(data.get("session_id")))
        if session is None or not session.valid or session.live is not None:
            await sock.send({"op": INVALID_SESSION, "d": False})
            self.emu.notify()
            return
        sock.session = session
        seen = data.get("seq") or 0
        for frame in session.log:  # also reaches frames dispatched while replaying
            if frame["s"] > seen:
                await sock.send(frame)
        session.live = sock
        await session.dispatch("RESUMED", {})
        self.emu.notify()

    async def _send_members(self, session: GatewaySession, data: Any) -> None:
        request = data if isinstance(data, dict) else {}
        for guild in self.emu.guilds:
            if str(guild.id) == str(request.get("guild_id")) and self.shard_of(guild.id) == session.shard[0]:
                chunk = {
                    "guild_id": str(guild.id),
                    "members": self.emu.members_payload(),
                    "chunk_index": 0,
                    "chunk_count": 1,
                    "not_found": [],
                }
                if "nonce" in request:
                    chunk["nonce"] = request["nonce"]
                await session.dispatch("GUILD_MEMBERS_CHUNK", chunk)

    def live_socket(self, shard: int = 0) -> _Socket:
        """The connection of ``shard``'s current session (raises if that shard is not connected)."""
        session = self.shards.get(shard)
        if session is None or session.live is None:
            raise RuntimeError(f"the bot has no live gateway connection for shard {shard}")
        return session.live

    async def dispatch(self, event: str, data: Any, *, shard: int | None = None) -> None:
        """Dispatch an event to a shard's current session (queued for RESUME while it is disconnected).

        Without ``shard`` the event goes where Discord sends it: the shard of ``data["guild_id"]``,
        shard 0 without one.
        """
        if shard is None:
            guild_id = data.get("guild_id") if isinstance(data, dict) else None
            shard = self.shard_of(None if guild_id is None else int(guild_id))
        session = self.shards.get(shard)
        if session is None or not session.valid:
            raise RuntimeError(f"the bot has no gateway session for shard {shard}")
        await session.dispatch(event, data)

    async def disconnect(self, code: int, *, end_session: bool | None = None, shard: int = 0) -> None:
        """Close ``shard``'s live connection with ``code``; end the session too for non-resumable codes."""
        sock = self.live_socket(shard)
        assert sock.session is not None
        if end_session if end_session is not None else code in SESSION_ENDING_CODES:
            sock.session.valid = False
        sock.closed_by_server, sock.info.close_code = True, code
        await sock.ws.close(code=code, message=b"closed by the emulator")
        await sock.ended.wait()

    async def send_op(self, op: int, data: Any, *, end_session: bool = False, shard: int = 0) -> None:
        """Send a raw opcode (7 RECONNECT, 9 INVALID_SESSION) on ``shard``'s live connection."""
        sock = self.live_socket(shard)
        if end_session and sock.session is not None:
            sock.session.valid = False
        await sock.send({"op": op, "d": data})

    async def close_all(self) -> None:
        """Close every open connection (going away)."""
        for sock in list(self._sockets):
            sock.closed_by_server = True
            await sock.ws.close(code=1001, message=b"emulator stopping")
