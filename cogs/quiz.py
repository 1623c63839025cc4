"""``/quiz`` and ``/progress``: questions about the class's own model, answered privately, and each student's
record by misconception with a review of their misses.

A quiz message carries answer buttons A-D and, for instructors, **Results** and **Reveal**. Their
custom_ids are ``qz:<quiz id>:<0-3|r|v>``; the store keeps the question whole and each student's one answer,
so presses work after a restart and no press needs the model again. **Review my misses** buttons are
``rv:<position>:<n|e>``: show the presser's miss at that position in a new private message (``n``) or in the
one pressed (``e``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.regression.errors import UserInputError
from bot.regression.questions import KINDS, LETTERS, MISCONCEPTIONS, Question
from bot.store import Answered, Miss, Quiz
from cogs._instructors import is_instructor, who_can
from cogs._items import ReportedItem
from cogs._options import DatasetArg, FormulaArg
from cogs._reading import dataset_name
from cogs._render import COLOUR, clip

if TYPE_CHECKING:
    from bot.app import RegressionBot

RIGHT, WRONG = discord.Colour.green(), discord.Colour.red()
BAR = 12


def _footer(question: Question) -> str:
    """Which model the question is about."""
    return f"{dataset_name(question.dataset)} · {question.formula}"


def quiz_embed(question: Question, revealed: bool) -> discord.Embed:
    """The public quiz message: the question and its options (with the answer once revealed)."""
    embed = discord.Embed(
        title=clip(f"Quiz: {KINDS[question.kind]}", 256),
        description=clip(f"{question.prompt}\n\n{question.options_text()}", 4096),
        colour=COLOUR,
    )
    if revealed:
        right = question.answer
        embed.add_field(name="Answer", value=clip(f"**{LETTERS[right]}**, revealed below.", 1024))
        embed.set_footer(text=clip(f"{_footer(question)} · answers are closed", 2048))
    else:
        embed.set_footer(text=clip(f"{_footer(question)} · your answer is private; one per student", 2048))
    return embed


def quiz_view(quiz_id: int, revealed: bool) -> discord.ui.View:
    """Answer buttons A-D (closed once revealed), then Results and Reveal for instructors."""
    view = discord.ui.View(timeout=None)
    for i in range(len(LETTERS)):
        view.add_item(QuizButton(quiz_id, str(i), disabled=revealed))
    view.add_item(QuizButton(quiz_id, "r"))
    view.add_item(QuizButton(quiz_id, "v", disabled=revealed))
    return view


def answer_embed(question: Question, answered: Answered) -> discord.Embed:
    """A student's private answer: right or wrong, and why (their first answer if they pressed again)."""
    title, body = question.verdict(answered.choice)
    if not answered.first:
        body = f"You answered **{LETTERS[answered.choice]}** already: one answer per question.\n\n{body}"
    elif not answered.counted:
        body = f"The answer was revealed before you pressed, so this is not counted.\n\n{body}"
    embed = discord.Embed(
        title=title,
        description=clip(body, 4096),
        colour=RIGHT if question.options[answered.choice].correct else WRONG,
    )
    embed.set_footer(text=clip(_footer(question), 2048))
    return embed


def _tally(question: Question, counts: list[int]) -> str:
    """One line per option: how many chose it, as a bar, the right one marked."""
    most = max(counts) or 1
    lines = [
        f"**{LETTERS[i]}.** `{'█' * round(BAR * count / most):<{BAR}}` {count}"
        + (" ✅" if option.correct else "")
        for i, (option, count) in enumerate(zip(question.options, counts, strict=True))
    ]
    total = sum(counts)
    right = counts[question.answer]
    share = f" ({round(100 * right / total)} %)" if total else ""
    lines.append(f"{total} answered; {right} right{share}.")
    return "\n".join(lines)


def results_embed(quiz: Quiz, counts: list[int]) -> discord.Embed:
    """The instructor's private view of how the class answered."""
    question = quiz.question
    embed = discord.Embed(
        title="Results so far" if not quiz.revealed else "Results",
        description=clip(f"{question.prompt}\n\n{_tally(question, counts)}", 4096),
        colour=COLOUR,
    )
    embed.set_footer(text=clip(_footer(question), 2048))
    return embed


def reveal_embed(question: Question, counts: list[int]) -> discord.Embed:
    """The answer and its explanation, posted in the channel."""
    right = question.answer
    body = f"**{LETTERS[right]}.** {question.options[right].text}\n\n{question.explanation}\n\n{_tally(question, counts)}"
    embed = discord.Embed(title=f"The answer: {LETTERS[right]}", description=clip(body, 4096), colour=RIGHT)
    embed.set_footer(text=clip(_footer(question), 2048))
    return embed


def _may_manage(interaction: discord.Interaction[RegressionBot], quiz: Quiz, what: str) -> None:
    """Instructors see results and reveal; in direct messages, whoever asked for the quiz."""
    if is_instructor(interaction) or (interaction.guild is None and interaction.user.id == quiz.posted_by):
        return
    raise app_commands.CheckFailure(
        f"Only instructors can {what}: {who_can(interaction)}. Your own answer is private to you."
    )


class QuizButton(ReportedItem[discord.ui.Button[Any]], template=r"qz:(?P<id>\d{1,18}):(?P<what>[0-3rv])"):
    """An answer (``0``-``3``), **Results** (``r``) or **Reveal** (``v``)."""

    def __init__(self, quiz_id: int, what: str, disabled: bool = False) -> None:
        label = {"r": "Results", "v": "Reveal"}.get(what) or LETTERS[int(what)]
        style = discord.ButtonStyle.primary if what.isdigit() else discord.ButtonStyle.secondary
        super().__init__(
            discord.ui.Button(label=label, style=style, custom_id=f"qz:{quiz_id}:{what}", disabled=disabled)
        )
        self.quiz_id, self.what = quiz_id, what

    @classmethod
    def from_match(cls, match: re.Match[str]) -> QuizButton:
        return cls(int(match["id"]), match["what"])

    async def respond(self, interaction: discord.Interaction[RegressionBot]) -> None:
        store = interaction.client.store
        quiz = await store.quiz(self.quiz_id)
        if quiz is None:
            raise UserInputError("This quiz is no longer available; ask for a new one with /quiz.")
        if self.what.isdigit():
            answered = await store.answer_quiz(quiz.id, interaction.user.id, int(self.what))
            await interaction.response.send_message(
                embed=answer_embed(quiz.question, answered), ephemeral=True
            )
            return
        _may_manage(interaction, quiz, "see the results" if self.what == "r" else "reveal the answer")
        options = len(quiz.question.options)
        if self.what == "r":
            counts = await store.quiz_counts(quiz.id, options)
            await interaction.response.send_message(embed=results_embed(quiz, counts), ephemeral=True)
            return
        if not await store.reveal_quiz(quiz.id):
            raise UserInputError("This answer has been revealed already (see below the quiz).")
        counts = await store.quiz_counts(quiz.id, options)
        await interaction.response.edit_message(
            embed=quiz_embed(quiz.question, revealed=True), view=quiz_view(quiz.id, revealed=True)
        )
        await interaction.followup.send(embed=reveal_embed(quiz.question, counts))


def _progress_text(rows: dict[str, tuple[int, int, int, int]]) -> str:
    """One line per misconception met: quiz answers right, check lines passed."""
    lines = []
    for key, label in MISCONCEPTIONS.items():
        if key not in rows:
            continue
        quiz_right, quiz_total, passed, checked = rows[key]
        parts = []
        if quiz_total:
            parts.append(f"quizzes {quiz_right}/{quiz_total} right")
        if checked:
            parts.append(f"reading checks {passed}/{checked} passed")
        mark = "✅" if quiz_right + passed == quiz_total + checked else "🔁"
        lines.append(f"{mark} **{label}**: {', '.join(parts)}")
    return "\n".join(lines)


def review_embed(miss: Miss, position: int, total: int) -> discord.Embed:
    """One missed question again: the question, what was chosen and why it was wrong, the worked solution."""
    question = miss.question
    title, verdict = question.verdict(miss.choice)
    body = f"{question.prompt}\n\n{question.options_text()}\n\n{verdict}\n\n**Worked solution.** {question.explanation}"
    embed = discord.Embed(
        title=clip(f"Miss {position + 1} of {total}: {KINDS[question.kind]}", 256),
        description=clip(body, 4096),
        colour=WRONG,
    )
    embed.set_footer(text=clip(f"{_footer(question)} · {title}", 2048))
    return embed


def review_view(position: int, total: int) -> discord.ui.View:
    """Previous and next miss (editing the review in place)."""
    view = discord.ui.View(timeout=None)
    view.add_item(ReviewButton(position - 1, "e", "◀ Previous miss", disabled=position == 0))
    view.add_item(ReviewButton(position + 1, "e", "Next miss ▶", disabled=position >= total - 1))
    return view


class ReviewButton(ReportedItem[discord.ui.Button[Any]], template=r"rv:(?P<at>\d{1,4}):(?P<how>[ne])"):
    """**Review my misses** (a new private message) and its previous / next buttons (in place)."""

    def __init__(
        self, position: int, how: str, label: str = "Review my misses", disabled: bool = False
    ) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.primary,
                custom_id=f"rv:{max(position, 0)}:{how}",
                disabled=disabled,
            )
        )
        self.position, self.how = max(position, 0), how

    @classmethod
    def from_match(cls, match: re.Match[str]) -> ReviewButton:
        return cls(int(match["at"]), match["how"])

    async def respond(self, interaction: discord.Interaction[RegressionBot]) -> None:
        misses = await interaction.client.store.misses(interaction.user.id)
        if not misses:
            raise UserInputError(
                "You have no missed quiz questions to review: every answer you gave was right."
            )
        position = min(self.position, len(misses) - 1)
        embed = review_embed(misses[position], position, len(misses))
        view = review_view(position, len(misses))
        if self.how == "e":
            await interaction.response.edit_message(embed=embed, view=view)
        else:
            await interaction.response.send_message(embed=embed, view=view, ephemeral=True)


class Practice(commands.Cog):
    """Quizzes about a fitted model, and each student's progress."""

    @app_commands.command(
        name="quiz", description="Post a question about a model; everyone answers privately"
    )
    @app_commands.describe(
        dataset="The dataset the model is fitted on",
        formula="The model, e.g. score ~ lesson + completed",
        kind="What to ask (default: any kind that fits the model)",
    )
    @app_commands.choices(kind=[app_commands.Choice(name=label, value=key) for key, label in KINDS.items()])
    async def quiz(
        self,
        interaction: discord.Interaction[RegressionBot],
        dataset: DatasetArg,
        formula: FormulaArg,
        kind: app_commands.Choice[str] | None = None,
    ) -> None:
        bot = interaction.client
        user = interaction.user.id
        args = (dataset.ref, formula, kind.value if kind else None, interaction.id % 2**32)
        asked = bot.engine.submit("quiz_question", *args, user=user)
        await interaction.response.defer(thinking=True)
        question = await asked
        channel = interaction.channel_id or 0
        quiz_id = await bot.store.post_quiz(interaction.guild_id, channel, user, question)
        await interaction.edit_original_response(
            embed=quiz_embed(question, revealed=False), view=quiz_view(quiz_id, revealed=False)
        )

    @app_commands.command(name="progress", description="How you did in quizzes and reading checks (private)")
    async def progress(self, interaction: discord.Interaction[RegressionBot]) -> None:
        store = interaction.client.store
        user = interaction.user.id
        rows = {
            p.misconception: (p.quiz_right, p.quiz_total, p.checks_passed, p.checks_total)
            for p in await store.progress(user)
        }
        misses = await store.misses(user)
        text = _progress_text(rows) or (
            "Nothing yet. Answer a quiz (`/quiz`) or check your reading of a coefficient (`/interpret`, or "
            "**Check my reading** on a walkthrough's “What the numbers mean” page)."
        )
        if misses:
            text += f"\n\nYou missed {len(misses)} quiz question{'s' if len(misses) != 1 else ''}: review them below."
        embed = discord.Embed(title="Your progress", description=clip(text, 4096), colour=COLOUR)
        embed.set_footer(text="✅ all right so far · 🔁 worth another look")
        view = discord.ui.View(timeout=None)
        if misses:
            view.add_item(ReviewButton(0, "n"))
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    """Load the cog and its persistent buttons."""
    bot.add_dynamic_items(QuizButton, ReviewButton)
    await bot.add_cog(Practice())
