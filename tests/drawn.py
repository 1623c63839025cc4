"""Waiting for a whole answer: the bot shows a page's words first and edits its figure in afterwards."""

from __future__ import annotations

from tests.emulator.interactions import EmulatedInteraction
from tests.emulator.models import StoredMessage

#: The attachment a page shows while its figure is drawn (``bot.regression.plots.PLACEHOLDER_FILENAME``).
PLACEHOLDER = "drawing.png"


def drawing(message: StoredMessage | None) -> bool:
    """Whether ``message`` still shows the placeholder of a figure being drawn."""
    return message is not None and any(a.filename == PLACEHOLDER for a in message.attachments)


async def drawn(interaction: EmulatedInteraction, timeout: float = 60.0) -> None:
    """Wait until ``interaction`` is answered and none of its messages shows a placeholder any more."""
    await interaction.wait_done(timeout)
    await interaction.emu.wait_until(
        lambda: (
            not interaction.emu.in_flight(interaction.token)
            and not any(drawing(m) for m in [interaction.original, *interaction.followups])
        ),
        timeout,
        f"the figures of {interaction}",
    )
