"""The offline command line: the same explanations as the Discord bot, printed to the terminal.

``python -m bot datasets | describe | fit | predict | compare`` — no token, no network. Wherever a
dataset is asked for, the path of a CSV file works too (``python -m bot fit grades.csv "grade ~ hours"``),
checked with the same rules and messages as an instructor's upload.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.regression import jobs
from bot.regression.describe import dataset_list_markdown
from bot.regression.errors import UserInputError
from bot.regression.jobs import Page

OFFLINE_COMMANDS = ("datasets", "describe", "fit", "predict", "compare")
DATASET_HELP = "a bundled dataset's name, or the path of a CSV file"


def terminal_text(markdown: str) -> str:
    """Discord markdown made readable in a terminal: code fences dropped, emphasis markers removed."""
    text = re.sub(r"```[a-z]*\n?", "", markdown)
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", text)
    return text.rstrip()


def _print_pages(pages: Sequence[Page], out: Path | None) -> None:
    """Print each page and write its figure into ``out``."""
    total = len(pages)
    for number, page in enumerate(pages, start=1):
        print(f"\n=== Step {number}/{total}: {page.step.title} ===\n")
        print(terminal_text(page.step.body))
        if page.figure is not None and out is not None:
            out.mkdir(parents=True, exist_ok=True)
            path = out / page.figure.filename
            path.write_bytes(page.figure.png)
            print(f"\n[figure: {path}]\n[alt text: {page.figure.alt_text}]")


def dataset_ref(text: str) -> str:
    """The engine's ref for a dataset argument: a CSV file's ``file:<path>`` when ``text`` is a path.

    A dataset's name never holds a dot or a slash, so text with either is a path.
    """
    if "." in text or "/" in text or os.sep in text:
        return f"file:{Path(text).expanduser().resolve()}"
    return text


def _parser() -> argparse.ArgumentParser:
    """The offline CLI's arguments."""
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Teach linear regression offline: the Discord bot's explanations in your terminal.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("datasets", help="list the bundled datasets")
    describe = sub.add_parser(
        "describe", help="columns, summary statistics and example formulas of a dataset"
    )
    describe.add_argument("dataset", help=DATASET_HELP)
    describe.add_argument("--out", type=Path, default=None, help="write the figures into this folder")
    fit = sub.add_parser("fit", help="fit a formula and print the step-by-step walkthrough")
    fit.add_argument("dataset", help=DATASET_HELP)
    fit.add_argument("formula")
    fit.add_argument("--out", type=Path, default=Path("out"), help="folder for the figures (default: out)")
    fit.add_argument("--theme", choices=("light", "dark"), default="light")
    predict = sub.add_parser("predict", help="predict from name=value pairs, with the arithmetic shown")
    predict.add_argument("dataset", help=DATASET_HELP)
    predict.add_argument("formula")
    predict.add_argument("values", nargs="*", help="e.g. completed=35 'lesson=Lesson A'")
    compare = sub.add_parser("compare", help="compare two formulas side by side")
    compare.add_argument("dataset", help=DATASET_HELP)
    compare.add_argument("first")
    compare.add_argument("second")
    compare.add_argument("--out", type=Path, default=None, help="write the figures into this folder")
    return parser


def run(argv: Sequence[str]) -> int:
    """Run one offline command; user mistakes print one clear message on stderr and return 1."""
    args = _parser().parse_args(argv)
    theme = getattr(args, "theme", "light")
    try:
        if args.command == "datasets":
            print(terminal_text(dataset_list_markdown(jobs.registry().all())))
        elif args.command == "describe":
            _print_pages(jobs.describe_pages(dataset_ref(args.dataset), theme), args.out)
        elif args.command == "fit":
            ref = jobs.dataset(dataset_ref(args.dataset)).ref
            count = len(jobs.walkthrough(ref, args.formula))
            pages = [jobs.walkthrough_page(ref, args.formula, i, theme)[0] for i in range(count)]
            _print_pages(pages, args.out)
        elif args.command == "predict":
            step = jobs.prediction(dataset_ref(args.dataset), args.formula, " ".join(args.values))
            print(f"{step.title}\n")
            print(terminal_text(step.body))
        elif args.command == "compare":
            ref = dataset_ref(args.dataset)
            _print_pages(jobs.compare_pages(ref, args.first, args.second, theme), args.out)
    except UserInputError as error:
        print(f"error: {error.render()}", file=sys.stderr)
        return 1
    return 0
