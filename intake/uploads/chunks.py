"""One PATCH of a resumable upload: its bytes into S3, continuing where the last stopped.

State between requests lives in the bucket and the database, never on this node:
full parts go into the S3 multipart upload of the final object; fewer bytes than a
part are kept as *segments* (one object per request, under ``incoming/``). Segments
are read back only once, by the request whose bytes complete a part with them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol

from intake.core.bucket_layout import object_metadata, segment_key
from intake.core.errors import BadRequest, ChecksumMismatch, PayloadTooLarge
from intake.core.object_store import ObjectStore
from intake.core.sizes import describe_size
from intake.media.types import KNOWN_TYPES, MediaKind
from intake.uploads.filters import HeadCollector, ResumableSha256, SizeLimit
from intake.uploads.object_writer import MultipartProgress, ObjectWriter, WriterLimits
from intake.uploads.policy import FilePolicy
from intake.uploads.records import Concat, Segment, Upload, UploadState

READ_WINDOW = 1024 * 1024
OCTET_STREAM = "application/octet-stream"
CHECKSUM_ALGORITHMS = ("sha1", "sha256")


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
    upload: Upload
    obsolete: tuple[Segment, ...]


class ChunkWriter:
    """Receives one request's bytes for ``upload`` (whose lease the caller holds)."""

    def __init__(
        self,
        store: ObjectStore,
        upload: Upload,
        *,
        policy: FilePolicy,
        limits: WriterLimits,
        max_bytes: int,
    ) -> None:
        self._store = store
        self._upload = upload
        self._policy = policy
        self._limits = limits
        self._hash = ResumableSha256(upload.hash_state or None)
        self._head = HeadCollector(policy.sniff_bytes)
        self._head.feed(upload.head)
        self._pending: list[bytes] = []
        self._writer: ObjectWriter | None = None
        self._prefetched = False
        self._limits_in_force = [SizeLimit(max_bytes, upload.filename or "This file",
                                           count=upload.offset)]  # fmt: skip
        self.media_type = upload.media_type
        self.received = 0

    @property
    def _partial(self) -> bool:
        return self._upload.concat is Concat.PARTIAL

    def _content_type(self) -> str:
        return self.media_type or OCTET_STREAM

    async def _open_writer(self, prefetch: bool) -> ObjectWriter:
        u = self._upload
        writer = ObjectWriter(
            self._store,
            u.object_key,
            content_type=self._content_type(),
            metadata={} if self._partial else object_metadata(u.submission_id, u.id,
                                                              self._content_type()),
            limits=self._limits,
            resume=MultipartProgress(u.s3_upload_id, u.parts) if u.s3_upload_id else None,
        )  # fmt: skip
        if prefetch:
            for segment in u.segments:
                await writer.append_object(segment.key, segment.size, READ_WINDOW)
            self._prefetched = True
        return writer

    def _sniff(self) -> None:
        media_type = self._policy.check_type(self._head.head, self._upload.filename)
        self.media_type = media_type.mime
        cap = self._policy.max_bytes[media_type.kind]
        what = f"{self._upload.filename or 'This file'} ({media_type.kind.value})"
        self._limits_in_force.append(
            SizeLimit(cap, what, count=self._upload.offset + self.received)
        )
        if self._upload.length is not None and self._upload.length > cap:
            raise PayloadTooLarge(
                f"{self._upload.filename or 'This file'} is a {media_type.kind.value}; "
                f"those may be at most {describe_size(cap)}.",
                limit_bytes=cap,
            )

    async def receive(
        self, body: ChunkSource, *, content_length: int | None, checksum: ChunkChecksum | None
    ) -> None:
        """Take the request's bytes. Raises before anything is committed on a refusal."""
        u = self._upload
        room = (u.length - u.offset) if u.length is not None else None
        digest = hashlib.new(checksum.algorithm) if checksum else None
        will_fill = (
            content_length is None
            or u.segments_size + content_length >= self._limits.part_size
            or (u.length is not None and u.offset + content_length >= u.length)
        )
        async for chunk in body:
            if room is not None and self.received + len(chunk) > room:
                raise BadRequest("The chunk goes past Upload-Length; send only what is left.")
            for limit in self._limits_in_force:
                limit.feed(chunk)
            if digest is not None:
                digest.update(chunk)
            self._hash.feed(chunk)
            self.received += len(chunk)
            await self._write(chunk, prefetch=will_fill and bool(u.segments))
        if checksum is not None and (body.cut or digest is None
                                     or digest.digest() != checksum.digest):  # fmt: skip
            raise ChecksumMismatch(
                f"The chunk's {checksum.algorithm} does not match Upload-Checksum; "
                "it was discarded, send it again."
            )

    async def _write(self, chunk: bytes, *, prefetch: bool) -> None:
        if not self.media_type and not self._partial:
            self._head.feed(chunk)
            if not self._head.full:
                self._pending.append(chunk)
                return
            self._sniff()
            chunks, self._pending = [*self._pending, chunk], []
        else:
            chunks = [chunk]
        if self._writer is None:
            self._writer = await self._open_writer(prefetch)
        for piece in chunks:
            await self._writer.write(piece)

    async def _flush_pending(self, complete: bool) -> ObjectWriter:
        if complete and not self.media_type and not self._partial:
            self._sniff()
        if self._writer is None:
            self._writer = await self._open_writer(
                prefetch=complete and bool(self._upload.segments)
            )
        pending, self._pending = self._pending, []
        for piece in pending:
            await self._writer.write(piece)
        return self._writer

    async def commit(self, now: dt.datetime, expires_at: dt.datetime) -> ChunkResult:
        """Store what was received: complete the object, or keep the rest as a segment."""
        u = self._upload
        new_offset = u.offset + self.received
        complete = u.length is not None and new_offset == u.length
        writer = await self._flush_pending(complete)
        old_segments = u.segments if self._prefetched else ()
        kept = () if self._prefetched else u.segments
        if complete:
            extra = {} if self._partial else {"sha256": self._hash.hexdigest}
            await writer.finish(extra)
            updated = dataclasses.replace(
                u, state=UploadState.COMPLETE, offset=new_offset, sha256=extra.get("sha256", ""),
                media_type=self.media_type, kind=self._kind(), s3_upload_id="", parts=(),
                segments=(), head=b"", hash_state=self._hash.state, updated_at=now,
                expires_at=expires_at,
            )  # fmt: skip
            return ChunkResult(updated, u.segments)
        suspended = await writer.suspend()
        try:
            segments = kept
            if size := suspended.leftover.size:
                key = segment_key(u.id, new_offset - size, new_offset)
                body = await suspended.leftover.body()
                await self._store.put(key, body, content_type=OCTET_STREAM, metadata={})
                segments = (*kept, Segment(key, size))
        finally:
            await suspended.leftover.close()
        progress = suspended.progress
        updated = dataclasses.replace(
            u, offset=new_offset, media_type=self.media_type, kind=self._kind(),
            s3_upload_id=progress.upload_id if progress else "",
            parts=progress.parts if progress else (), segments=segments,
            head=b"" if self.media_type else self._head.head, hash_state=self._hash.state,
            updated_at=now, expires_at=expires_at,
        )  # fmt: skip
        obsolete = tuple(s for s in old_segments if s not in segments)
        return ChunkResult(updated, obsolete)

    def _kind(self) -> str:
        known = KNOWN_TYPES.get(self.media_type)
        return known.kind.value if known else ""

    async def discard(self) -> None:
        """Drop what this request wrote that the upload's stored state does not list."""
        if self._writer is None:
            return
        if self._upload.s3_upload_id:
            suspended = await self._writer.suspend()
            await suspended.leftover.close()
        else:
            await self._writer.abort()


def kind_cap(policy: FilePolicy, declared_type: str) -> int:
    """The size cap for a file that says it is ``declared_type`` (the larger if unsure)."""
    if declared_type.startswith("image/"):
        return policy.max_bytes[MediaKind.PHOTO]
    if declared_type.startswith("video/"):
        return policy.max_bytes[MediaKind.VIDEO]
    return max(policy.max_bytes.values())
