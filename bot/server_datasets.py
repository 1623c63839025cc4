"""Each server's own datasets, kept in the store and in memory, behind one registry per server.

The bot process keeps every uploaded dataset loaded so autocomplete and formula checks answer from
memory; worker processes load a dataset from the database by its ``ref`` (which carries its version).
A server only ever sees the bundled datasets and its own; in DMs only the bundled ones exist.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import time

from bot.regression.datasets import Dataset, DatasetRegistry
from bot.regression.errors import UserInputError
from bot.regression.uploads import UploadLimits, check_name, describe_columns, read_stored, read_upload
from bot.store import Store, StoredDataset


def from_stored(stored: StoredDataset) -> Dataset:
    """The Dataset for a stored upload (typed and versioned exactly as when it was uploaded)."""
    return read_stored(
        stored.csv,
        stored.name,
        stored.description,
        stored.filename,
        stored.guild_id,
        source=f"Uploaded to this server by user {stored.uploaded_by} on "
        f"{time.strftime('%Y-%m-%d', time.gmtime(stored.uploaded_at))}.",
    )


class ServerDatasets:
    """The uploaded datasets of every server, in memory, mirrored from the store."""

    def __init__(self, store: Store, bundled: DatasetRegistry, limits: UploadLimits | None = None) -> None:
        self.store = store
        self.bundled = bundled
        self.limits = limits or UploadLimits()
        self._by_guild: dict[int, dict[str, Dataset]] = {}
        self._meta: dict[tuple[int, str], StoredDataset] = {}

    async def load(self) -> None:
        """Read every stored dataset (at start-up)."""
        for stored in await self.store.datasets():
            await self._keep(stored)

    async def _keep(self, stored: StoredDataset) -> Dataset:
        """Parse a stored dataset off the event loop and remember it."""
        data = await asyncio.to_thread(from_stored, stored)
        self._by_guild.setdefault(stored.guild_id, {})[stored.name] = data
        self._meta[(stored.guild_id, stored.name)] = dataclasses.replace(stored, csv=b"")
        return data

    def registry(self, guild_id: int | None) -> DatasetRegistry:
        """What a server can use: the bundled datasets, then its own (DMs: bundled only)."""
        own = self._by_guild.get(guild_id, {}) if guild_id is not None else {}
        return self.bundled.with_extra(own.values()) if own else self.bundled

    def uploaded(self, guild_id: int, name: str) -> tuple[Dataset, StoredDataset] | None:
        """A server's uploaded dataset and who uploaded it when, if it exists."""
        data = self._by_guild.get(guild_id, {}).get(name)
        meta = self._meta.get((guild_id, name))
        return (data, meta) if data is not None and meta is not None else None

    def names(self, guild_id: int) -> list[str]:
        """A server's uploaded dataset names."""
        return sorted(self._by_guild.get(guild_id, {}))

    def check_name(self, name: str) -> str:
        """A valid, normalised dataset name that is not a bundled dataset's."""
        return check_name(name, taken=self.bundled.names(), limits=self.limits)

    def check_size(self, size: int) -> None:
        """Refuse a file over the size limit before downloading it."""
        if size > self.limits.max_bytes:
            raise UserInputError(
                f"That file is {size / 1e6:.1f} MB; the limit is {self.limits.max_bytes / 1e6:.1f} MB.",
                "Upload fewer rows or columns (for example a sample of the data).",
            )

    async def check(self, stored: StoredDataset) -> Dataset:
        """Parse and check an upload with this bot's limits (off the event loop); raises on any problem."""
        return await asyncio.to_thread(
            read_upload,
            stored.csv,
            stored.name,
            stored.description,
            filename=stored.filename,
            limits=self.limits,
        )

    def describe_columns(self, data: Dataset) -> str:
        """Each column with its type, range or levels, and any warning (for ``/dataset info``)."""
        return describe_columns(data, self.limits)

    async def save(self, stored: StoredDataset, pending_key: str | None = None) -> Dataset:
        """Store (or replace) an upload in one transaction, then serve it."""
        stored = dataclasses.replace(stored, version=hashlib.sha256(stored.csv).hexdigest()[:12])
        if pending_key is None:
            await self.store.save_dataset(stored)
        else:
            await self.store.replace_with_upload(pending_key, stored)
        return await self._keep(stored)

    async def remove(self, guild_id: int, name: str) -> bool:
        """Delete a server's dataset; False if it was not there."""
        removed = await self.store.delete_dataset(guild_id, name)
        self._by_guild.get(guild_id, {}).pop(name, None)
        self._meta.pop((guild_id, name), None)
        return removed
