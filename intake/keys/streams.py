"""Sealed files read and written a few blocks at a time (memory stays small)."""

from __future__ import annotations

import io
from pathlib import Path

from intake.keys.blocks import BLOCK, TAG, Sealer, block_count

CHUNK_BLOCKS = 16


def sealed_length(plain: int, *, final: bool) -> int:
    """The sealed size of ``plain`` bytes, with or without the final block."""
    return plain + TAG * block_count(plain) + (TAG if final else 0)


class SealingReader(io.RawIOBase):
    """The file at ``path`` read sealed, from block ``first_block`` on (then the final
    block when ``final``): what an upload sends, sealed as it is read, written nowhere.
    Seekable, so that a retried request can read it again."""

    def __init__(self, sealer: Sealer, path: Path, first_block: int, final: bool) -> None:
        super().__init__()
        self._sealer = sealer
        self._file = path.open("rb")
        self._first, self._final = first_block, final
        self._length = sealed_length(path.stat().st_size, final=final)
        self._rewind()

    def _rewind(self) -> None:
        self._file.seek(0)
        self._block, self._pos, self._done = self._first, 0, False
        self._buffer, self._at = b"", 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        target = (
            offset + {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._length}[whence]
        )
        if target < self._pos:
            self._rewind()
        while self._pos < target and self.read(min(target - self._pos, 1 << 20)):
            pass
        return self._pos

    def _refill(self) -> None:
        chunk = self._file.read(BLOCK * CHUNK_BLOCKS)
        last = len(chunk) < BLOCK * CHUNK_BLOCKS
        if chunk or (last and self._final):
            final = last and self._final
            self._buffer, self._at = self._sealer.seal(chunk, self._block, final=final), 0
        self._block += block_count(len(chunk))
        self._done = last

    def _take(self, size: int) -> bytes:
        """Up to ``size`` sealed bytes, from what one refill sealed (a short read rather
        than a copy that joins two refills)."""
        if self._at >= len(self._buffer) and not self._done:
            self._buffer, self._at = b"", 0
            self._refill()
        n = min(size, len(self._buffer) - self._at)
        if n <= 0:
            return b""
        whole = self._at == 0 and n == len(self._buffer)
        data = self._buffer if whole else self._buffer[self._at : self._at + n]
        self._at += n
        self._pos += n
        return data

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return b"".join(iter(lambda: self._take(1 << 20), b""))
        return self._take(size)

    def readinto(self, target: bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(target).cast("B")
        data = self._take(len(view))
        view[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._file.close()
        super().close()


def open_file(sealer: Sealer, source: Path, target: Path, plain: int) -> None:
    """Open the whole sealed object in ``source`` into ``target``."""
    blocks = block_count(plain)
    with source.open("rb") as src, target.open("wb") as dst:
        for first in range(0, max(blocks, 1), CHUNK_BLOCKS):
            count = min(CHUNK_BLOCKS, blocks - first)
            size = min(plain - first * BLOCK, count * BLOCK) + count * TAG
            if first + count >= blocks:
                size += TAG
            dst.write(sealer.open(src.read(size), first, plain=plain))
