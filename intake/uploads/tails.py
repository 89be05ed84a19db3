"""An upload's tail: the bytes after its last stored part, kept in the database until
enough of them make a part.

A PATCH that does not fill a part adds what is left of it to the tail, in pieces sealed
with the submission's data key (:mod:`intake.keys.tails`), in the transaction that saves
its offset; the PATCH that fills a part reads the tail back into it, a window at a time,
and its save deletes the tail. No S3 object is written or read for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator

import aiofiles

from intake.core.errors import StorageError
from intake.core.object_store import PartBody, SpooledBody
from intake.keys.keyring import KeyRing
from intake.keys.tails import open_tail, seal_tail
from intake.uploads.ports import UploadRepository
from intake.uploads.records import SealedTail, TailSpan, Upload

PIECE = 1024 * 1024
"""The most plaintext bytes one stored piece holds (a PATCH's leftover may take several)."""
OFFLOAD_BYTES = 256 * 1024
"""Pieces (or a window of them) at least this long are sealed and opened in a thread, off
the event loop."""


class Tails:
    def __init__(
        self, uploads: UploadRepository, keys: KeyRing, *, piece: int = PIECE, window: int = PIECE
    ) -> None:
        self._uploads = uploads
        self._keys = keys
        self._piece = piece
        self._window = window

    async def sealed(
        self, upload: Upload, start: int, body: PartBody
    ) -> AsyncGenerator[SealedTail]:
        """``body``, the upload's bytes from offset ``start`` on, as pieces sealed one at a
        time while they are read (by the save that stores them). The data key is fetched
        now, before any transaction begins."""
        data_key = await self._keys.for_writing(upload.submission_id)
        return self._seal_pieces(data_key, upload.id, start, body)

    async def _seal_pieces(
        self, data_key: bytes, upload_id: str, start: int, body: PartBody
    ) -> AsyncGenerator[SealedTail]:
        at = start
        async for plain in self._pieces(body):
            if len(plain) >= OFFLOAD_BYTES:
                sealed = await asyncio.to_thread(seal_tail, data_key, upload_id, at, plain)
            else:
                sealed = seal_tail(data_key, upload_id, at, plain)
            yield SealedTail(at, len(plain), sealed)
            at += len(plain)

    async def _pieces(self, body: PartBody) -> AsyncIterator[bytes | memoryview]:
        if isinstance(body, SpooledBody):
            async with aiofiles.open(body.path, "rb") as file:
                while piece := await file.read(self._piece):
                    yield piece
            return
        view = memoryview(body)
        for at in range(0, len(view), self._piece):
            yield view[at : at + self._piece]

    async def read(self, upload: Upload) -> AsyncIterator[bytes]:
        """The upload's tail, opened, in order, a window (or one longer piece) at a time;
        the next window is read from the database while this one is opened and used, so
        at most two are held. :class:`StorageError` when its pieces do not make it whole."""
        spans = await self._uploads.tail_spans(upload.id)
        _check_whole(upload, spans)
        if not spans:
            return
        data_key = await self._keys.for_reading(upload.submission_id)
        batches = iter(self._batches(spans))

        def fetch() -> asyncio.Future[list[SealedTail]] | None:
            batch = next(batches, None)
            if batch is None:
                return None
            return asyncio.ensure_future(self._uploads.tail_pieces(upload.id, *batch))

        def opened(pieces: list[SealedTail]) -> list[bytes]:
            return [open_tail(data_key, upload.id, p.start, p.sealed, p.size) for p in pieces]

        coming = fetch()
        try:
            while coming is not None:
                pieces = await coming
                coming = fetch()
                if sum(piece.size for piece in pieces) >= OFFLOAD_BYTES:
                    for plain in await asyncio.to_thread(opened, pieces):
                        yield plain
                else:
                    for plain in opened(pieces):
                        yield plain
        finally:
            if coming is not None:  # not read to the end: the window ahead is not needed
                coming.cancel()
                coming.add_done_callback(_retrieved)

    def _batches(self, spans: list[TailSpan]) -> list[tuple[int, int]]:
        """The spans grouped in runs of at most a window (a piece longer stands alone),
        each as the offsets of its first and last piece."""
        batches: list[tuple[int, int]] = []
        first, held = spans[0].start, 0
        for span, following in zip(spans, [*spans[1:], None], strict=True):
            held += span.size
            if following is None or held + following.size > self._window:
                batches.append((first, span.start))
                if following is not None:
                    first, held = following.start, 0
        return batches


def _retrieved(future: asyncio.Future[list[SealedTail]]) -> None:
    """Take a read's failure, if it failed before it was cancelled (nothing waits for it)."""
    if not future.cancelled():
        future.exception()


def _check_whole(upload: Upload, spans: list[TailSpan]) -> None:
    """The pieces follow each other from where the tail starts to the upload's offset."""
    at = upload.offset - upload.tail_size
    for span in spans:
        if span.start != at:
            break
        at += span.size
    else:
        if at == upload.offset:
            return
    raise StorageError(f"upload {upload.id}: its tail in the database is not whole")
