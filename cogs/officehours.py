"""Office hours: ``/officehours start|end``, ``/ask``, ``/queue`` with Next / Skip / Answered buttons."""

from __future__ import annotations

import re
import statistics
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.regression.errors import UserInputError
from bot.store import Question, Session
from cogs._instructors import instructors_only, is_instructor, who_can
from cogs._items import ReportedItem
from cogs._render import COLOUR, clip

if TYPE_CHECKING:
    from bot.app import RegressionBot

MENTION_ASKER = discord.AllowedMentions(everyone=False, roles=False, users=True)


async def _open_session(interaction: discord.Interaction[RegressionBot]) -> Session:
    """The session open in this channel, or a friendly error."""
    session = await interaction.client.store.open_session_in(interaction.channel_id or 0)
    if session is None:
        raise UserInputError(
            "No office hours are open in this channel.",
            "An instructor starts them with `/officehours start`.",
        )
    return session


def _minutes(seconds: float) -> str:
    """``3 min`` / ``45 s``."""
    return f"{seconds / 60:.0f} min" if seconds >= 90 else f"{seconds:.0f} s"


def queue_embed(session: Session, questions: list[Question]) -> discord.Embed:
    """The queue: the question being answered, then those waiting in order."""
    called = [q for q in questions if q.status == "called"]
    waiting = [q for q in questions if q.status == "waiting"]
    lines = [f"**Now:** <@{q.asker_id}>: {clip(q.question, 300)}" for q in called]
    lines += [
        f"**{i}.** <@{q.asker_id}>: {clip(q.question, 200)}" for i, q in enumerate(waiting[:20], start=1)
    ]
    if len(waiting) > 20:
        lines.append(f"… and {len(waiting) - 20} more waiting")
    embed = discord.Embed(
        title=clip(f"Office hours queue: {session.topic}" if session.topic else "Office hours queue", 256),
        description=clip("\n".join(lines) or "Nobody is waiting. Ask with `/ask`.", 4096),
        colour=COLOUR,
    )
    embed.set_footer(text=f"{len(waiting)} waiting")
    return embed


def summary_text(session: Session, questions: list[Question]) -> str:
    """Questions asked, answered, skipped and still waiting, and how long people waited."""
    answered = sum(q.status == "answered" for q in questions)
    skipped = sum(q.status == "skipped" for q in questions)
    waiting = sum(q.status in ("waiting", "called") for q in questions)
    waits = [q.called_at - q.asked_at for q in questions if q.called_at is not None]
    lines = [
        f"**Office hours closed**{f': {session.topic}' if session.topic else ''}",
        f"Questions asked: **{len(questions)}** · answered: **{answered}** · skipped: **{skipped}** · "
        f"not reached: **{waiting}**",
    ]
    if waits:
        lines.append(
            f"Waiting time: median {_minutes(statistics.median(waits))}, longest {_minutes(max(waits))}."
        )
    return "\n".join(lines)


class QueueButton(
    ReportedItem[discord.ui.Button[Any]],
    template=r"oh:(?P<session>\d{1,12}):(?P<action>next|skip|done)",
):
    """An instructor's control on the queue: call the next question, skip, or mark answered."""

    def __init__(self, session_id: int, action: str) -> None:
        super().__init__(
            discord.ui.Button(
                label={"next": "Next", "skip": "Skip", "done": "Answered"}[action],
                style=discord.ButtonStyle.primary if action == "next" else discord.ButtonStyle.secondary,
                custom_id=f"oh:{session_id}:{action}",
            )
        )
        self.session_id, self.action = session_id, action

    @classmethod
    def from_match(cls, match: re.Match[str]) -> QueueButton:
        return cls(int(match["session"]), match["action"])

    async def respond(self, interaction: discord.Interaction[RegressionBot]) -> None:
        if not is_instructor(interaction):
            raise app_commands.CheckFailure(f"Only instructors run the queue ({who_can(interaction)}).")
        store = interaction.client.store
        session = await store.session(self.session_id)
        if session is None or session.closed_at is not None:
            await interaction.response.edit_message(
                content="These office hours are closed.", embed=None, view=None
            )
            return
        await interaction.response.defer()
        question = None
        if self.action == "next":
            question = await store.call_next(session.id)
        else:
            await store.close_current(session.id, "skipped" if self.action == "skip" else "answered")
        questions = await store.questions(session.id)
        await interaction.edit_original_response(
            embed=queue_embed(session, questions), view=queue_buttons(session.id)
        )
        if question is not None:
            await interaction.followup.send(
                f"<@{question.asker_id}>, you're up! Your question: {clip(question.question, 1800)}",
                allowed_mentions=MENTION_ASKER,
            )


def queue_buttons(session_id: int) -> discord.ui.View:
    """Next / Skip / Answered."""
    view = discord.ui.View(timeout=None)
    for action in ("next", "skip", "done"):
        view.add_item(QueueButton(session_id, action))
    return view


class OfficeHours(commands.Cog):
    """A question queue for office hours, one per channel."""

    group = app_commands.Group(
        name="officehours", description="Run office hours in this channel", guild_only=True
    )

    @group.command(name="start", description="Open office hours in this channel (instructors)")
    @app_commands.describe(topic="What today's session is about")
    @instructors_only()
    async def start(
        self, interaction: discord.Interaction[RegressionBot], topic: app_commands.Range[str, 0, 200] = ""
    ) -> None:
        store = interaction.client.store
        session = await store.open_session(
            interaction.guild_id or 0, interaction.channel_id or 0, topic.strip(), interaction.user.id
        )
        if session is None:
            raise UserInputError(
                "Office hours are already open in this channel.", "End them with `/officehours end`."
            )
        await interaction.response.send_message(
            f"📣 **Office hours are open**{f': {session.topic}' if session.topic else ''}. "
            "Ask with `/ask`; see the queue with `/queue`."
        )

    @group.command(
        name="end", description="Close office hours in this channel and post a summary (instructors)"
    )
    @instructors_only()
    async def end(self, interaction: discord.Interaction[RegressionBot]) -> None:
        store = interaction.client.store
        session = await _open_session(interaction)
        await store.close_session(session.id)
        await interaction.response.send_message(summary_text(session, await store.questions(session.id)))

    @app_commands.command(name="ask", description="Queue a question for the office hours in this channel")
    @app_commands.describe(question="Your question")
    @app_commands.guild_only()
    async def ask(
        self, interaction: discord.Interaction[RegressionBot], question: app_commands.Range[str, 1, 1000]
    ) -> None:
        session = await _open_session(interaction)
        position = await interaction.client.store.ask(session.id, interaction.user.id, question.strip())
        ahead = "you're next" if position == 1 else f"{position - 1} ahead of you"
        await interaction.response.send_message(
            f"Your question is **#{position}** in the queue ({ahead}). You'll be mentioned here when it's your turn.",
            ephemeral=True,
        )

    @app_commands.command(name="queue", description="Show the office-hours queue in this channel")
    @app_commands.guild_only()
    async def queue(self, interaction: discord.Interaction[RegressionBot]) -> None:
        session = await _open_session(interaction)
        questions = await interaction.client.store.questions(session.id)
        embed = queue_embed(session, questions)
        if is_instructor(interaction):
            await interaction.response.send_message(
                embed=embed, view=queue_buttons(session.id), ephemeral=True
            )
        else:
            await interaction.response.send_message(embed=embed, ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    """Load the cog and register the persistent queue buttons."""
    bot.add_dynamic_items(QueueButton)
    await bot.add_cog(OfficeHours())
