"""Each server's own datasets: checked and typed once, stored, and kept in the bot process as schemas only.

The bot process keeps an ``UploadInfo`` per upload (columns, kinds, levels, row count and what
``/dataset info`` says about each column, but no rows), so autocomplete, formula checks and
``/dataset info`` answer from memory, and memory does not grow with the data uploaded. Worker processes
read an upload's typed columns from the database by its ``ref`` (which carries its version). A server only
ever sees the bundled datasets and its own; in DMs only the bundled ones exist.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time

from bot.regression.datasets import Dataset, DatasetRegistry
from bot.regression.errors import UserInputError
from bot.regression.stored import UploadInfo, encode, read_info, upload_fields
from bot.regression.uploads import (
    UploadLimits,
    check_name,
    describe_columns,
    read_stored,
    read_upload,
    version_of,
)
from bot.store import Store, StoredDataset


def stored_fields(stored: StoredDataset) -> dict[str, str]:
    """The documentation of a stored upload's dataset (``upload_fields``), naming who uploaded it when."""
    day = time.strftime("%Y-%m-%d", time.gmtime(stored.uploaded_at))
    source = f"Uploaded to this server by user {stored.uploaded_by} on {day}."
    return upload_fields(stored.name, stored.description, stored.filename, source)


def _typed(stored: StoredDataset) -> StoredDataset:
    """An upload stored before typed storage, typed from its CSV (read as on upload) for the store."""
    data = read_stored(stored.csv, stored.name, stored.description, stored.filename, stored.guild_id)
    typed, schema = encode(data)
    return dataclasses.replace(stored, typed=typed, schema=schema)


class ServerDatasets:
    """The uploaded datasets of every server, as schemas in memory, mirrored from the store."""

    def __init__(self, store: Store, bundled: DatasetRegistry, limits: UploadLimits | None = None) -> None:
        self.store = store
        self.bundled = bundled
        self.limits = limits or UploadLimits()
        self._by_guild: dict[int, dict[str, UploadInfo]] = {}
        self._meta: dict[tuple[int, str], StoredDataset] = {}

    async def load(self) -> None:
        """Read every stored upload's schema (at start-up; no file is parsed).

        An upload stored before typed storage has no schema: it is typed from its CSV once, off the event
        loop, and written back, so later starts read only its schema.
        """
        for stored in await self.store.datasets():
            if not stored.schema:
                stored = await asyncio.to_thread(_typed, stored)
                await self.store.add_typed(
                    stored.guild_id, stored.name, stored.version, stored.typed, stored.schema
                )
            self._keep(stored)

    def _keep(self, stored: StoredDataset) -> UploadInfo:
        """Remember a stored upload: its schema as an ``UploadInfo``, and who uploaded it when."""
        info = read_info(stored.schema, stored_fields(stored), stored.guild_id)
        self._by_guild.setdefault(stored.guild_id, {})[stored.name] = info
        self._meta[(stored.guild_id, stored.name)] = dataclasses.replace(
            stored, csv=b"", typed=b"", schema=""
        )
        return info

    def registry(self, guild_id: int | None) -> DatasetRegistry:
        """What a server can use: the bundled datasets, then its own (DMs: bundled only)."""
        own = self._by_guild.get(guild_id, {}) if guild_id is not None else {}
        return self.bundled.with_extra(own.values()) if own else self.bundled

    def uploaded(self, guild_id: int, name: str) -> tuple[UploadInfo, StoredDataset] | None:
        """A server's uploaded dataset (without rows) and who uploaded it when, if it exists."""
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

    def _checked(self, stored: StoredDataset) -> tuple[Dataset, StoredDataset]:
        """Parse, check and type an upload with this bot's limits (``check``, in a thread)."""
        data = read_upload(
            stored.csv, stored.name, stored.description, filename=stored.filename, limits=self.limits
        )
        typed, schema = encode(data)
        return data, dataclasses.replace(stored, version=data.version, typed=typed, schema=schema)

    async def check(self, stored: StoredDataset) -> tuple[Dataset, StoredDataset]:
        """Parse and check an upload off the event loop, once; raises on any problem.

        Returns the dataset, and the upload with its version and typed form: what ``save`` (or
        ``Store.stash_upload``) stores, so that nothing parses the file again.
        """
        return await asyncio.to_thread(self._checked, stored)

    def describe_columns(self, data: Dataset) -> str:
        """Each column with its type, range or levels, and any warning (for ``/dataset info``)."""
        return describe_columns(data, self.limits)

    async def save(self, stored: StoredDataset, pending_key: str | None = None) -> UploadInfo:
        """Store (or replace) a checked upload in one transaction, then serve it.

        An upload stashed before typed storage (no schema) is checked here first.
        """
        if not stored.schema:
            _, stored = await self.check(stored)
        if not stored.version:  # a waiting upload's row has none
            stored = dataclasses.replace(stored, version=version_of(stored.csv))
        if pending_key is None:
            await self.store.save_dataset(stored)
        else:
            await self.store.replace_with_upload(pending_key, stored)
        return self._keep(stored)

    async def remove(self, guild_id: int, name: str) -> bool:
        """Delete a server's dataset; False if it was not there."""
        removed = await self.store.delete_dataset(guild_id, name)
        self._by_guild.get(guild_id, {}).pop(name, None)
        self._meta.pop((guild_id, name), None)
        return removed
