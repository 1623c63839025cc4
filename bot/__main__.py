"""``python -m bot``: run the Discord bot, or an offline command (``datasets``, ``describe``, ``fit`` ...)."""

from __future__ import annotations

import sys

from bot.cli import OFFLINE_COMMANDS, run


def main(argv: list[str]) -> int:
    """Dispatch to the offline CLI (the Discord bot arrives with its own issue)."""
    if (argv and argv[0] in OFFLINE_COMMANDS) or argv[:1] in (["-h"], ["--help"]):
        return run(argv)
    return run(argv or ["--help"])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
