"""``/dataset upload|remove|info``: each server's own CSV datasets."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.regression.errors import UserInputError
from bot.store import StoredDataset, UploadNotWaiting
from cogs._instructors import instructors_only
from cogs._items import ReportedItem
from cogs._render import COLOUR, clip

if TYPE_CHECKING:
    from bot.app import RegressionBot

NOT_WAITING = "This upload is no longer waiting (it was answered already)."


def _uploaded_or_error(
    interaction: discord.Interaction[RegressionBot], name: str
) -> tuple[Any, StoredDataset]:
    """This server's uploaded dataset called ``name``, or a friendly error naming the ones there are."""
    bot = interaction.client
    found = bot.datasets.uploaded(interaction.guild_id or 0, name.strip().lower())
    if found is None:
        names = bot.datasets.names(interaction.guild_id or 0)
        hint = (
            ("This server's datasets: " + ", ".join(f"`{n}`" for n in names) + ".")
            if names
            else ("This server has no uploaded datasets yet; bundled ones are described by `/describe`.")
        )
        raise UserInputError(f"This server has no uploaded dataset called `{name[:40]}`.", hint)
    return found


def info_embed(interaction: discord.Interaction[RegressionBot], name: str) -> discord.Embed:
    """Columns with their types, rows, who uploaded it and when, suggested formulas."""
    bot = interaction.client
    data, meta = _uploaded_or_error(interaction, name)
    embed = discord.Embed(title=clip(f"{data.name}: {data.title}", 256), colour=COLOUR)
    embed.description = clip(
        f"{data.description}\n\n**{len(data.frame)} rows × {len(data.columns)} columns** · uploaded by "
        f"<@{meta.uploaded_by}> <t:{int(meta.uploaded_at)}:R> from `{meta.filename}`\n\n"
        + bot.datasets.describe_columns(data),
        4096,
    )
    if data.examples:
        embed.add_field(
            name="Formulas to try",
            value=clip("\n".join(f"`/fit dataset:{data.name} formula:{f}`" for f in data.examples), 1024),
            inline=False,
        )
    return embed


class ConfirmButton(
    ReportedItem[discord.ui.Button[Any]],
    template=r"ds:(?P<what>up|rm):(?P<target>[0-9a-z_-]{1,40}):(?P<user>\d{1,20}):(?P<answer>yes|no)",
):
    """Yes/no on replacing (``up``, target = the waiting upload's key) or removing (``rm``, target = name)."""

    def __init__(self, what: str, target: str, user: int, answer: str) -> None:
        label = {"up": "Replace it", "rm": "Remove it"}[what] if answer == "yes" else "Keep the old one"
        if what == "rm" and answer == "no":
            label = "Keep it"
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.danger if answer == "yes" else discord.ButtonStyle.secondary,
                custom_id=f"ds:{what}:{target}:{user}:{answer}",
            )
        )
        self.what, self.target, self.user, self.answer = what, target, user, answer

    @classmethod
    def from_match(cls, match: re.Match[str]) -> ConfirmButton:
        return cls(match["what"], match["target"], int(match["user"]), match["answer"])

    async def respond(self, interaction: discord.Interaction[RegressionBot]) -> None:
        """Do what was confirmed and say so in the question's place; a second answer is told privately."""
        if interaction.user.id != self.user:
            raise app_commands.CheckFailure("Only the person who asked can answer this.")
        await interaction.response.defer()
        text = await (self._upload(interaction) if self.what == "up" else self._remove(interaction))
        await interaction.edit_original_response(content=text, view=None, embed=None)

    async def _upload(self, interaction: discord.Interaction[RegressionBot]) -> str:
        """Replace the dataset with the waiting upload, or drop the upload; each happens at most once."""
        bot = interaction.client
        pending = await bot.store.pending_upload(self.target)
        if pending is None or pending.guild_id != (interaction.guild_id or 0):
            raise UserInputError(NOT_WAITING)
        if self.answer == "no":
            if not await bot.store.discard_upload(self.target):
                raise UserInputError(NOT_WAITING)
            return f"Kept the old `{pending.name}`; the new file was not stored."
        try:
            data = await bot.datasets.save(pending, pending_key=self.target)
        except UploadNotWaiting:
            raise UserInputError(NOT_WAITING) from None
        return f"Replaced `{data.name}`: {len(data.frame)} rows × {len(data.columns)} columns."

    async def _remove(self, interaction: discord.Interaction[RegressionBot]) -> str:
        """Remove the dataset, or keep it."""
        if self.answer == "no":
            return f"Kept `{self.target}`."
        if not await interaction.client.datasets.remove(interaction.guild_id or 0, self.target):
            raise UserInputError(f"`{self.target}` was already gone.")
        return f"Removed `{self.target}`."


def _confirm_view(what: str, target: str, user: int) -> discord.ui.View:
    """The two answers to a replace or remove question."""
    view = discord.ui.View(timeout=None)
    view.add_item(ConfirmButton(what, target, user, "yes"))
    view.add_item(ConfirmButton(what, target, user, "no"))
    return view


async def uploaded_autocomplete(
    interaction: discord.Interaction[RegressionBot], current: str
) -> list[app_commands.Choice[str]]:
    """This server's uploaded dataset names."""
    names = interaction.client.datasets.names(interaction.guild_id or 0) if interaction.guild_id else []
    wanted = current.strip().lower()
    return [app_commands.Choice(name=n, value=n) for n in names if wanted in n][:25]


class Uploads(commands.GroupCog, group_name="dataset", group_description="This server's own datasets"):
    """Instructors upload CSV files; everyone can fit models on them in this server."""

    @app_commands.command(name="upload", description="Upload a CSV file as a dataset for this server")
    @app_commands.describe(
        file="A .csv file with a header row (comma, semicolon or tab separated, UTF-8)",
        name="What people type to use it: lowercase letters, digits, - and _",
        description="One or two sentences on what the data are",
    )
    @app_commands.guild_only()
    @instructors_only()
    async def upload(
        self,
        interaction: discord.Interaction[RegressionBot],
        file: discord.Attachment,
        name: app_commands.Range[str, 1, 40],
        description: app_commands.Range[str, 0, 1000] = "",
    ) -> None:
        bot = interaction.client
        clean = bot.datasets.check_name(name)
        bot.datasets.check_size(file.size)
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await file.read()
        stored = StoredDataset(
            guild_id=interaction.guild_id or 0,
            name=clean,
            description=description.strip(),
            filename=file.filename,
            csv=data,
            version="",
            uploaded_by=interaction.user.id,
            uploaded_at=time.time(),
        )
        checked, stored = await bot.datasets.check(stored)
        existing = bot.datasets.uploaded(stored.guild_id, clean)
        if existing is not None:
            key = await bot.store.stash_upload(stored)
            old, meta = existing
            await interaction.edit_original_response(
                content=(
                    f"`{clean}` already exists ({len(old.frame)} rows, uploaded by <@{meta.uploaded_by}> "
                    f"<t:{int(meta.uploaded_at)}:R>). Replace it with `{file.filename}` "
                    f"({len(checked.frame)} rows × {len(checked.columns)} columns)?"
                ),
                view=_confirm_view("up", key, interaction.user.id),
            )
            return
        await bot.datasets.save(stored)
        await interaction.edit_original_response(
            content=f"Stored `{clean}`. Try it: `/fit dataset:{clean} formula:{checked.examples[0]}`"
            if checked.examples
            else f"Stored `{clean}`.",
            embed=info_embed(interaction, clean),
        )

    @app_commands.command(name="remove", description="Remove one of this server's datasets")
    @app_commands.describe(name="The dataset to remove")
    @app_commands.autocomplete(name=uploaded_autocomplete)
    @app_commands.guild_only()
    @instructors_only()
    async def remove(
        self, interaction: discord.Interaction[RegressionBot], name: app_commands.Range[str, 1, 40]
    ) -> None:
        data, _ = _uploaded_or_error(interaction, name)
        await interaction.response.send_message(
            f"Remove `{data.name}` ({len(data.frame)} rows) from this server? Walkthroughs that use it stop working.",
            view=_confirm_view("rm", data.name, interaction.user.id),
            ephemeral=True,
        )

    @app_commands.command(
        name="info", description="Columns, types, rows and who uploaded one of this server's datasets"
    )
    @app_commands.describe(name="The dataset")
    @app_commands.autocomplete(name=uploaded_autocomplete)
    @app_commands.guild_only()
    async def info(
        self, interaction: discord.Interaction[RegressionBot], name: app_commands.Range[str, 1, 40]
    ) -> None:
        await interaction.response.send_message(embed=info_embed(interaction, name))


async def setup(bot: commands.Bot) -> None:
    """Load the cog and register the persistent confirmation buttons."""
    bot.add_dynamic_items(ConfirmButton)
    await bot.add_cog(Uploads())
