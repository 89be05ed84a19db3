"""Joining partial uploads (tus concatenation) into the final object.

Partials of 5 MiB or more become parts by UploadPartCopy, inside the store; smaller
ones are read and written as parts. The joined file is then sniffed, capped and
hashed like any other (its head is the head of the first partial).
"""

from __future__ import annotations

import dataclasses

from intake.core.bucket_layout import object_metadata
from intake.core.errors import PayloadTooLarge
from intake.core.object_store import ObjectStore
from intake.core.sizes import describe_size
from intake.uploads.filters import Sha256
from intake.uploads.object_writer import ObjectWriter
from intake.uploads.policy import UploadPolicy
from intake.uploads.records import Upload

READ_WINDOW = 8 * 1024 * 1024


async def sha256_of(store: ObjectStore, key: str, size: int) -> str:
    digest = Sha256()
    for start in range(0, size, READ_WINDOW):
        digest.feed(await store.get_range(key, start, min(start + READ_WINDOW, size) - 1))
    return digest.hexdigest


async def join_partials(
    store: ObjectStore, final: Upload, parts: list[Upload], policy: UploadPolicy
) -> Upload:
    """Store the partials, in order, as ``final.object_key``; return ``final`` described."""
    length = sum(p.length or 0 for p in parts)
    head_size = min(policy.files.sniff_bytes, parts[0].length or 0)
    head = await store.get_range(parts[0].object_key, 0, head_size - 1) if head_size else b""
    media_type = policy.files.check_type(head, final.filename)
    cap = policy.files.max_bytes[media_type.kind]
    if length > cap:
        raise PayloadTooLarge(
            f"{final.filename or 'This file'} is a {media_type.kind.value} of "
            f"{describe_size(length)}; those may be at most {describe_size(cap)}.",
            limit_bytes=cap,
        )
    metadata = object_metadata(final.submission_id, final.id, media_type.mime)
    writer = ObjectWriter(store, final.object_key, content_type=media_type.mime,
                          metadata=metadata, limits=policy.writer)  # fmt: skip
    try:
        for part in parts:
            await writer.append_object(part.object_key, part.length or 0, READ_WINDOW)
        await writer.finish()
    except BaseException:
        await writer.abort()
        raise
    sha256 = await sha256_of(store, final.object_key, length)
    await store.replace_metadata(
        final.object_key, content_type=media_type.mime, metadata={**metadata, "sha256": sha256}
    )
    return dataclasses.replace(
        final, length=length, media_type=media_type.mime, kind=media_type.kind.value,
        sha256=sha256,
    )  # fmt: skip
