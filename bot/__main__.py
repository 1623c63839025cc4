"""``python -m bot``: run the Discord bot; ``python -m bot sync``: sync commands globally;
``python -m bot worker``: run a Celery worker for ``[workers] backend = "celery"`` (no token needed);
``python -m bot datasets|describe|fit|predict|compare``: the offline CLI (no token needed)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from pathlib import Path

from bot.cli import OFFLINE_COMMANDS, run
from bot.config import Config, ConfigError, load, parse_shard_ids

log = logging.getLogger("bot")

NO_TOKEN = """\
No Discord token found.

Put it in config.toml (copy config.example.toml; the key is [discord] token) or set DISCORD_TOKEN.
Get one at https://discord.com/developers/applications: New Application -> Bot -> Reset Token.
See README.md, "Running the Discord bot".

No token needed to try the explanations offline:
    python -m bot fit codecademy "score ~ lesson + completed"
"""


def _shard_ids(text: str) -> tuple[int, ...]:
    """``--shard-ids 0,1`` as a tuple (argparse reports the message of a mistake)."""
    try:
        return parse_shard_ids(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _arguments(argv: list[str]) -> argparse.Namespace:
    """``[sync|worker] [--config PATH] [--shard-count N] [--shard-ids 0,1] [--concurrency N]``."""
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Run the regression office-hours Discord bot. Offline commands: "
        + ", ".join(OFFLINE_COMMANDS),
    )
    parser.add_argument(
        "action",
        nargs="?",
        choices=("run", "sync", "worker"),
        default="run",
        help="run the bot (default), sync the slash commands globally and exit, or run a Celery worker "
        'for [workers] backend = "celery"',
    )
    parser.add_argument(
        "--config", type=Path, default=Path("config.toml"), help="TOML file (default: config.toml)"
    )
    parser.add_argument(
        "--shard-count",
        type=int,
        metavar="N",
        help="how many shards all the bot's processes run together (overrides [discord] shard_count)",
    )
    parser.add_argument(
        "--shard-ids",
        type=_shard_ids,
        metavar="0,1",
        help="the shards this process runs (overrides [discord] shard_ids; needs a shard count)",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        metavar="N",
        help="worker: how many jobs it runs at once, one child process each (default: [workers] processes)",
    )
    return parser.parse_args(argv)


def _worker(config: Config, concurrency: int | None) -> int:
    """``python -m bot worker``: a Celery worker for the bots configured like ``config``."""
    if config.workers.backend != "celery":
        print(
            'error: python -m bot worker needs [workers] backend = "celery" and broker = "redis://host:6379/0" '
            "(see config.example.toml)",
            file=sys.stderr,
        )
        return 2
    if concurrency is not None and concurrency < 1:
        print("error: --concurrency must be at least 1", file=sys.stderr)
        return 2
    from bot.celery_worker import serve

    serve(config, concurrency or config.workers.processes)
    return 0


async def _serve(config: Config, action: str) -> None:
    """Run (or sync) until stopped; SIGTERM and Ctrl-C close the bot and its workers cleanly."""
    import discord

    from bot.app import create_bot

    bot = create_bot(config, start_workers=action == "run", open_store=action == "run")
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, lambda: asyncio.ensure_future(bot.close()))
    async with bot:
        try:
            if action == "sync":
                await bot.login(config.discord.token)
                synced = await bot.tree.sync()
                log.info("synced %d global commands (they can take up to an hour to appear)", len(synced))
                return
            await bot.start(config.discord.token)
        except discord.LoginFailure:
            log.error("Discord rejected the token. Check [discord] token or DISCORD_TOKEN.")
            raise SystemExit(2) from None
        finally:
            await bot.close()


def main(argv: list[str]) -> int:
    """Dispatch to the offline CLI or run the Discord bot."""
    if argv and argv[0] in OFFLINE_COMMANDS:
        return run(argv)
    args = _arguments(argv)
    try:
        config = load(args.config, shard_count=args.shard_count, shard_ids=args.shard_ids)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.action == "worker":
        return _worker(config, args.concurrency)
    if not config.discord.token:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    import discord.utils

    discord.utils.setup_logging(level=logging.INFO)
    asyncio.run(_serve(config, args.action))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
