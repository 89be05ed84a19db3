"""Joining partial uploads (tus concatenation) into the final object.

The partials pass, in order, through the pipeline every file takes: the head of the
first is sniffed, the whole is capped and hashed in one read. Partials of 5 MiB or more
become parts by UploadPartCopy, inside the store; smaller ones are written as parts.
"""

from __future__ import annotations

import dataclasses

from intake.core.bucket_layout import object_metadata
from intake.core.object_store import ObjectStore
from intake.media.types import MediaType
from intake.uploads.object_writer import ObjectWriter
from intake.uploads.pipeline import IncomingFile
from intake.uploads.policy import UploadPolicy
from intake.uploads.records import Upload

READ_WINDOW = 8 * 1024 * 1024


async def join_partials(
    store: ObjectStore, final: Upload, parts: list[Upload], policy: UploadPolicy
) -> Upload:
    """Store the partials, in order, as ``final.object_key``; return ``final`` described."""
    length = sum(p.length or 0 for p in parts)

    async def open_writer(media_type: MediaType | None) -> ObjectWriter:
        assert media_type is not None
        metadata = object_metadata(final.submission_id, final.id, media_type.mime)
        return ObjectWriter(store, final.object_key, content_type=media_type.mime,
                            metadata=metadata, limits=policy.writer)  # fmt: skip

    incoming = IncomingFile(policy.files, final.filename, open_writer, declared_size=length)
    try:
        for part in parts:
            await incoming.feed_stored(store, part.object_key, part.length or 0, READ_WINDOW)
        writer = await incoming.end()
        await writer.finish()
    except BaseException:
        await incoming.abort()
        raise
    assert incoming.media_type is not None
    return dataclasses.replace(
        final, length=length, media_type=incoming.media_type.mime,
        kind=incoming.media_type.kind.value, sha256=incoming.sha256,
    )  # fmt: skip
