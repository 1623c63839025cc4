"""Paged explanations with buttons that outlive the process.

A paged message (a walkthrough or a dataset description) carries ``◀ Back`` / ``Next ▶`` buttons and a
"jump to a step" menu. Their custom_ids are ``pg:<key>:<step>:<owner>:<action>``: the key names the
content in the store, so a press after a restart still knows what to show. Only the owner turns the pages
of a public message; anyone else who presses gets a private copy at the same step.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.regression.pages import PageView
from bot.store import PagedContent
from cogs._render import clip, embed_for, file_for, fit_total, table

if TYPE_CHECKING:
    from bot.app import RegressionBot

PREFIX = r"pg:(?P<key>[0-9a-f]{16}):(?P<step>\d{1,3}):(?P<owner>\d{1,20}):"


async def load_view(bot: RegressionBot, content: PagedContent, index: int, user: int) -> PageView:
    """Page ``index`` of ``content`` (clamped), rendered by one engine job counted as ``user``'s."""
    if content.kind == "wt":
        return await bot.engine.call("walkthrough_view", content.dataset, content.formula, index, user=user)
    return await bot.engine.call("describe_view", content.dataset, index, user=user)


def footer(content: PagedContent, index: int, total: int) -> str:
    """``Step 3/10 · codecademy · score ~ lesson + completed``."""
    what = f" · {content.formula}" if content.kind == "wt" else ""
    name = content.dataset.split(":")[2] if content.dataset.startswith("upload:") else content.dataset
    return f"Step {index + 1}/{total} · {name}{what}"


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
    file = file_for(page.figure)
    return {"embeds": fit_total([embed]), "attachments": [file] if file else [], "view": view_items}


async def render_message(
    bot: RegressionBot, key: str, content: PagedContent, index: int, owner: int
) -> dict[str, Any]:
    """Keyword arguments for sending or editing the message that shows page ``index`` (made for ``owner``,
    whose engine work it counts as)."""
    return message_for(await load_view(bot, content, index, owner), key, content, owner)


class PageButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=PREFIX + r"(?P<action>[bn])"):
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
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PageButton:
        return cls(match["key"], int(match["step"]), int(match["owner"]), match["action"])

    async def callback(self, interaction: discord.Interaction) -> None:
        target = self.step + (1 if self.action == "n" else -1)
        await turn_page(interaction, self.key, self.step, target, self.owner)


class PageSelect(discord.ui.DynamicItem[discord.ui.Select[Any]], template=PREFIX + "j"):
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
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PageSelect:
        return cls(match["key"], int(match["step"]), int(match["owner"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        values = (interaction.data or {}).get("values") or [str(self.step)]
        target = int(values[0]) if str(values[0]).isdigit() else self.step
        await turn_page(interaction, self.key, self.step, target, self.owner)


async def turn_page(
    interaction: discord.Interaction, key: str, current: int, target: int, owner: int
) -> None:
    """Show page ``target``: edit the message for its owner, or send a private copy to anyone else."""
    bot: RegressionBot = interaction.client  # type: ignore[assignment]
    is_owner = interaction.user.id == owner
    bot.engine.admit(interaction.user.id)
    if is_owner:
        await interaction.response.defer()
    else:
        await interaction.response.defer(ephemeral=True, thinking=True)
    content = await bot.store.recall(key)
    if content is None:
        await interaction.followup.send(
            "This explanation is no longer available; run the command again.", ephemeral=True
        )
        return
    if is_owner:
        kwargs = await render_message(bot, key, content, target, owner)
        await interaction.edit_original_response(**kwargs)
    else:
        kwargs = await render_message(bot, key, content, current, interaction.user.id)
        files = kwargs.pop("attachments")
        await interaction.followup.send(**kwargs, files=files, ephemeral=True)
