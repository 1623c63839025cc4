"""The offline command line: the same explanations as the Discord bot, printed to the terminal.

``python -m bot datasets | describe | fit | predict | compare | interpret | quiz`` — no token, no network.
Wherever a
dataset is asked for, the path of a CSV file works too (``python -m bot fit grades.csv "grade ~ hours"``),
checked with the same rules and messages as an instructor's upload.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.regression import jobs
from bot.regression.describe import dataset_list_markdown
from bot.regression.errors import UserInputError
from bot.regression.jobs import Page
from bot.regression.questions import KINDS, LETTERS

OFFLINE_COMMANDS = ("datasets", "describe", "fit", "predict", "compare", "interpret", "quiz")
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
    interpret = sub.add_parser("interpret", help="check your reading of one coefficient against the fit")
    interpret.add_argument("dataset", help=DATASET_HELP)
    interpret.add_argument("formula")
    interpret.add_argument("term", help="the coefficient, e.g. completed or lesson")
    interpret.add_argument("sentence", help="what you think it means")
    quiz = sub.add_parser("quiz", help="a multiple-choice question about a model; --answer checks yours")
    quiz.add_argument("dataset", help=DATASET_HELP)
    quiz.add_argument("formula")
    quiz.add_argument(
        "--kind", choices=tuple(KINDS), default=None, help="what to ask (default: any that fits)"
    )
    quiz.add_argument("--seed", type=int, default=None, help="which question (printed with each one)")
    quiz.add_argument("--answer", choices=tuple(LETTERS), default=None, help="your answer: A, B, C or D")
    return parser


def _quiz(ref: str, formula: str, kind: str | None, seed: int | None, answer: str | None) -> None:
    """Print a quiz question; with ``answer``, also the verdict on it and the worked solution."""
    seed = secrets.randbelow(2**32) if seed is None else seed
    question = jobs.quiz_question(ref, formula, kind, seed)
    print(f"=== Quiz: {KINDS[question.kind]} (seed {seed}) ===\n")
    print(terminal_text(f"{question.prompt}\n\n{question.options_text()}"))
    if answer is None:
        again = f"--seed {seed}" + (f" --kind {kind}" if kind else "")
        print(f"\nYour answer? Run the same command with {again} --answer A (or B, C, D).")
        return
    title, body = question.verdict(LETTERS.index(answer))
    print(f"\n=== {title} ===\n")
    print(terminal_text(body))
    print("\n=== Worked solution ===\n")
    print(terminal_text(question.explanation))


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
        elif args.command == "interpret":
            ref = jobs.dataset(dataset_ref(args.dataset)).ref
            step, index, _ = jobs.interpretation(ref, args.formula, args.term, args.sentence)
            print(f"=== {step.title} ===\n")
            print(terminal_text(step.body))
            for what in ("answer", "why"):
                helped = jobs.interpretation_help(ref, args.formula, index, what)
                print(f"\n=== {helped.title} ===\n")
                print(terminal_text(helped.body))
        elif args.command == "quiz":
            ref = jobs.dataset(dataset_ref(args.dataset)).ref
            _quiz(ref, args.formula, args.kind, args.seed, args.answer)
    except UserInputError as error:
        print(f"error: {error.render()}", file=sys.stderr)
        return 1
    return 0
