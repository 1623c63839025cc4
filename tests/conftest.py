"""Shared fixtures: the loopback Discord emulator, and a factory for the real bot pointed at it."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")

from bot.app import RegressionBot, create_bot
from bot.config import Config, DiscordConfig, StorageConfig, WorkerConfig
from tests.emulator.emulator import DiscordEmulator
from tests.emulator.fixtures import emulator, run_bot  # noqa: F401


def make_bot(
    emu: DiscordEmulator,
    database: Path,
    *,
    processes: int = 2,
    job_timeout: float = 20.0,
    **sections: object,
) -> RegressionBot:
    """The production bot class with a config that points at ``emu`` and syncs to its first guild.

    ``sections`` replace whole config sections, e.g. ``instructors=InstructorConfig(role_ids=(...,))``.
    """
    config = Config(
        discord=DiscordConfig(token=emu.token, api_base_url=emu.api_base_url, dev_guild_id=emu.guild.id),
        workers=WorkerConfig(
            processes=processes, job_timeout=job_timeout, jobs_per_user=10_000, draw_ahead=False
        ),
        storage=StorageConfig(database=str(database)),
    )
    return create_bot(dataclasses.replace(config, **sections))
