"""Checking a student's reading of one coefficient: the reply that ``/interpret`` and the walkthrough's
**Check my reading** button share.

The reply is private: a checklist computed from the fitted model, with **Show a model answer** and
**Why?** buttons (``ip:<key>:<term>:<a|w>``: the key names the dataset and formula in the store, ``term``
is the coefficient's position, so a press after a restart still knows what to show).

**Check my reading** (``ck:<key>``) sits on a walkthrough's "What the numbers mean" page and opens a modal
for the coefficient and the sentence; the walkthrough gives the dataset and formula. The modal's submission
is answered by ``answer_modal`` (the cog listens for it) from its custom_id and values alone, never from
a modal kept in this process's memory, so a form sent after a restart is answered too.
"""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING, Any

import discord

from bot.regression.errors import UserInputError
from bot.store import PagedContent
from cogs._items import ReportedItem
from cogs._render import clip, embed_for

if TYPE_CHECKING:
    from bot.app import RegressionBot

#: The custom_id of the button and of the modal it opens.
CHECK_ID = re.compile(r"ck:(?P<key>[0-9a-f]{16})")
#: How long the button waits for the model's terms before opening the form without them (the modal is the
#: press's first answer, due within 3 s).
TERMS_WAIT = 1.0
TERM_INPUT, SENTENCE_INPUT = "term", "sentence"


async def model_terms(bot: RegressionBot, ref: str, formula: str, wait: float) -> tuple[str, ...]:
    """The coefficients a reading of ``formula`` on ``ref`` can be about; none if the fit fails or takes
    longer than ``wait`` seconds (suggestions are never worth an error)."""
    try:
        terms = await asyncio.wait_for(bot.engine.call("model_terms", ref, formula), wait)
    except Exception:
        return ()
    return tuple(terms)


def dataset_name(ref: str) -> str:
    """A dataset's name as students know it (an upload's ref is ``upload:<guild>:<name>``)."""
    return ref.split(":")[2] if ref.startswith("upload:") else ref


async def check_reading(
    interaction: discord.Interaction[RegressionBot],
    ref: str,
    formula: str,
    term: str,
    sentence: str,
    key: str | None = None,
) -> None:
    """Check ``sentence`` about ``term`` of ``formula`` on ``ref`` and answer privately with the checklist
    and its help buttons (``key``: the stored walkthrough, when the check comes from one)."""
    bot = interaction.client
    user = interaction.user.id
    args = (ref, formula, term, sentence)
    checked = bot.engine.submit("interpretation", *args, user=user)
    await interaction.response.defer(ephemeral=True, thinking=True)
    step, index, outcomes = await checked
    await bot.store.record_checks(user, outcomes)
    key = key or await bot.store.remember(PagedContent("wt", ref, formula))
    view = discord.ui.View(timeout=None)
    view.add_item(HelpButton(key, index, "a"))
    view.add_item(HelpButton(key, index, "w"))
    footer = f"{dataset_name(ref)} · {formula}"
    await interaction.edit_original_response(embed=embed_for(step, None, footer), view=view)


class HelpButton(
    ReportedItem[discord.ui.Button[Any]],
    template=r"ip:(?P<key>[0-9a-f]{16}):(?P<term>\d{1,3}):(?P<what>[aw])",
):
    """**Show a model answer** (``a``) or **Why?** (``w``), answered privately to whoever presses."""

    def __init__(self, key: str, term: int, what: str) -> None:
        super().__init__(
            discord.ui.Button(
                label="Show a model answer" if what == "a" else "Why?",
                style=discord.ButtonStyle.secondary,
                custom_id=f"ip:{key}:{term}:{what}",
            )
        )
        self.key, self.term, self.what = key, term, what

    @classmethod
    def from_match(cls, match: re.Match[str]) -> HelpButton:
        return cls(match["key"], int(match["term"]), match["what"])

    async def respond(self, interaction: discord.Interaction[RegressionBot]) -> None:
        bot = interaction.client
        content = await bot.store.recall(self.key)
        if content is None:
            raise UserInputError("This check is no longer available; run /interpret again.")
        user = interaction.user.id
        args = (content.dataset, content.formula, self.term, "answer" if self.what == "a" else "why")
        helped = bot.engine.submit("interpretation_help", *args, user=user)
        await interaction.response.defer(ephemeral=True, thinking=True)
        step = await helped
        await interaction.followup.send(embed=embed_for(step, None, content.formula), ephemeral=True)


def reading_form(key: str, formula: str, terms: tuple[str, ...]) -> discord.ui.Modal:
    """The "Check my reading" form: which coefficient, and what it means."""
    form = discord.ui.Modal(title="Check my reading", custom_id=f"ck:{key}", timeout=None)
    listed = ", ".join(terms) if terms else "the coefficients of the fitted equation"
    form.add_item(
        discord.ui.Label(
            text="Coefficient",
            description=clip(f"One of: {listed}", 100),
            component=discord.ui.TextInput(
                custom_id=TERM_INPUT, placeholder="e.g. completed", min_length=1, max_length=100
            ),
        )
    )
    form.add_item(
        discord.ui.Label(
            text="Your reading",
            description=clip(f"What that number means in {formula}", 100),
            component=discord.ui.TextInput(
                custom_id=SENTENCE_INPUT,
                style=discord.TextStyle.paragraph,
                placeholder="e.g. Students who completed one more item scored … points higher on average, …",
                min_length=1,
                max_length=1000,
            ),
        )
    )
    return form


class CheckButton(ReportedItem[discord.ui.Button[Any]], template=CHECK_ID.pattern):
    """**Check my reading**: opens the form for anyone who presses (the answer is theirs alone)."""

    def __init__(self, key: str) -> None:
        super().__init__(
            discord.ui.Button(
                label="Check my reading", style=discord.ButtonStyle.success, custom_id=f"ck:{key}", emoji="✍️"
            )
        )
        self.key = key

    @classmethod
    def from_match(cls, match: re.Match[str]) -> CheckButton:
        return cls(match["key"])

    async def respond(self, interaction: discord.Interaction[RegressionBot]) -> None:
        bot = interaction.client
        content = await bot.store.recall(self.key)
        if content is None or content.kind != "wt":
            raise UserInputError("This walkthrough is no longer available; run /fit again.")
        terms = await model_terms(bot, content.dataset, content.formula, TERMS_WAIT)
        form = reading_form(self.key, content.formula, terms)
        await interaction.response.send_modal(form)
        # The submission is answered by ``answer_modal``: nothing in this process has to remember the form.
        form.stop()


def _submitted(data: Any) -> dict[str, str]:
    """A modal submission's text inputs by custom_id (inside labels or legacy action rows)."""
    values: dict[str, str] = {}
    for top in (data or {}).get("components") or []:
        inner = [top["component"]] if isinstance(top.get("component"), dict) else top.get("components") or []
        for component in inner:
            if isinstance(component, dict) and "custom_id" in component:
                values[str(component["custom_id"])] = str(component.get("value") or "")
    return values


async def answer_modal(interaction: discord.Interaction[RegressionBot]) -> bool:
    """Answer a submitted "Check my reading" form; False if ``interaction`` is not one."""
    data = interaction.data or {}
    match = CHECK_ID.fullmatch(str(data.get("custom_id", "")))
    if interaction.type is not discord.InteractionType.modal_submit or match is None:
        return False
    content = await interaction.client.store.recall(match["key"])
    if content is None or content.kind != "wt":
        raise UserInputError("This walkthrough is no longer available; run /fit again.")
    values = _submitted(data)
    term, sentence = values.get(TERM_INPUT, "").strip(), values.get(SENTENCE_INPUT, "").strip()
    if not term or not sentence:
        raise UserInputError("Fill in both boxes: the coefficient and what you think it means.")
    await check_reading(interaction, content.dataset, content.formula, term, sentence, match["key"])
    return True
