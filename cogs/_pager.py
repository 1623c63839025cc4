"""Paged explanations with buttons that outlive the process.

A paged message (a walkthrough or a dataset description) carries ``◀ Back`` / ``Next ▶`` buttons and a
"jump to a step" menu. Their custom_ids are ``pg:<key>:<step>:<owner>:<action>``: the key names the
content in the store, so a press after a restart still knows what to show. Only the owner turns the pages
of a public message; anyone else who presses gets a private copy at the same step.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
from collections.abc import Awaitable, Callable, Hashable
from typing import TYPE_CHECKING, Any

import discord

from bot.engine import BACKGROUND, EngineBusy, EngineUnavailable
from bot.regression.errors import UserInputError
from bot.regression.pages import Page, PageView
from bot.regression.steps import MEANING_TITLE
from bot.store import PagedContent
from cogs._items import ReportedItem
from cogs._reading import CheckButton, dataset_name
from cogs._render import (
    THEME,
    THEMES,
    clip,
    embed_for,
    figure_job,
    file_for,
    fit_total,
    table,
    theme_for,
    words_first,
)

if TYPE_CHECKING:
    from bot.app import RegressionBot

log = logging.getLogger(__name__)

PREFIX = r"pg:(?P<key>[0-9a-f]{16}):(?P<step>\d{1,3}):(?P<owner>\d{1,20}):"


def page_job(content: PagedContent, index: int) -> tuple[str, tuple[Hashable, ...]]:
    """The engine job (name and arguments) that makes the draft of page ``index`` of ``content`` (its
    words, with a placeholder for its figure): the same for every theme, so it needs no settings read."""
    if content.kind == "wt":
        return "walkthrough_view", (content.dataset, content.formula, index, THEME, False)
    return "describe_view", (content.dataset, index, THEME, False)


async def draw_ahead(bot: RegressionBot) -> int:
    """Make the first page of every bundled dataset's example formulas, in every theme, as background
    work (a worker stays free for users), so that they are answered from the cache; returns how many.

    A formula that fails is logged and skipped; stops when the engine does.
    """
    await bot.engine.started()
    done = 0
    for dataset in bot.registry.all():
        for formula, theme in itertools.product(dataset.examples, THEMES):
            content = PagedContent("wt", dataset.ref, formula)
            job, args = page_job(content, 0)
            try:
                view = await bot.engine.call(job, *args, priority=BACKGROUND)
                if view.page.to_draw:
                    await bot.engine.call(*figure_job(dataset.ref, view.page, theme), priority=BACKGROUND)
            except EngineUnavailable:
                return done
            except EngineBusy:
                continue
            except Exception:
                log.exception("drawing %s on %s ahead failed", formula, dataset.ref)
                continue
            done += 1
    return done


def start_new(interaction: discord.Interaction[RegressionBot], content: PagedContent) -> Awaitable[PageView]:
    """Submit the draft of a new paged message's first page, as the user's engine job: refused at once
    (before the command defers) when the user or the engine is busy."""
    job, args = page_job(content, 0)
    return interaction.client.engine.submit(job, *args, user=interaction.user.id)


async def load_new(
    interaction: discord.Interaction[RegressionBot], content: PagedContent, draft: Awaitable[PageView]
) -> tuple[PageView, str, str]:
    """For a new paged message, at once: its ``draft`` (from ``start_new``), the user's theme (for its
    figure) and the key ``content`` is stored under (a key whose draft then fails is never shown)."""
    view, theme, key = await asyncio.gather(
        draft, theme_for(interaction), interaction.client.store.remember(content)
    )
    return view, theme, key


async def show_view(
    bot: RegressionBot,
    user: int,
    content: PagedContent,
    view: PageView,
    send: Callable[[PageView], Awaitable[None]],
    theme: str,
) -> None:
    """Send a draft ``view``'s words, then its figure (once, if the figure is ready): see ``words_first``."""

    async def show(pages: tuple[Page, ...]) -> None:
        await send(view.with_page(pages[0]))

    await words_first(bot, user, content.dataset, (view.page,), show, theme)


def footer(content: PagedContent, index: int, total: int) -> str:
    """``Step 3/10 · codecademy · score ~ lesson + completed``."""
    what = f" · {content.formula}" if content.kind == "wt" else ""
    return f"Step {index + 1}/{total} · {dataset_name(content.dataset)}{what}"


def message_for(view: PageView, key: str, content: PagedContent, owner: int) -> dict[str, Any]:
    """Keyword arguments for sending or editing the message that shows ``view``."""
    page, index = view.page, view.index
    embed = embed_for(page.step, page.figure, footer(content, index, view.total))
    if view.summary is not None:
        summary = view.summary
        embed.add_field(
            name="Fitted equation", value=clip(f"```\n{summary.equation}\n```", 1024), inline=False
        )
        rows = [("term", "estimate", "95% CI"), *summary.coefficients]
        embed.add_field(name="Coefficients", value=table(rows), inline=False)
        embed.add_field(name="R²", value=f"{summary.r_squared:.3f}", inline=True)
        embed.add_field(name="n", value=str(summary.n), inline=True)
    view_items = discord.ui.View(timeout=None)
    view_items.add_item(PageButton(key, index, owner, "b", disabled=index == 0))
    view_items.add_item(PageButton(key, index, owner, "n", disabled=index >= view.total - 1))
    view_items.add_item(PageSelect(key, index, owner, list(view.titles)))
    if content.kind == "wt" and page.step.title == MEANING_TITLE:
        view_items.add_item(CheckButton(key))
    file = file_for(page.figure)
    return {"embeds": fit_total([embed]), "attachments": [file] if file else [], "view": view_items}


class PageButton(ReportedItem[discord.ui.Button[Any]], template=PREFIX + r"(?P<action>[bn])"):
    """``◀ Back`` or ``Next ▶``."""

    def __init__(self, key: str, step: int, owner: int, action: str, disabled: bool = False) -> None:
        label = "◀ Back" if action == "b" else "Next ▶"
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.primary if action == "n" else discord.ButtonStyle.secondary,
                custom_id=f"pg:{key}:{step}:{owner}:{action}",
                disabled=disabled,
            )
        )
        self.key, self.step, self.owner, self.action = key, step, owner, action

    @classmethod
    def from_match(cls, match: re.Match[str]) -> PageButton:
        return cls(match["key"], int(match["step"]), int(match["owner"]), match["action"])

    async def respond(self, interaction: discord.Interaction[RegressionBot]) -> None:
        target = self.step + (1 if self.action == "n" else -1)
        await turn_page(interaction, self.key, self.step, target, self.owner)


class PageSelect(ReportedItem[discord.ui.Select[Any]], template=PREFIX + "j"):
    """The "jump to a step" menu."""

    def __init__(self, key: str, step: int, owner: int, titles: list[str] | None = None) -> None:
        titles = titles or [f"Step {step + 1}"]
        options = [
            discord.SelectOption(label=clip(f"{i + 1}. {title}", 100), value=str(i), default=i == step)
            for i, title in enumerate(titles[:25])
        ]
        super().__init__(
            discord.ui.Select(
                placeholder="Jump to a step", options=options, custom_id=f"pg:{key}:{step}:{owner}:j"
            )
        )
        self.key, self.step, self.owner = key, step, owner

    @classmethod
    def from_match(cls, match: re.Match[str]) -> PageSelect:
        return cls(match["key"], int(match["step"]), int(match["owner"]))

    async def respond(self, interaction: discord.Interaction[RegressionBot]) -> None:
        values = (interaction.data or {}).get("values") or [str(self.step)]
        target = int(values[0]) if str(values[0]).isdigit() else self.step
        await turn_page(interaction, self.key, self.step, target, self.owner)


async def turn_page(
    interaction: discord.Interaction[RegressionBot], key: str, current: int, target: int, owner: int
) -> None:
    """Show page ``target``: edit the message for its owner, or send anyone else a private copy at ``current``.

    What can be refused (content gone, the engine or the user's share busy) is refused before deferring;
    what fails later (a time limit, a dead worker, a replaced dataset) is raised after it, and the
    item's ``callback`` answers it privately either way.
    """
    bot = interaction.client
    content = await bot.store.recall(key)
    if content is None:
        raise UserInputError("This explanation is no longer available; run the command again.")
    user = interaction.user.id
    is_owner = user == owner
    job, args = page_job(content, target if is_owner else current)
    draft = bot.engine.submit(job, *args, user=user)
    await interaction.response.defer(ephemeral=not is_owner, thinking=not is_owner)
    view, theme = await asyncio.gather(draft, theme_for(interaction))
    copy: discord.WebhookMessage | None = None

    async def send(shown: PageView) -> None:
        nonlocal copy
        message = message_for(shown, key, content, owner if is_owner else user)
        if is_owner:
            await interaction.edit_original_response(**message)
        elif copy is None:
            files = message.pop("attachments")
            copy = await interaction.followup.send(**message, files=files, ephemeral=True, wait=True)
        else:
            await copy.edit(**message)

    await show_view(bot, user, content, view, send, theme)
