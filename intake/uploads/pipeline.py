"""One file's way from a byte stream into the object store: sniff, limit, hash, write."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass

from intake.core.errors import EmptyFile
from intake.media.types import MediaType
from intake.uploads.filters import HeadCollector, Sha256, SizeLimit
from intake.uploads.object_writer import ObjectWriter
from intake.uploads.policy import FilePolicy


@dataclass(frozen=True)
class ReceivedFile:
    media_type: MediaType
    size: int
    sha256: str


async def _read_head(chunks: AsyncIterator[bytes], head: HeadCollector) -> list[bytes]:
    pending: list[bytes] = []
    async for chunk in chunks:
        if chunk:
            pending.append(chunk)
            head.feed(chunk)
            if head.full:
                break
    return pending


async def receive_file(
    chunks: AsyncIterator[bytes],
    *,
    filename: str,
    policy: FilePolicy,
    open_writer: Callable[[MediaType], ObjectWriter],
    shared_limits: Sequence[SizeLimit] = (),
) -> ReceivedFile:
    """Store the stream as one object, or raise and leave nothing behind.

    The type is decided from the first ``policy.sniff_bytes`` before anything is
    stored: a refused type stops reading there. Every chunk then passes the
    per-kind size limit, the ``shared_limits`` (such as a submission's total) and
    the hash on its way to the writer.
    """
    head = HeadCollector(policy.sniff_bytes)
    pending = await _read_head(chunks, head)
    if not pending:
        raise EmptyFile(f"{filename or 'A file'} is empty; choose the file again.",
                        filename=filename)  # fmt: skip
    media_type = await asyncio.to_thread(policy.check_type, head.head, filename)
    what = f"{filename or 'This file'} ({media_type.kind.value})"
    limits = [SizeLimit(policy.max_bytes[media_type.kind], what), *shared_limits]
    digest = Sha256()
    writer = open_writer(media_type)
    try:
        async for chunk in _chain(pending, chunks):
            for limit in limits:
                limit.feed(chunk)
            digest.feed(chunk)
            await writer.write(chunk)
        await writer.finish({"sha256": digest.hexdigest})
    except BaseException:
        await asyncio.shield(writer.abort())
        raise
    return ReceivedFile(media_type, writer.size, digest.hexdigest)


async def _chain(first: list[bytes], rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    for chunk in first:
        yield chunk
    async for chunk in rest:
        if chunk:
            yield chunk
