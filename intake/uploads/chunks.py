"""One PATCH of a resumable upload: its bytes into S3, continuing where the last stopped.

State between requests lives in the bucket and the database, never on this node:
full parts go into the S3 multipart upload of the final object; fewer bytes than a
part are kept in the database as the upload's *tail* (:mod:`.tails`), saved with the
offset. The tail is read back only once, by the request whose bytes complete a part
with it. (Versions before kept those bytes as *segments*, objects under ``incoming/``;
an upload that has some reads them back first, then deletes them.)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator
from dataclasses import dataclass
from typing import Protocol

from intake.core.bucket_layout import object_metadata
from intake.core.errors import BadRequest, ChecksumMismatch
from intake.core.object_store import ObjectStore
from intake.media.types import KNOWN_TYPES, MediaType
from intake.uploads.filters import SizeLimit
from intake.uploads.kept import KeptProgress
from intake.uploads.object_writer import MultipartProgress, ObjectWriter, WriterLimits
from intake.uploads.pipeline import IncomingFile, Progress
from intake.uploads.policy import FilePolicy
from intake.uploads.records import Concat, SealedTail, Segment, Upload, UploadState
from intake.uploads.spool import PartBuffer
from intake.uploads.tails import Tails

READ_WINDOW = 1024 * 1024
OCTET_STREAM = "application/octet-stream"
CHECKSUM_ALGORITHMS = ("sha1", "sha256")


def stays_in_tail(
    offset: int, length: int | None, held: int, content_length: int, part_size: int
) -> bool:
    """Whether every byte of a PATCH of ``content_length`` bytes stays in the tail of an
    upload at ``offset`` of ``length`` that holds ``held`` bytes after its last stored
    part: it fills no part and does not complete the upload, so the PATCH stores nothing
    in the bucket (and, held > 0, reads none of the tail back)."""
    ends = length is not None and offset + content_length >= length
    return not ends and held + content_length < part_size


class ChunkSource(Protocol):
    """A request body: its chunks, and whether the client went away before its end."""

    cut: bool

    def __aiter__(self) -> AsyncIterator[bytes]: ...


@dataclass(frozen=True)
class ChunkChecksum:
    algorithm: str
    digest: bytes


@dataclass(frozen=True)
class ChunkResult:
    """The upload as the request leaves it, for the save that commits it."""

    upload: Upload
    obsolete: tuple[Segment, ...] = ()
    """Segments whose bytes are in a part or in the tail now: deleted once it is saved."""
    drop_tail: bool = False
    """The upload had a tail, and its bytes are in a part or in ``tail`` now."""
    tail_stored: bool = False
    """Every byte of the dropped tail is in a stored part or object now (none in ``tail``)."""
    tail: AsyncIterable[SealedTail] | None = None
    """What the request adds to the tail, sealed as the save reads it."""


class ChunkWriter:
    """Receives one request's bytes for ``upload`` (whose lease the caller holds), through
    the pipeline every file takes (:class:`~intake.uploads.pipeline.IncomingFile`)."""

    def __init__(
        self,
        store: ObjectStore,
        tails: Tails,
        kept: KeptProgress,
        upload: Upload,
        *,
        policy: FilePolicy,
        limits: WriterLimits,
        max_bytes: int,
    ) -> None:
        self._store = store
        self._tails = tails
        self._kept = kept
        self._upload = upload
        self._leftover: PartBuffer | None = None
        self._tail: AsyncGenerator[SealedTail] | None = None
        self._limits = limits
        self._policy = policy
        self._max_bytes = max_bytes
        self._prefetch = False
        self._prefetched = False
        self._incoming: IncomingFile | None = None
        self.received = 0

    async def _file(self) -> IncomingFile:
        """The file's pipeline, continued where the upload stands (its head and hash state
        opened first)."""
        if self._incoming is None:
            u = self._upload
            self._incoming = IncomingFile(
                self._policy,
                u.filename,
                self._open_writer,
                limits=[SizeLimit(self._max_bytes, u.filename or "This file", count=u.offset)],
                declared_size=u.length,
                progress=await self._kept.opened(u),
                piece=u.concat is Concat.PARTIAL,
                resumable=True,
            )
        return self._incoming

    @property
    def _partial(self) -> bool:
        return self._upload.concat is Concat.PARTIAL

    async def _open_writer(self, media_type: MediaType | None) -> ObjectWriter:
        u = self._upload
        content_type = media_type.mime if media_type else OCTET_STREAM
        writer = ObjectWriter(
            self._store,
            u.object_key,
            content_type=content_type,
            metadata={} if self._partial else object_metadata(u.submission_id, u.id,
                                                              content_type),
            limits=self._limits,
            resume=MultipartProgress(u.s3_upload_id, u.parts) if u.s3_upload_id else None,
        )  # fmt: skip
        if self._prefetch:
            for segment in u.segments:
                await writer.append_stored(segment.key, segment.size, READ_WINDOW)
            async for piece in self._tails.read(u):
                await writer.write(piece)
            self._prefetched = True
        return writer

    async def receive(
        self, body: ChunkSource, *, content_length: int | None, checksum: ChunkChecksum | None
    ) -> None:
        """Take the request's bytes. Raises before anything is committed on a refusal."""
        u = self._upload
        room = (u.length - u.offset) if u.length is not None else None
        digest = hashlib.new(checksum.algorithm) if checksum else None
        self._prefetch = u.held_size > 0 and (
            content_length is None
            or not stays_in_tail(
                u.offset, u.length, u.held_size, content_length, self._limits.part_size
            )
        )
        incoming = await self._file()
        async for chunk in body:
            if room is not None and self.received + len(chunk) > room:
                raise BadRequest("The chunk goes past Upload-Length; send only what is left.")
            if digest is not None:
                digest.update(chunk)
            self.received += len(chunk)
            await incoming.feed(chunk)
        if checksum is not None and (body.cut or digest is None
                                     or digest.digest() != checksum.digest):  # fmt: skip
            raise ChecksumMismatch(
                f"The chunk's {checksum.algorithm} does not match Upload-Checksum; "
                "it was discarded, send it again."
            )

    async def commit(self, now: dt.datetime, expires_at: dt.datetime) -> ChunkResult:
        """Store what was received: complete the object, or keep the rest as the upload's
        tail. The leftover bytes stay held until :meth:`close` (after the save)."""
        u = self._upload
        incoming = await self._file()
        new_offset = u.offset + self.received
        complete = u.length is not None and new_offset == u.length
        if complete:
            self._prefetch = u.held_size > 0
            writer = await incoming.end()
            await writer.finish()
            sha256 = "" if self._partial else incoming.sha256
            progress = incoming.progress
            updated = dataclasses.replace(
                u, state=UploadState.COMPLETE, offset=new_offset, sha256=sha256,
                media_type=progress.media_type, kind=self._kind(progress), s3_upload_id="",
                parts=(), segments=(), tail_size=0, head=b"", hash_state=b"",
                updated_at=now, expires_at=expires_at,
            )  # fmt: skip
            return ChunkResult(updated, u.segments, drop_tail=u.tail_size > 0, tail_stored=True)
        progress = await incoming.pause()
        sealed = await self._kept.sealed(u, progress)
        if incoming.writer is None:
            updated = dataclasses.replace(u, head=sealed.head, hash_state=sealed.hash_state,
                                          updated_at=now, expires_at=expires_at)  # fmt: skip
            return ChunkResult(updated)
        suspended = await incoming.writer.suspend()
        self._leftover = suspended.leftover
        size = self._leftover.size
        kept = u.tail_size if not self._prefetched else 0
        if size:
            body = await self._leftover.body()
            self._tail = await self._tails.sealed(u, new_offset - size, body)
        multipart = suspended.progress
        updated = dataclasses.replace(
            u, offset=new_offset, media_type=progress.media_type, kind=self._kind(progress),
            s3_upload_id=multipart.upload_id if multipart else "",
            parts=multipart.parts if multipart else (),
            segments=() if self._prefetched else u.segments, tail_size=kept + size,
            head=sealed.head, hash_state=sealed.hash_state, updated_at=now,
            expires_at=expires_at,
        )  # fmt: skip
        if self._prefetched:
            return ChunkResult(updated, u.segments, drop_tail=True, tail=self._tail,
                               tail_stored=size <= self.received)  # fmt: skip
        return ChunkResult(updated, tail=self._tail)

    @staticmethod
    def _kind(progress: Progress) -> str:
        known = KNOWN_TYPES.get(progress.media_type)
        return known.kind.value if known else ""

    async def close(self) -> None:
        """Let the leftover bytes go (once saved, or not to be)."""
        tail, self._tail = self._tail, None
        leftover, self._leftover = self._leftover, None
        if tail is not None:
            await tail.aclose()
        if leftover is not None:
            await leftover.close()

    async def discard(self) -> None:
        """Drop what this request wrote that the upload's stored state does not list."""
        await self.close()
        writer = self._incoming.writer if self._incoming is not None else None
        if writer is None:
            return
        if self._upload.s3_upload_id:
            suspended = await writer.suspend()
            await suspended.leftover.close()
        else:
            await writer.abort()
