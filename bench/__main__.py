"""``python -m bench``: see ``bench.cli``."""

import logging
import sys

from bench.cli import main

logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
logging.getLogger("discord.client").setLevel(logging.ERROR)  # no voice support: not news
sys.exit(main())
