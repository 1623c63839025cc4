"""Hostile and garbage input at volume, through the real client and the emulator: hypothesis-generated
formulas, option values and CSV uploads. No traceback reaches a user, every interaction is answered within
the job limit, nothing breaks Discord's limits, and no file appears outside the bot's data folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import make_bot
from tests.drawn import drawn
from tests.emulator.emulator import DiscordEmulator
from tests.emulator.fixtures import run_bot, running_emulator
from tests.emulator.models import ADMINISTRATOR, MEMBER_PERMISSIONS, UserSpec

pytestmark = pytest.mark.asyncio(loop_scope="module")


def volume(examples: int) -> settings:
    """Hypothesis settings for a test that drives the bot: no per-example deadline, fixed seed."""
    return settings(
        max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
    )


TOKENS = st.sampled_from(
    [
        "score",
        "lesson",
        "completed",
        "~",
        "+",
        "-",
        "*",
        ":",
        "(",
        ")",
        "I(",
        "C(",
        "log(",
        "np.log(",
        "**",
        "2",
        "1",
        "0",
        'Q("',
        '")',
        "`",
        "__import__",
        "os",
        ".",
        "system",
        "'",
        '"',
        "lambda",
        "exec(",
        "open(",
        "__class__",
        "[",
        "]",
        ",",
        " ",
        "\u202e",
        "\u200b",
        "ｓｃｏｒｅ",
        "9**9**9",
        "1e308",
        "\\",
        "@",
    ]
)
FORMULAS = st.one_of(
    st.text(max_size=200),
    st.lists(TOKENS, max_size=25).map("".join),
    st.lists(TOKENS, max_size=8).map(lambda t: "score ~ " + "".join(t)),
).filter(lambda s: 1 <= len(s) <= 500)
VALUES = st.one_of(
    st.text(min_size=1, max_size=120),
    st.builds(
        lambda a, b: f"completed={a} lesson={b}",
        st.one_of(st.floats(allow_nan=True), st.text(max_size=10)),
        st.text(max_size=12),
    ),
).filter(lambda s: 1 <= len(s) <= 500)
CSVS = st.one_of(
    st.binary(max_size=2000),
    st.lists(st.lists(st.text(max_size=8), min_size=1, max_size=5), max_size=20).map(
        lambda rows: "\n".join(",".join(row) for row in rows).encode()
    ),
)


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def live(tmp_path_factory):
    """A bot whose working directory and data folder are both temporary, to see what it writes."""
    home = tmp_path_factory.mktemp("bot-home")
    users = (UserSpec("instructor", permissions=MEMBER_PERMISSIONS | ADMINISTRATOR), UserSpec("student"))
    before = set(os.listdir(Path.cwd()))
    async with (
        running_emulator(users=users) as emu,
        run_bot(make_bot(emu, home / "data" / "bot.sqlite3", job_timeout=10.0), emu, timeout=60),
    ):
        yield emu
    assert set(os.listdir(Path.cwd())) == before
    assert sorted(p.name for p in home.iterdir()) == ["data"]


async def answer_of(emu: DiscordEmulator, name: str, options: dict) -> str:
    """Everything the bot answered to one command, checked for leaks and limits."""
    interaction = await emu.slash(name, options)
    await drawn(interaction, timeout=30)
    if interaction.original is not None and interaction.original.deleted:
        await interaction.wait_followups(1, timeout=10)
    messages = [m for m in (interaction.original, *interaction.followups) if m is not None and not m.deleted]
    assert messages, f"no answer to /{name} {options!r}"
    text = "\n".join((m.content or "") + "".join(str(e) for e in m.embeds) for m in messages)
    assert "Traceback" not in text and "error id" not in text, text
    assert emu.violations == [], emu.violations
    return text


@given(formula=FORMULAS)
@volume(400)
async def test_formulas(live, formula):
    await answer_of(live, "fit", {"dataset": "codecademy", "formula": formula, "private": True})


@given(values=VALUES)
@volume(300)
async def test_prediction_values(live, values):
    await answer_of(
        live, "predict", {"dataset": "codecademy", "formula": "score ~ lesson + completed", "values": values}
    )


@given(x=st.text(min_size=1, max_size=100), y=st.text(min_size=1, max_size=100))
@volume(150)
async def test_plot_options(live, x, y):
    await answer_of(live, "plot", {"dataset": "penguins", "x": x, "y": y})


@given(data=CSVS, name=st.text(min_size=1, max_size=40))
@volume(250)
async def test_csv_uploads(live, data, name):
    attachment = live.upload("upload.csv", data, "text/csv")
    await answer_of(live, "dataset upload", {"file": attachment, "name": name})
