"""The ObjectStore contract, run against the S3 adapter on a real SeaweedFS."""

from __future__ import annotations

import hashlib
import io
import os
import secrets
from pathlib import Path

import aiohttp
import pytest

from intake.adapters.s3 import S3ObjectStore
from intake.core.errors import ObjectNotFound
from intake.core.object_store import MadeBody, SpooledBody
from intake.uploads.object_writer import ObjectWriter, WriterLimits

MiB = 1024 * 1024


def fresh_prefix() -> str:
    return f"contract/{secrets.token_hex(6)}/"


async def test_put_head_get_range_and_delete(s3_store: S3ObjectStore) -> None:
    key = fresh_prefix() + "a"
    await s3_store.put(key, b"0123456789", content_type="image/png", metadata={"file-id": "f1"})
    info = await s3_store.head(key)
    assert (info.size, info.content_type, dict(info.metadata)) == (
        10,
        "image/png",
        {"file-id": "f1"},
    )
    assert await s3_store.get_range(key, 2, 5) == b"2345"
    await s3_store.delete([key])
    await s3_store.delete([key])  # deleting what is gone is not an error
    with pytest.raises(ObjectNotFound):
        await s3_store.head(key)
    with pytest.raises(ObjectNotFound):
        await s3_store.get_range(key, 0, 1)


async def test_put_from_a_spooled_file(s3_store: S3ObjectStore, tmp_path: Path) -> None:
    path = tmp_path / "part"
    path.write_bytes(b"x" * 1000)
    key = fresh_prefix() + "spooled"
    await s3_store.put(key, SpooledBody(path, 1000), content_type="video/mp4", metadata={})
    assert (await s3_store.head(key)).size == 1000


async def test_a_spooled_part_goes_up_in_large_blocks(
    s3_store: S3ObjectStore, tmp_path: Path
) -> None:
    """Each read of a spooled body is a call into its (sealing) reader, a copy of what it
    sealed and a send of its own: botocore has urllib3 read 128 KiB at a time."""
    path = tmp_path / "part"
    data = os.urandom(3 * MiB)
    path.write_bytes(data)
    reads: list[int] = []

    class CountedReads(io.FileIO):
        def read(self, size: int | None = -1) -> bytes:
            reads.append(-1 if size is None else size)
            return super().read(size)

    key = fresh_prefix() + "blocks"
    upload_id = await s3_store.create_multipart(key, content_type="video/mp4", metadata={})
    part = await s3_store.upload_part(key, upload_id, 1, SpooledBody(path, len(data), CountedReads))
    await s3_store.complete_multipart(key, upload_id, [part])
    assert await s3_store.get_range(key, 0, len(data) - 1) == data
    assert 0 < len(reads) <= 4, reads


async def test_bytes_made_on_the_stores_thread_are_stored_as_made(
    s3_store: S3ObjectStore,
) -> None:
    key = fresh_prefix() + "made"
    first, last = os.urandom(5 * MiB), os.urandom(300)
    made: list[int] = []

    def maker(data: bytes) -> MadeBody:
        def make() -> bytes:
            made.append(len(data))
            return data

        return MadeBody(len(data), make)

    await s3_store.put(key, maker(last), content_type="video/mp4", metadata={})
    assert await s3_store.get_range(key, 0, 299) == last
    upload = await s3_store.create_multipart(key + "-parts", content_type="video/mp4", metadata={})
    parts = [
        await s3_store.upload_part(key + "-parts", upload, 1, maker(first)),
        await s3_store.upload_part(key + "-parts", upload, 2, maker(last)),
    ]
    await s3_store.complete_multipart(key + "-parts", upload, parts)
    assert await s3_store.get_range(key + "-parts", len(first) - 1, len(first)) == bytes(
        [first[-1], last[0]]
    )
    assert made == [300, 5 * MiB, 300]  # each made once


async def test_multipart_with_a_copied_part_joins_in_order(s3_store: S3ObjectStore) -> None:
    prefix = fresh_prefix()
    key, tail_key = prefix + "joined", prefix + "tail"
    first, tail = os.urandom(5 * MiB), os.urandom(1000)
    await s3_store.put(tail_key, tail, content_type="application/octet-stream", metadata={})
    upload = await s3_store.create_multipart(key, content_type="video/mp4", metadata={"a": "1"})
    assert (key, upload) in await s3_store.list_multipart_uploads(prefix)
    parts = [
        await s3_store.upload_part(key, upload, 1, first),
        await s3_store.copy_part(key, upload, 2, tail_key),
    ]
    await s3_store.complete_multipart(key, upload, parts)
    assert await s3_store.list_multipart_uploads(prefix) == []
    info = await s3_store.head(key)
    assert info.size == len(first) + len(tail)
    assert await s3_store.get_range(key, len(first) - 2, len(first) + 1) == first[-2:] + tail[:2]


async def test_abort_leaves_no_upload(s3_store: S3ObjectStore) -> None:
    prefix = fresh_prefix()
    upload = await s3_store.create_multipart(prefix + "k", content_type="video/mp4", metadata={})
    await s3_store.upload_part(prefix + "k", upload, 1, b"x" * 100)
    await s3_store.abort_multipart(prefix + "k", upload)
    await s3_store.abort_multipart(prefix + "k", upload)
    assert await s3_store.list_multipart_uploads(prefix) == []
    assert await s3_store.list_keys(prefix) == []


async def test_presigned_url_reads_and_anonymous_does_not(s3_store: S3ObjectStore) -> None:
    key = fresh_prefix() + "private"
    await s3_store.put(key, b"secret bytes", content_type="image/jpeg", metadata={})
    url = await s3_store.presign_get(key, seconds=60)
    plain = url.split("?", 1)[0]
    async with aiohttp.ClientSession() as http:
        async with http.get(url) as signed:
            assert signed.status == 200
            assert await signed.read() == b"secret bytes"
        async with http.get(plain) as anonymous:
            assert anonymous.status == 403


async def test_list_keys_pages_through_everything(s3_store: S3ObjectStore) -> None:
    prefix = fresh_prefix()
    keys = [f"{prefix}{i:04d}" for i in range(1100)]
    for key in keys[:5]:
        await s3_store.put(key, b"", content_type="text/plain", metadata={})
    assert await s3_store.list_keys(prefix) == keys[:5]
    await s3_store.delete(keys)  # more than one delete batch, mostly absent
    assert await s3_store.list_keys(prefix) == []


LIMITS = WriterLimits(part_size=5 * MiB, memory_buffer=256 * 1024)


async def write_all(writer: ObjectWriter, data: bytes, chunk: int = 300_000) -> None:
    for start in range(0, len(data), chunk):
        await writer.write(data[start : start + chunk])


@pytest.mark.parametrize("size", [1, 5 * MiB - 1, 5 * MiB, 12 * MiB + 17])
async def test_writer_stores_any_size_byte_for_byte(s3_store: S3ObjectStore, size: int) -> None:
    data = os.urandom(size)
    prefix = fresh_prefix()
    writer = ObjectWriter(
        s3_store, prefix + "w", content_type="video/mp4", metadata={"file-id": "f"}, limits=LIMITS
    )
    await write_all(writer, data)
    await writer.finish()
    info = await s3_store.head(prefix + "w")
    assert info.size == size
    assert dict(info.metadata) == {"file-id": "f"}
    assert info.content_type == "video/mp4"
    stored = await s3_store.get_range(prefix + "w", 0, size - 1)
    assert hashlib.sha256(stored).digest() == hashlib.sha256(data).digest()
    assert await s3_store.list_multipart_uploads(prefix) == []


async def test_writer_spools_to_disk_and_cleans_up(s3_store: S3ObjectStore, tmp_path: Path) -> None:
    limits = WriterLimits(part_size=5 * MiB, memory_buffer=64 * 1024, spool_dir=str(tmp_path))
    writer = ObjectWriter(
        s3_store, fresh_prefix() + "s", content_type="video/mp4", metadata={}, limits=limits
    )
    await writer.write(os.urandom(3 * MiB))
    assert list(tmp_path.iterdir()), "bytes past the memory buffer go to a spool file"
    await writer.write(os.urandom(3 * MiB))
    await writer.finish()
    assert list(tmp_path.iterdir()) == []


async def test_writer_abort_leaves_nothing(s3_store: S3ObjectStore, tmp_path: Path) -> None:
    prefix = fresh_prefix()
    limits = WriterLimits(part_size=5 * MiB, memory_buffer=64 * 1024, spool_dir=str(tmp_path))
    writer = ObjectWriter(
        s3_store, prefix + "x", content_type="video/mp4", metadata={}, limits=limits
    )
    await write_all(writer, os.urandom(11 * MiB))
    assert await s3_store.list_multipart_uploads(prefix)
    await writer.abort()
    assert await s3_store.list_multipart_uploads(prefix) == []
    assert await s3_store.list_keys(prefix) == []
    assert list(tmp_path.iterdir()) == []


async def test_download_streams_a_whole_object_to_a_file(
    s3_store: S3ObjectStore, tmp_path: Path
) -> None:
    key = fresh_prefix() + "big"
    data = os.urandom(3 * MiB + 17)
    await s3_store.put(key, data, content_type="video/mp4", metadata={})
    target = tmp_path / "copy"
    assert await s3_store.download(key, target) == len(data)
    assert hashlib.sha256(target.read_bytes()).digest() == hashlib.sha256(data).digest()
    with pytest.raises(ObjectNotFound):
        await s3_store.download(fresh_prefix() + "missing", tmp_path / "none")
