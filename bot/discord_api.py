"""Point discord.py at a configurable Discord API base URL, REST and gateway alike.

discord.py 2.7 builds every REST URL (including interaction callbacks and webhook follow-ups)
from the class attribute ``discord.http.Route.BASE``, and a plain ``Client``/``commands.Bot``
dials ``DiscordWebSocket.DEFAULT_GATEWAY`` (``wss://gateway.discord.gg/``) for its first
connection and whenever an invalidated session sends it back there; RESUMEs use the
``resume_gateway_url`` from READY. An ``AutoShardedClient`` given a ``shard_count`` dials
``DEFAULT_GATEWAY`` for every shard too (without one it asks ``GET /gateway/bot`` itself).
Discord asks clients to take the gateway address from ``GET /gateway/bot`` instead, which is
what :class:`ApiGatewayMixin` does, for plain and sharded clients alike. Together they let the
bot talk to a test emulator (or a proxy) given only the API base URL from the configuration::

    class RegressionBot(ApiGatewayMixin, commands.Bot): ...

    use_api_base_url(config.api_base_url)
    await RegressionBot(...).start(token)

Both settings are process-wide, because discord.py keeps them on classes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
import yarl
from discord.gateway import DiscordWebSocket

if TYPE_CHECKING:
    _ClientBase = discord.Client
else:
    _ClientBase = object


def use_api_base_url(base_url: str) -> None:
    """Send every discord.py REST request to ``base_url`` (e.g. ``https://discord.com/api/v10``)."""
    discord.http.Route.BASE = base_url.rstrip("/")


async def gateway_from_api(client: discord.Client) -> yarl.URL:
    """Ask the API for the gateway address (``GET /gateway/bot``) and make discord.py dial it.

    Raises :class:`discord.GatewayNotFound` when the API does not answer.
    """
    _shards, url, _limits = await client.http.get_bot_gateway()
    gateway = yarl.URL(url)
    DiscordWebSocket.DEFAULT_GATEWAY = gateway
    return gateway


class ApiGatewayMixin(_ClientBase):
    """A ``discord.Client`` mixin whose gateway address comes from the configured API.

    Put it before the client class: ``class MyBot(ApiGatewayMixin, commands.Bot)``.
    """

    async def connect(self, *, reconnect: bool = True) -> None:
        """Look the gateway up with ``GET /gateway/bot``, then connect as discord.py does."""
        await gateway_from_api(self)
        await super().connect(reconnect=reconnect)
