"""How a file gets in: the one sequence of every door (form, tus PATCH, concatenation).

    bytes -> sniff (libmagic on the first ``sniff_bytes``) -> size limits -> SHA-256 -> writer

No byte reaches the writer before its type is known and accepted: the first bytes wait
until libmagic has seen them, so a refused file stops there. A resumable upload carries
the sequence from one request to the next as :class:`Progress` (bytes passed, the head
while the type is still unknown, the hash state); the other doors run it in one go.
libmagic and hashing of large windows run in threads, never on the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass

from intake.core.errors import EmptyFile, PayloadTooLarge
from intake.core.object_store import ObjectStore
from intake.core.sizes import describe_size
from intake.media.types import KNOWN_TYPES, MediaType
from intake.uploads.filters import Hasher, HeadCollector, ResumableSha256, Sha256, SizeLimit
from intake.uploads.object_writer import ObjectWriter
from intake.uploads.policy import FilePolicy

OFFLOAD_BYTES = 1024 * 1024
"""Chunks at least this long are hashed in a thread (about half a millisecond of work)."""

OpenWriter = Callable[[MediaType | None], Awaitable[ObjectWriter]]
"""Opens the writer when the first bytes pass (``None``: the type is not checked)."""


@dataclass(frozen=True)
class Progress:
    """Where a file stands between two requests of a resumable upload."""

    received: int = 0
    """Bytes that passed the sequence (hashed, counted, written)."""
    head: bytes = b""
    """The first bytes, while too few of them came to know the type."""
    media_type: str = ""
    hash_state: bytes = b""


@dataclass(frozen=True)
class ReceivedFile:
    media_type: MediaType
    size: int
    sha256: str


class IncomingFile:
    """One file on its way in. ``limits`` (e.g. a submission's total) apply from the first
    byte, the cap of its kind once the type is known; ``declared_size`` (a resumable
    upload's length) is checked against that cap before a byte is written."""

    def __init__(
        self,
        policy: FilePolicy,
        filename: str,
        open_writer: OpenWriter,
        *,
        limits: Sequence[SizeLimit] = (),
        declared_size: int | None = None,
        progress: Progress | None = None,
        sniff: bool = True,
        piece: bool = False,
        resumable: bool = False,
    ) -> None:
        start = progress or Progress()
        self._policy = policy
        self._filename = filename
        self._open_writer = open_writer
        self._limits = list(limits)
        self._declared_size = declared_size
        self._hash: Hasher = (
            ResumableSha256(start.hash_state or None) if resumable or start.hash_state else Sha256()
        )
        self._head = HeadCollector(policy.sniff_bytes)
        self._head.feed(start.head)
        self._pending: list[bytes] = []
        self._sniffing = sniff and not start.media_type
        self._piece = piece
        self._piece_type = start.media_type if piece else ""
        self.media_type: MediaType | None = None if piece else KNOWN_TYPES.get(start.media_type)
        self.received = start.received
        self.writer: ObjectWriter | None = None

    async def feed(self, chunk: bytes) -> None:
        if not chunk:
            return
        if not self._sniffing:
            await self._pass(chunk)
            return
        self._head.feed(chunk)
        self._pending.append(chunk)
        if self._head.full:
            await self._sniff()
            await self._pass_pending()

    async def feed_stored(self, store: ObjectStore, key: str, size: int, window: int) -> None:
        """The ``size`` bytes stored at ``key`` (a partial upload being joined), read in
        ``window``-byte ranges; copied inside the store when the writer can take them
        as a whole part, written otherwise."""
        if self._sniffing and not self._pending and size >= self._policy.sniff_bytes:
            self._head.feed(await store.get_range(key, 0, self._policy.sniff_bytes - 1))
            await self._sniff()
        copy = not self._sniffing and (await self._writer()).can_copy(size)
        for start in range(0, size, window):
            chunk = await store.get_range(key, start, min(start + window, size) - 1)
            if copy:
                await self._count(chunk)
            else:
                await self.feed(chunk)
        if copy:
            await (await self._writer()).copy_object(key, size)

    async def end(self) -> ObjectWriter:
        """The file is all here: decide its type with what came, if not done yet."""
        if self._sniffing:
            if not self._head.head:
                raise EmptyFile(f"{self._filename or 'A file'} is empty; choose the file again.",
                                filename=self._filename)  # fmt: skip
            await self._sniff()
        await self._pass_pending()
        return await self._writer()

    async def pause(self) -> Progress:
        """The request ends before the file does: pass what waits (its type may still be
        unknown: the head is kept for the next request) and say where it stands."""
        await self._pass_pending()
        return self.progress

    @property
    def progress(self) -> Progress:
        return Progress(
            received=self.received,
            head=self._head.head if self._sniffing else b"",
            media_type=self.media_type.mime if self.media_type else self._piece_type,
            hash_state=self._hash.state if isinstance(self._hash, ResumableSha256) else b"",
        )

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest

    async def abort(self) -> None:
        if self.writer is not None:
            await asyncio.shield(self.writer.abort())

    async def _sniff(self) -> None:
        if self._piece:
            self._piece_type = await asyncio.to_thread(
                self._policy.check_piece, self._head.head, self._filename
            )
            self._sniffing = False
            return
        media_type = await asyncio.to_thread(
            self._policy.check_type, self._head.head, self._filename
        )
        self._sniffing = False
        self.media_type = media_type
        cap = self._policy.max_bytes[media_type.kind]
        what = f"{self._filename or 'This file'} ({media_type.kind.value})"
        if self._declared_size is not None and self._declared_size > cap:
            raise PayloadTooLarge(
                f"{what} is {describe_size(self._declared_size)}; files of this kind may be "
                f"at most {describe_size(cap)}.",
                limit_bytes=cap,
            )
        self._limits.append(SizeLimit(cap, what, count=self.received))

    async def _pass_pending(self) -> None:
        pending, self._pending = self._pending, []
        for chunk in pending:
            await self._pass(chunk)

    async def _count(self, chunk: bytes) -> None:
        for limit in self._limits:
            limit.feed(chunk)
        if len(chunk) >= OFFLOAD_BYTES:
            await asyncio.to_thread(self._hash.feed, chunk)
        else:
            self._hash.feed(chunk)
        self.received += len(chunk)

    async def _pass(self, chunk: bytes) -> None:
        await self._count(chunk)
        await (await self._writer()).write(chunk)

    async def _writer(self) -> ObjectWriter:
        if self.writer is None:
            self.writer = await self._open_writer(None if self._sniffing else self.media_type)
        return self.writer


async def receive_file(
    chunks: AsyncIterator[bytes],
    *,
    filename: str,
    policy: FilePolicy,
    open_writer: Callable[[MediaType], ObjectWriter],
    shared_limits: Sequence[SizeLimit] = (),
) -> ReceivedFile:
    """Store a whole stream as one object (the form door), or raise and leave nothing."""

    async def opened(media_type: MediaType | None) -> ObjectWriter:
        assert media_type is not None
        return open_writer(media_type)

    incoming = IncomingFile(policy, filename, opened, limits=shared_limits)
    try:
        async for chunk in chunks:
            await incoming.feed(chunk)
        writer = await incoming.end()
        await writer.finish()
    except BaseException:
        await incoming.abort()
        raise
    assert incoming.media_type is not None
    return ReceivedFile(incoming.media_type, incoming.received, incoming.sha256)
