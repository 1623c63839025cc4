"""End to end: a page's words are on screen as soon as the fit is done, and its figure is edited in.

Through the real discord.py client and the loopback emulator: the first edit of a cold page carries the
text with a placeholder of the figure's size, the second only swaps the picture (same embeds, same
buttons); a page whose figure is ready is sent once; the figure is drawn while the words are being sent; a
figure that cannot be drawn leaves the words without a placeholder and the user is told; the example
formulas are drawn ahead after start-up.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import struct
from typing import Any

import pytest
import pytest_asyncio

from bot.config import WorkerConfig
from bot.store import PagedContent
from cogs._options import check_formula
from cogs._pager import page_job
from tests.conftest import make_bot
from tests.drawn import PLACEHOLDER, drawn
from tests.emulator.emulator import DiscordEmulator
from tests.emulator.fixtures import run_bot, running_emulator
from tests.emulator.interactions import EmulatedInteraction
from tests.emulator.models import RecordedRequest

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def live(tmp_path_factory):
    """One emulator and one bot with one worker (so that pausing it holds every job)."""
    database = tmp_path_factory.mktemp("store") / "bot.sqlite3"
    async with running_emulator() as emu:
        bot = make_bot(emu, database, processes=1)
        async with run_bot(bot, emu, timeout=60):
            await bot.engine.started()
            yield emu, bot


def edits(emu: DiscordEmulator, interaction: EmulatedInteraction) -> list[RecordedRequest]:
    """The accepted edits of the interaction's original message, in order."""
    return [
        r
        for r in emu.requests
        if r.method == "PATCH"
        and interaction.token in r.path
        and r.path.endswith("/messages/@original")
        and r.status is not None
        and r.status < 300
    ]


def size(png: bytes) -> tuple[int, int]:
    """A PNG's width and height in pixels (from its IHDR chunk)."""
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    return struct.unpack(">II", png[16:24])


def without_image(embeds: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The embeds with their image reference left out."""
    return [{k: v for k, v in embed.items() if k != "image"} for embed in embeds]


async def test_the_words_come_first_and_the_figure_replaces_a_placeholder_of_its_size(live):
    emu, _ = live
    fit = await emu.slash("fit", {"dataset": "penguins", "formula": "body_mass_g ~ flipper_length_mm + sex"})
    await drawn(fit)
    draft, final = edits(emu, fit)
    assert [f.filename for f in draft.files] == [PLACEHOLDER]
    assert [f.filename for f in final.files] == ["step1.png"]
    assert size(draft.files[0].data) == size(final.files[0].data)
    assert draft.json["embeds"][0]["image"]["url"] == f"attachment://{PLACEHOLDER}"
    assert final.json["embeds"][0]["image"]["url"] == "attachment://step1.png"
    assert without_image(draft.json["embeds"]) == without_image(final.json["embeds"])
    assert draft.json["components"] == final.json["components"]
    assert draft.received_at < final.received_at
    message = fit.original
    assert [a.filename for a in message.attachments] == ["step1.png"]
    assert message.attachments[0].description.startswith("Scatter plot of body_mass_g")
    assert emu.violations == []


async def test_a_page_whose_figure_is_ready_is_sent_once(live):
    emu, _ = live
    options = {"dataset": "penguins", "formula": "body_mass_g ~ bill_length_mm"}
    await drawn(await emu.slash("fit", options))
    again = await emu.slash("fit", options, user=emu.user("student"))
    await drawn(again)
    (only,) = edits(emu, again)
    assert [f.filename for f in only.files] == ["step1.png"]


async def test_describe_compare_and_plot_show_their_words_first_too(live):
    emu, _ = live
    for name, options in [
        ("describe", {"dataset": "stackloss"}),
        (
            "compare",
            {
                "dataset": "stackloss",
                "formula": "stack_loss ~ air_flow",
                "other": "stack_loss ~ air_flow + water_temp",
            },
        ),
        ("plot", {"dataset": "stackloss", "x": "air_flow", "y": "stack_loss"}),
    ]:
        interaction = await emu.slash(name, options)
        await drawn(interaction)
        sent = edits(emu, interaction)
        assert len(sent) == 2, name
        assert PLACEHOLDER in [f.filename for f in sent[0].files], name
        assert PLACEHOLDER not in [f.filename for f in sent[1].files], name
        assert sent[0].json["embeds"][0]["title"] == sent[1].json["embeds"][0]["title"], name
    assert emu.violations == []


async def test_the_figure_is_drawn_while_the_words_are_being_sent(live):
    emu, bot = live
    # Discord holds the draft's edit back (a 429 that discord.py waits out): the worker draws meanwhile
    emu.set_rest_failures(429, 1, retry_after=1.0, method="PATCH", path_contains="@original")
    before = bot.engine.jobs_run
    fit = await emu.slash("fit", {"dataset": "penguins", "formula": "bill_depth_mm ~ flipper_length_mm"})
    await emu.wait_until(lambda: len(edits(emu, fit)) == 1, 30, "the draft's edit")
    assert bot.engine.jobs_run - before == 2 and not bot.engine._inflight  # the words and the figure, done
    await drawn(fit)
    assert [a.filename for a in fit.original.attachments] == ["step1.png"]


async def test_a_figure_that_cannot_be_drawn_leaves_the_words_and_the_user_is_told(live, monkeypatch):
    emu, bot = live
    formula = "body_mass_g ~ bill_depth_mm"
    penguins = bot.registry.get("penguins")
    job, args = page_job(PagedContent("wt", penguins.ref, check_formula(penguins, formula)), 0)
    await bot.engine.call(job, *args)  # the words are ready, so only the figure is left to the worker
    monkeypatch.setattr(bot.engine, "job_timeout", 0.5)
    (pid,) = bot.engine.worker_pids()
    os.kill(pid, signal.SIGSTOP)
    try:
        fit = await emu.slash("fit", {"dataset": "penguins", "formula": formula})
        await drawn(fit)
        await fit.wait_followups(1, timeout=30)
    finally:
        with contextlib.suppress(ProcessLookupError):  # the stopped worker was replaced (killed)
            os.kill(pid, signal.SIGCONT)
    message = fit.original
    assert message.embeds[0]["title"] == "The question and the data"
    assert message.attachments == [] and "image" not in message.embeds[0]
    (told,) = fit.followups
    assert told.ephemeral and "took too long" in told.content
    monkeypatch.undo()
    again = await emu.slash("fit", {"dataset": "penguins", "formula": "body_mass_g ~ bill_depth_mm"})
    await drawn(again)
    assert [a.filename for a in again.original.attachments] == ["step1.png"]


async def test_the_example_formulas_are_drawn_ahead_after_start(tmp_path):
    async with running_emulator() as emu:
        bot = make_bot(
            emu,
            tmp_path / "bot.sqlite3",
            workers=WorkerConfig(processes=2, jobs_per_user=10_000, draw_ahead=True),
        )
        async with run_bot(bot, emu, timeout=60):
            assert bot.ahead is not None
            drawn_ahead = await asyncio.wait_for(bot.ahead, 300)
            examples = sum(len(d.examples) for d in bot.registry.all())
            assert drawn_ahead == 2 * examples  # every example formula, in both themes
            ran = bot.engine.jobs_run
            lecture = await emu.slash(
                "fit", {"dataset": "codecademy", "formula": "score ~ lesson + completed"}
            )
            await drawn(lecture)
            (only,) = edits(emu, lecture)
            assert [f.filename for f in only.files] == ["step1.png"]
            assert bot.engine.jobs_run == ran  # answered from what was drawn ahead
