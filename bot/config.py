"""Configuration: a TOML file plus environment overrides, validated once at start-up.

``config.example.toml`` documents every key with its default. ``DISCORD_TOKEN``,
``DISCORD_API_BASE_URL``, ``DISCORD_SHARD_COUNT`` and ``DISCORD_SHARD_IDS`` (``0,1``) override the file;
``python -m bot --shard-count N --shard-ids 0,1`` overrides both (:func:`load`'s keyword arguments).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DEFAULT_API_BASE_URL = "https://discord.com/api/v10"


class ConfigError(Exception):
    """The configuration file or environment is wrong; the message says which key and why."""


@dataclass(frozen=True)
class DiscordConfig:
    """How to reach Discord (or a Discord-compatible server, such as the test emulator)."""

    token: str = ""
    api_base_url: str = DEFAULT_API_BASE_URL
    dev_guild_id: int | None = None
    shard_count: int | None = None
    shard_ids: tuple[int, ...] = ()

    def __repr__(self) -> str:
        return (
            f"DiscordConfig(token=<hidden>, api_base_url={self.api_base_url!r}, "
            f"dev_guild_id={self.dev_guild_id}, shard_count={self.shard_count}, shard_ids={self.shard_ids})"
        )

    @property
    def holds_shard_zero(self) -> bool:
        """Whether this process runs shard 0 or does not shard: then it is the one that syncs commands."""
        return not self.shard_ids or 0 in self.shard_ids


def _hide_password(url: str) -> str:
    """``url`` with its password (if any) replaced by ``<hidden>``."""
    parts = urlsplit(url)
    if parts.password is not None:
        user, _, host = parts.netloc.rpartition("@")
        parts = parts._replace(netloc=f"{user.partition(':')[0]}:<hidden>@{host}")
    return parts.geturl()


@dataclass(frozen=True)
class WorkerConfig:
    """The workers that fit and render off the event loop: this machine's process pool (``backend`` local),
    or Celery workers reached through the Redis server ``broker`` (``backend`` celery)."""

    backend: str = "local"
    broker: str = ""
    processes: int = 2
    job_timeout: float = 20.0
    cache_size: int = 256
    max_queue: int = 128
    jobs_per_user: int = 4
    draw_ahead: bool = True

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{f.name}={_hide_password(self.broker) if f.name == 'broker' else getattr(self, f.name)!r}"
            for f in fields(self)
        )
        return f"WorkerConfig({shown})"


@dataclass(frozen=True)
class InstructorConfig:
    """Who counts as an instructor besides members with Manage Server: members with one of these roles."""

    role_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class UploadConfig:
    """Limits on the CSV files instructors upload."""

    max_megabytes: float = 5.0
    max_rows: int = 100_000
    max_columns: int = 50


@dataclass(frozen=True)
class StorageConfig:
    """Where the bot keeps its state: the SQLite file ``database``, or, when ``url`` is set, PostgreSQL."""

    database: str = "var/bot.sqlite3"
    url: str = ""

    def __repr__(self) -> str:
        return f"StorageConfig(database={self.database!r}, url={_hide_password(self.url)!r})"


@dataclass(frozen=True)
class Config:
    """The whole configuration."""

    discord: DiscordConfig = field(default_factory=DiscordConfig)
    workers: WorkerConfig = field(default_factory=WorkerConfig)
    storage: StorageConfig = field(default_factory=StorageConfig)
    instructors: InstructorConfig = field(default_factory=InstructorConfig)
    uploads: UploadConfig = field(default_factory=UploadConfig)


def _section(cls: type, raw: Any, name: str) -> Any:
    """Build one section dataclass from a TOML table, checking key names and types."""
    if raw is None:
        return cls()
    if not isinstance(raw, Mapping):
        raise ConfigError(f"[{name}] must be a table")
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise ConfigError(f"unknown key(s) in [{name}]: {', '.join(unknown)} (see config.example.toml)")
    values = {}
    defaults = cls()
    for key, value in raw.items():
        default = getattr(defaults, key)
        expected = type(default) if default is not None else int
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if expected is tuple:
            if not isinstance(value, list) or not all(
                isinstance(v, int) and not isinstance(v, bool) for v in value
            ):
                raise ConfigError(f"[{name}] {key} must be a list of numbers (ids)")
            value = tuple(value)
        if not isinstance(value, expected) or isinstance(value, bool) != isinstance(default, bool):
            raise ConfigError(f"[{name}] {key} must be a {expected.__name__}, not {type(value).__name__}")
        values[key] = value
    return cls(**values)


def parse_shard_ids(text: str) -> tuple[int, ...]:
    """``"0,1"`` -> ``(0, 1)``; ValueError (with a message for the user) for anything else."""
    try:
        return tuple(int(part) for part in text.split(","))
    except ValueError:
        raise ValueError(f"must be shard numbers separated by commas, like 0,1 (not {text!r})") from None


def _environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """The [discord] keys the environment sets."""
    overrides: dict[str, Any] = {}
    if environ.get("DISCORD_TOKEN"):
        overrides["token"] = environ["DISCORD_TOKEN"].strip()
    if environ.get("DISCORD_API_BASE_URL"):
        overrides["api_base_url"] = environ["DISCORD_API_BASE_URL"].strip()
    if environ.get("DISCORD_SHARD_COUNT"):
        try:
            overrides["shard_count"] = int(environ["DISCORD_SHARD_COUNT"])
        except ValueError:
            raise ConfigError("DISCORD_SHARD_COUNT must be a whole number") from None
    if environ.get("DISCORD_SHARD_IDS"):
        try:
            overrides["shard_ids"] = parse_shard_ids(environ["DISCORD_SHARD_IDS"])
        except ValueError as exc:
            raise ConfigError(f"DISCORD_SHARD_IDS {exc}") from None
    return overrides


def _check_shards(discord: DiscordConfig) -> None:
    """shard_count at least 1; shard_ids only with it, each in range and listed once."""
    count, ids = discord.shard_count, discord.shard_ids
    if count is None:
        if ids:
            raise ConfigError(
                "[discord] shard_ids needs shard_count (how many shards all the bot's processes run together)"
            )
        return
    if count < 1:
        raise ConfigError("[discord] shard_count must be at least 1")
    outside = [shard for shard in ids if not 0 <= shard < count]
    if outside:
        raise ConfigError(
            f"[discord] shard_ids must be between 0 and {count - 1} (shard_count is {count}), not {outside[0]}"
        )
    if len(set(ids)) < len(ids):
        raise ConfigError("[discord] shard_ids lists a shard more than once")


def _check_storage(storage: StorageConfig) -> None:
    """``url``, when set, is a whole PostgreSQL URL (it is never quoted back: it may hold a password)."""
    if not storage.url:
        return
    example = "like postgresql://user@host:5432/dbname"
    parts = urlsplit(storage.url)
    if parts.scheme != "postgresql":
        raise ConfigError(
            f"[storage] url must be a PostgreSQL URL starting with postgresql://, {example} "
            "(for SQLite leave url out and set database to a file path)"
        )
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise ConfigError(f"[storage] url has a port that is not a number from 1 to 65535, {example}")
    if not parts.hostname:
        raise ConfigError(f"[storage] url needs the server's host, {example}")
    if not parts.path.strip("/"):
        raise ConfigError(f"[storage] url needs the database's name after the host, {example}")


def _check_backend(workers: WorkerConfig) -> None:
    """``backend`` is local or celery; celery needs ``broker``, a whole Redis URL (it is never quoted back:
    it may hold a password)."""
    if workers.backend not in ("local", "celery"):
        raise ConfigError(
            '[workers] backend must be "local" (worker processes on this machine) or "celery" (Celery '
            f"workers on any machine, reached through Redis), not {workers.backend!r}"
        )
    if workers.backend == "local":
        if workers.broker:
            raise ConfigError(
                '[workers] broker is used only with backend = "celery": set that too, or leave broker out'
            )
        return
    example = "like redis://host:6379/0"
    if not workers.broker:
        raise ConfigError(f'[workers] backend = "celery" needs broker, the Redis server\'s URL, {example}')
    parts = urlsplit(workers.broker)
    if parts.scheme not in ("redis", "rediss"):
        raise ConfigError(
            f"[workers] broker must be a Redis URL starting with redis:// (rediss:// for TLS), {example}"
        )
    try:
        reachable = bool(parts.hostname) and parts.port != 0
    except ValueError:
        reachable = False
    if not reachable:
        raise ConfigError(
            f"[workers] broker needs the Redis server's host and, if it has one, a port from 1 to 65535, {example}"
        )
    if not (parts.path.strip("/") or "0").isdigit():
        raise ConfigError(f"[workers] broker's database after the host must be a number, {example}")


def load(
    path: Path | None,
    environ: Mapping[str, str] | None = None,
    *,
    shard_count: int | None = None,
    shard_ids: Sequence[int] | None = None,
) -> Config:
    """Read ``path`` (missing file = defaults), apply environment overrides, validate.

    ``shard_count`` and ``shard_ids`` (the command line's) override the file and the environment.
    """
    environ = os.environ if environ is None else environ
    raw: dict[str, Any] = {}
    if path is not None and path.exists():
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    if "rate_limit" in raw:
        raise ConfigError(
            "[rate_limit] is gone: engine work is now shared fairly instead. Remove the section; "
            "[workers] jobs_per_user sets how many jobs one user may have running or waiting."
        )
    unknown = sorted(set(raw) - {f.name for f in fields(Config)})
    if unknown:
        raise ConfigError(f"unknown section(s): {', '.join(unknown)} (see config.example.toml)")
    discord = _section(DiscordConfig, raw.get("discord"), "discord")
    overrides = _environment(environ)
    if shard_count is not None:
        overrides["shard_count"] = shard_count
    if shard_ids is not None:
        overrides["shard_ids"] = tuple(shard_ids)
    discord = DiscordConfig(**{**{f.name: getattr(discord, f.name) for f in fields(discord)}, **overrides})
    if not discord.api_base_url.startswith(("http://", "https://")):
        raise ConfigError("[discord] api_base_url must start with http:// or https://")
    _check_shards(discord)
    workers = _section(WorkerConfig, raw.get("workers"), "workers")
    if not 1 <= workers.processes <= 32:
        raise ConfigError("[workers] processes must be between 1 and 32")
    if (
        workers.job_timeout <= 0
        or workers.max_queue < 1
        or workers.cache_size < 0
        or workers.jobs_per_user < 1
    ):
        raise ConfigError(
            "[workers] job_timeout, max_queue and jobs_per_user must be positive, cache_size at least 0"
        )
    _check_backend(workers)
    uploads = _section(UploadConfig, raw.get("uploads"), "uploads")
    if uploads.max_megabytes <= 0 or uploads.max_rows < 1 or uploads.max_columns < 2:
        raise ConfigError("[uploads] limits must be positive (and max_columns at least 2)")
    storage = _section(StorageConfig, raw.get("storage"), "storage")
    _check_storage(storage)
    return Config(
        discord=discord,
        workers=workers,
        storage=storage,
        instructors=_section(InstructorConfig, raw.get("instructors"), "instructors"),
        uploads=uploads,
    )
