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
from collections.abc import Sequence
from pathlib import Path

from intake.core.object_store import PartBody, SpooledBody

SPOOL_WRITE_BLOCK = 1024 * 1024
IOV_MAX = os.sysconf("SC_IOV_MAX")

Chunk = bytes | memoryview


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


def _kept(chunk: bytes | bytearray | memoryview) -> Chunk:
    """``chunk`` itself when nothing can change it later, else a copy (a ``bytearray``,
    or a view of one, may be changed by its owner)."""
    if isinstance(chunk, memoryview):
        return chunk if isinstance(chunk.obj, bytes) else bytes(chunk)
    return chunk if isinstance(chunk, bytes) else bytes(chunk)


def write_all(fd: int, chunks: Sequence[Chunk]) -> None:
    """Write ``chunks`` to ``fd`` in order, as few system calls as the kernel allows (no
    copy that joins them first)."""
    views = [memoryview(chunk) for chunk in chunks]
    at = 0
    while at < len(views):
        written = os.writev(fd, views[at : at + IOV_MAX])
        while at < len(views) and written >= len(views[at]):
            written -= len(views[at])
            at += 1
        if written:
            views[at] = views[at][written:]


def _create(directory: str | None, chunks: Sequence[Chunk]) -> Path:
    fd, name = tempfile.mkstemp(prefix="intake-part-", dir=directory)
    try:
        write_all(fd, chunks)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    finally:
        os.close(fd)
    return Path(name)


def _append(path: Path, chunks: Sequence[Chunk]) -> None:
    """Append ``chunks`` to ``path``, opened for this write only: a write still under way
    when its request is cancelled holds a descriptor of its own, never one reused."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    try:
        write_all(fd, chunks)
    finally:
        os.close(fd)


class PartBuffer:
    """Collects the bytes of one part.

    Up to ``memory_limit`` bytes stay in memory while the shared budget allows; past that
    they move to a temporary file. Later chunks are gathered, as they came, into writes of
    up to ``write_block`` bytes (each write is a trip to a thread, which costs more CPU
    than a copy when chunks are small; gathered chunks are written by one ``writev``, not
    joined first), again only while the budget allows, so memory stays bounded whatever
    the part size and however many buffers spill at once. Chunks are kept as they came,
    not copied into one growing buffer (whose copies, and pages mapped afresh past 1 MiB,
    cost more than all the rest of the spooling), unless their owner may change them. The
    spool file lives only as long as the buffer: :meth:`close` removes it.
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
        self._gathered: list[Chunk] = []
        self._gathered_size = 0
        self._held = 0
        self._path: Path | None = None
        self._spooled = 0

    @property
    def size(self) -> int:
        return self._spooled + self._gathered_size

    @property
    def in_memory(self) -> int:
        return self._gathered_size

    async def write(self, chunk: bytes | bytearray | memoryview) -> None:
        limit = self._write_block if self._path else self._memory_limit
        if self._gathered_size + len(chunk) <= limit and self._take(len(chunk)):
            self._gather(chunk)
            return
        await (self._write_out() if self._path else self._spill())
        if len(chunk) < self._write_block and self._take(len(chunk)):
            self._gather(chunk)
            return
        await self._write([_kept(chunk)])

    def _gather(self, chunk: bytes | bytearray | memoryview) -> None:
        self._gathered.append(_kept(chunk))
        self._gathered_size += len(chunk)

    def _take(self, size: int) -> bool:
        if self._budget is not None and not self._budget.take(size):
            return False
        self._held += size
        return True

    def _release_budget(self) -> None:
        if self._budget is not None and self._held:
            self._budget.give_back(self._held)
        self._held = 0

    async def _write(self, chunks: Sequence[Chunk]) -> None:
        assert self._path is not None
        await asyncio.to_thread(_append, self._path, chunks)
        self._spooled += sum(len(chunk) for chunk in chunks)

    def _take_gathered(self) -> list[Chunk]:
        gathered, self._gathered, self._gathered_size = self._gathered, [], 0
        return gathered

    async def _write_out(self) -> None:
        """Write the chunks gathered in memory to the spool file."""
        if gathered := self._take_gathered():
            await self._write(gathered)
        self._release_budget()

    async def _spill(self) -> None:
        """Move the chunks held in memory to a new spool file (made and written in one
        trip to a thread)."""
        gathered = self._take_gathered()
        made = asyncio.get_running_loop().run_in_executor(None, _create, self._spool_dir, gathered)
        try:
            self._path = await asyncio.shield(made)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):  # made all the same: close() removes it
                self._path = await made
            raise
        self._spooled += sum(len(chunk) for chunk in gathered)
        self._release_budget()

    async def body(self) -> PartBody:
        """The collected bytes, in memory when small and on disk when not.

        Called once, when the part is complete: the buffer gives its bytes away (joined
        into one, once); the budget holds them until :meth:`close`.
        """
        if self._path is None:
            return b"".join(self._take_gathered())
        await self._write_out()
        return SpooledBody(self._path, self._spooled)

    async def close(self) -> None:
        self._release_budget()
        self._take_gathered()
        if self._path is not None:
            path, self._path = self._path, None
            await asyncio.to_thread(path.unlink, missing_ok=True)
