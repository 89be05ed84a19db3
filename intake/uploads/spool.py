"""A part-sized byte buffer that keeps a little in memory and spools the rest to disk.

Memory comes from two limits: each buffer's own (``memory_limit``) and a budget shared
by every buffer of the process (:class:`MemoryBudget`), so that one upload is fast in
memory and sixty-four at once spill to disk instead of growing the process.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from pathlib import Path

import aiofiles
import aiofiles.os
from aiofiles.threadpool.binary import AsyncBufferedIOBase

from intake.core.object_store import PartBody, SpooledBody

SPOOL_WRITE_BLOCK = 1024 * 1024


class MemoryBudget:
    """Bytes of buffers the whole process may hold in memory at once."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.used = 0

    def take(self, size: int) -> bool:
        if self.used + size > self.total:
            return False
        self.used += size
        return True

    def give_back(self, size: int) -> None:
        self.used = max(self.used - size, 0)


class PartBuffer:
    """Collects the bytes of one part.

    Up to ``memory_limit`` bytes stay in memory while the shared budget allows; past that
    they move to a temporary file written with aiofiles. Later chunks are gathered into
    writes of ``write_block`` bytes (each write is a trip to a thread, which costs more
    CPU than the copy when chunks are small), again only while the budget allows, so
    memory stays bounded whatever the part size and however many buffers spill at once.
    The spool file lives only as long as the buffer: :meth:`close` removes it.
    """

    def __init__(
        self,
        memory_limit: int,
        spool_dir: str | None = None,
        budget: MemoryBudget | None = None,
        write_block: int = SPOOL_WRITE_BLOCK,
    ) -> None:
        self._memory_limit = memory_limit
        self._write_block = write_block
        self._spool_dir = spool_dir or None
        self._budget = budget
        self._memory = bytearray()
        self._held = 0
        self._file: AsyncBufferedIOBase | None = None
        self._path: Path | None = None
        self._spooled = 0

    @property
    def size(self) -> int:
        return self._spooled + len(self._memory)

    @property
    def in_memory(self) -> int:
        return len(self._memory)

    async def write(self, chunk: bytes | memoryview) -> None:
        limit = self._write_block if self._file else self._memory_limit
        if len(self._memory) + len(chunk) <= limit and self._take(len(chunk)):
            self._memory += chunk
            return
        if self._file is None:
            await self._spill()
        else:
            await self._write_out()
        if len(chunk) < self._write_block and self._take(len(chunk)):
            self._memory += chunk
            return
        assert self._file is not None
        await self._file.write(chunk)
        self._spooled += len(chunk)

    def _take(self, size: int) -> bool:
        if self._budget is not None and not self._budget.take(size):
            return False
        self._held += size
        return True

    async def _write_out(self) -> None:
        """Write the bytes gathered in memory to the spool file."""
        assert self._file is not None
        if self._memory:
            await self._file.write(self._memory)
            self._spooled += len(self._memory)
            self._memory = bytearray()
        self._release_budget()

    def _release_budget(self) -> None:
        if self._budget is not None and self._held:
            self._budget.give_back(self._held)
        self._held = 0

    async def _spill(self) -> None:
        """Move the bytes held in memory to a new spool file."""
        fd, name = await asyncio.to_thread(
            tempfile.mkstemp, prefix="intake-part-", dir=self._spool_dir
        )
        os.close(fd)
        self._path = Path(name)
        self._file = await aiofiles.open(self._path, "wb")
        await self._write_out()

    async def body(self) -> PartBody:
        """The collected bytes, in memory when small and on disk (flushed) when not.

        Called once, when the part is complete: the buffer gives its bytes away.
        """
        if self._file is None:  # given away, not copied; the budget holds it until close
            data, self._memory = self._memory, bytearray()
            return data
        await self._write_out()
        await self._file.flush()
        assert self._path is not None
        return SpooledBody(self._path, self._spooled)

    async def close(self) -> None:
        self._release_budget()
        self._memory = bytearray()
        if self._file is not None:
            await self._file.close()
            self._file = None
        if self._path is not None:
            with contextlib.suppress(FileNotFoundError):
                await aiofiles.os.remove(self._path)
            self._path = None
