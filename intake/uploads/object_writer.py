"""Streams one object into an :class:`~intake.core.object_store.ObjectStore`.

A stream that ends before one part is full is stored with a single PUT; a longer
one becomes a multipart upload whose parts go up while the next one is being
received (one part in flight at a time, so memory and disk stay bounded).
The object's metadata is fixed when it is opened: the sha256, known only at the end, is
kept in the database and the manifest, not on the object (attaching it would take a
server-side copy of every multipart object, and would tell anyone holding a copy of
the bucket which known file a reader sent).

A resumable upload writes across many requests: it resumes the multipart upload it
started earlier (``resume``) and, at the end of a request, :meth:`suspend` hands back
the bytes too few to make a part, for the caller to keep until the next request.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from dataclasses import dataclass

from intake.core.object_store import ObjectStore, UploadedPart
from intake.uploads.spool import MemoryBudget, PartBuffer

S3_MIN_PART_SIZE = 5 * 1024 * 1024


@dataclass(frozen=True)
class WriterLimits:
    part_size: int
    memory_buffer: int
    spool_dir: str | None = None
    budget: MemoryBudget | None = None


@dataclass(frozen=True)
class MultipartProgress:
    """A multipart upload under way: its id and the parts stored so far."""

    upload_id: str
    parts: tuple[UploadedPart, ...]


@dataclass(frozen=True)
class Suspended:
    """Where a suspended writer stopped: its multipart progress (if any part was
    stored) and the leftover bytes, which the caller must close."""

    progress: MultipartProgress | None
    leftover: PartBuffer


class ObjectWriter:
    def __init__(
        self,
        store: ObjectStore,
        key: str,
        *,
        content_type: str,
        metadata: Mapping[str, str],
        limits: WriterLimits,
        resume: MultipartProgress | None = None,
    ) -> None:
        self.key = key
        self._store = store
        self._content_type = content_type
        self._metadata = dict(metadata)
        self._limits = limits
        self._buffer = self._new_buffer()
        self._upload_id: str | None = resume.upload_id if resume else None
        self._parts: list[UploadedPart] = list(resume.parts) if resume else []
        self._in_flight: asyncio.Task[UploadedPart] | None = None
        self._in_flight_buffer: PartBuffer | None = None
        self.size = 0
        self.stored = False

    def _new_buffer(self) -> PartBuffer:
        return PartBuffer(self._limits.memory_buffer, self._limits.spool_dir, self._limits.budget)

    async def write(self, chunk: bytes | memoryview) -> None:
        view = memoryview(chunk)
        while view:
            room = self._limits.part_size - self._buffer.size
            piece, view = view[:room], view[room:]
            await self._buffer.write(piece)
            self.size += len(piece)
            if self._buffer.size >= self._limits.part_size:
                await self._send_part()

    async def _send_part(self) -> None:
        await self._settle_in_flight()
        if self._upload_id is None:
            self._upload_id = await self._store.create_multipart(
                self.key, content_type=self._content_type, metadata=self._metadata
            )
        buffer, self._buffer = self._buffer, self._new_buffer()
        number = len(self._parts) + 1
        body = await buffer.body()
        self._in_flight_buffer = buffer
        self._in_flight = asyncio.create_task(
            self._store.upload_part(self.key, self._upload_id, number, body)
        )

    async def _settle_in_flight(self) -> None:
        task, buffer = self._in_flight, self._in_flight_buffer
        self._in_flight = self._in_flight_buffer = None
        try:
            if task is not None:
                self._parts.append(await task)
        finally:
            if buffer is not None:
                await buffer.close()

    def can_copy(self, size: int) -> bool:
        """Whether an object of ``size`` bytes can be appended as a whole part of its own."""
        return self._store.copies_parts and self._buffer.size == 0 and size >= S3_MIN_PART_SIZE

    async def copy_object(self, key: str, size: int) -> None:
        """Append the stored object ``key`` (``size`` bytes) by a copy inside the store;
        only when :meth:`can_copy`."""
        await self._settle_in_flight()
        if self._upload_id is None:
            self._upload_id = await self._store.create_multipart(
                self.key, content_type=self._content_type, metadata=self._metadata
            )
        number = len(self._parts) + 1
        self._parts.append(await self._store.copy_part(self.key, self._upload_id, number, key))
        self.size += size

    async def append_stored(self, key: str, size: int, window: int) -> None:
        """Append the stored object ``key``: copied when it can be, else read in ranges."""
        if self.can_copy(size):
            await self.copy_object(key, size)
            return
        for start in range(0, size, window):
            await self.write(await self._store.get_range(key, start, min(start + window, size) - 1))

    async def finish(self) -> None:
        """Make the object visible."""
        try:
            if self._upload_id is None:
                await self._store.put(
                    self.key,
                    await self._buffer.body(),
                    content_type=self._content_type,
                    metadata=self._metadata,
                )
            else:
                if self._buffer.size:
                    await self._send_part()
                await self._settle_in_flight()
                await self._store.complete_multipart(self.key, self._upload_id, self._parts)
                self._upload_id = None
            self.stored = True
        finally:
            await self._buffer.close()

    async def suspend(self) -> Suspended:
        """Stop without completing: store no more parts, keep the multipart upload open."""
        await self._settle_in_flight()
        progress = (
            MultipartProgress(self._upload_id, tuple(self._parts)) if self._upload_id else None
        )
        leftover, self._buffer = self._buffer, self._new_buffer()
        self._upload_id = None
        return Suspended(progress, leftover)

    async def abort(self) -> None:
        """Discard everything written; delete the object if it was already stored.

        A part already on its way is let finish first: S3 may keep a part whose
        upload was still running when the multipart upload was aborted.
        """
        with contextlib.suppress(Exception):
            await self._settle_in_flight()
        await self._buffer.close()
        if self._upload_id is not None:
            await self._store.abort_multipart(self.key, self._upload_id)
            self._upload_id = None
        if self.stored:
            await self._store.delete([self.key])
            self.stored = False
