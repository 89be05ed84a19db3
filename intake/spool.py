"""A part-sized byte buffer that keeps a little in memory and spools the rest to disk."""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from pathlib import Path

import aiofiles
import aiofiles.os
from aiofiles.threadpool.binary import AsyncBufferedIOBase

from intake.ports import PartBody, SpooledBody


class PartBuffer:
    """Collects the bytes of one part.

    Up to ``memory_limit`` bytes stay in memory; past that they go to a temporary file
    written with aiofiles, so memory stays bounded whatever the part size. The spool
    file lives only as long as the buffer: :meth:`close` removes it.
    """

    def __init__(self, memory_limit: int, spool_dir: str | None = None) -> None:
        self._memory_limit = memory_limit
        self._spool_dir = spool_dir or None
        self._memory = bytearray()
        self._file: AsyncBufferedIOBase | None = None
        self._path: Path | None = None
        self._spooled = 0

    @property
    def size(self) -> int:
        return self._spooled + len(self._memory)

    async def write(self, chunk: bytes | memoryview) -> None:
        self._memory += chunk
        if len(self._memory) > self._memory_limit:
            await self._flush()

    async def _flush(self) -> None:
        if self._file is None:
            fd, name = await asyncio.to_thread(
                tempfile.mkstemp, prefix="intake-part-", dir=self._spool_dir
            )
            os.close(fd)
            self._path = Path(name)
            self._file = await aiofiles.open(self._path, "wb")
        await self._file.write(self._memory)
        self._spooled += len(self._memory)
        self._memory = bytearray()

    async def body(self) -> PartBody:
        """The collected bytes, in memory when small and on disk (flushed) when not."""
        if self._file is None:
            return bytes(self._memory)
        await self._flush()
        await self._file.flush()
        assert self._path is not None
        return SpooledBody(self._path, self._spooled)

    async def close(self) -> None:
        self._memory = bytearray()
        if self._file is not None:
            await self._file.close()
            self._file = None
        if self._path is not None:
            with contextlib.suppress(FileNotFoundError):
                await aiofiles.os.remove(self._path)
            self._path = None
