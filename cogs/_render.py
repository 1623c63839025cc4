"""Steps to Discord: embeds with their figure attached, kept inside Discord's limits, the words first.

A page whose figure is not drawn yet is shown at once with a placeholder of the figure's size, and shown
again when the figure is drawn (``words_first``), so the message changes its picture once and its layout
not at all.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import TYPE_CHECKING

import discord

from bot.engine import FIGURE
from bot.regression.figures import RenderedFigure
from bot.regression.pages import Page
from bot.regression.steps import Step
from bot.regression.text import clip

if TYPE_CHECKING:
    from bot.app import RegressionBot

COLOUR = discord.Colour(0x0072B2)
#: The figures' theme unless a user or their server chose one (light, like the lecture's notebook), and
#: every theme there is.
THEME = "light"
THEMES = ("light", "dark")
EMBED_TOTAL = 6000
FIELD_VALUE = 1024


def embed_for(step: Step, figure: RenderedFigure | None, footer: str | None = None) -> discord.Embed:
    """An embed showing ``step``, its picture as ``attachment://`` when there is one."""
    embed = discord.Embed(title=clip(step.title, 256), description=clip(step.body, 4096), colour=COLOUR)
    if figure is not None:
        embed.set_image(url=f"attachment://{figure.filename}")
    if footer:
        embed.set_footer(text=clip(footer, 2048))
    return embed


def file_for(figure: RenderedFigure | None) -> discord.File | None:
    """The attachment for a figure, with its alt text."""
    if figure is None:
        return None
    return discord.File(
        io.BytesIO(figure.png), filename=figure.filename, description=clip(figure.alt_text, 1024)
    )


def fit_total(embeds: list[discord.Embed]) -> list[discord.Embed]:
    """Shorten descriptions (last embed first) until all embeds together fit Discord's 6000 characters."""
    total = sum(len(e) for e in embeds)
    for embed in reversed(embeds):
        if total <= EMBED_TOTAL:
            break
        description = embed.description or ""
        keep = max(0, len(description) - (total - EMBED_TOTAL) - 20)
        embed.description = (
            description[:keep] + "\n… (trimmed to fit Discord)" if keep else "(trimmed to fit Discord)"
        )
        total = sum(len(e) for e in embeds)
    return embeds


def table(rows: list[tuple[str, ...]], limit: int = FIELD_VALUE) -> str:
    """A monospace table in a code block, rows dropped visibly to stay under ``limit``."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    while len("\n".join(lines)) + 8 > limit and len(lines) > 2:
        lines = [*lines[:-2], "…"]
    return "```\n" + "\n".join(lines)[: limit - 8] + "\n```"


async def theme_for(interaction: discord.Interaction[RegressionBot]) -> str:
    """The theme of the figures drawn for this user: their own choice, else their server's, else ``THEME``."""
    guild = interaction.guild.id if interaction.guild is not None else None
    own, server = await interaction.client.store.settings_for(interaction.user.id, guild, "theme")
    return own or server or THEME


def figure_job(ref: str, page: Page, theme: str = THEME) -> tuple[str, Hashable, ...]:
    """The engine job and its arguments that draw a draft page's figure."""
    return ("figure", ref, page.step.figure, theme, page.to_draw)


async def words_first(
    bot: RegressionBot,
    user: int,
    ref: str,
    pages: Sequence[Page],
    show: Callable[[tuple[Page, ...]], Awaitable[None]],
    theme: str = THEME,
) -> None:
    """Show draft ``pages`` of the dataset ``ref``: at once when their figures are ready (cached) or there
    are none, else first with placeholders and again when the figures are drawn.

    The figures are submitted before the words are sent, so a worker can draw them while the bot process
    is busy sending. When drawing fails, the pages are shown without their pictures and the error is
    raised (to be reported to ``user``).
    """
    engine = bot.engine
    jobs = [figure_job(ref, page, theme) for page in pages if page.to_draw]
    ready = all(engine.cached(*job) for job in jobs)
    without = tuple(page.without_figure() if page.to_draw else page for page in pages)
    try:
        drawn = [engine.submit(*job, user=user, priority=FIGURE) for job in jobs]
    except Exception:
        await show(without)
        raise
    if not ready:
        await show(tuple(pages))
    try:
        figures = iter(await asyncio.gather(*drawn))
    except Exception:
        await show(without)
        raise
    await show(tuple(page.drawn(next(figures)) if page.to_draw else page for page in pages))
