"""Sealed objects, on the real SeaweedFS and each database: the bucket holds no byte of
what a reader sent, and its bytes are useless without the submission's data key; with
the master key, intake reads every file whole or by any range (a video seeks); rotating
the master key leaves every file readable."""

from __future__ import annotations

import io
import os
import random
from typing import Any

import aiohttp
import pytest

from intake.adapters.s3 import S3ObjectStore
from intake.core.errors import ConfigurationError
from intake.keys.blocks import BLOCK, SEALED_BLOCK, Sealer, TamperedObject, sealed_size
from intake.keys.keyring import KeyRing
from intake.keys.master import MasterKeys, new_entry
from intake.keys.sealing import SEAL, SealingStore
from intake.web.keys import OBJECT_STORE, REPOSITORIES, WORKER
from tests import media
from tests.conftest import TEST_MASTER_KEY
from tests.tus_helpers import create_url, new_draft, patch_ok, submit

MiB = 1024 * 1024
MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"


def video(size: int) -> bytes:
    return MP4_HEAD + os.urandom(size - len(MP4_HEAD))


async def send(client: Any, files: list[tuple[str, bytes]]) -> dict[str, Any]:
    form = aiohttp.FormData()
    form.add_field("consent_terms", "true")
    form.add_field("story", "The market burned at noon, sealed-story-7731.")
    for name, data in files:
        form.add_field("files", io.BytesIO(data), filename=name)
    response = await client.post("/api/v1/submissions", data=form)
    assert response.status == 201, await response.text()
    answer: dict[str, Any] = await response.json()
    return answer


async def send_by_tus(client: Any, data: bytes, chunk: int) -> dict[str, Any]:
    """A draft whose one file comes in uneven chunks (segments, then parts); its file."""
    draft = await new_draft(client)
    token = draft["submitter_token"]
    url = await create_url(client, token, len(data), filename="tus.mp4", filetype="video/mp4")
    for offset in range(0, len(data), chunk):
        await patch_ok(client, url, token, offset, data[offset : offset + chunk])
    submitted = await submit(client, draft)
    assert submitted.status == 202, await submitted.text()
    (stored,) = (await submitted.json())["files"]
    return dict(stored)


def ranges(size: int) -> list[tuple[int, int]]:
    """Ranges a player seeking through a video asks for: the start, across blocks and
    parts, the end, past the end."""
    picked = [(0, 0), (0, 99), (BLOCK - 1, BLOCK), (size - 1, size - 1), (size - 70_000, size + 99)]
    if size > 5 * MiB:
        picked += [(5 * MiB - 10, 5 * MiB + 10), (5 * MiB, 10 * MiB - 1)]
    rng = random.Random(size)
    picked += [(a, a + rng.randrange(1, 300_000)) for a in rng.sample(range(size), 3)]
    return [(max(start, 0), end) for start, end in picked if start < size]


def some_runs(data: bytes, count: int = 64) -> list[bytes]:
    rng = random.Random(len(data))
    return [data[i : i + 64] for i in rng.sample(range(len(data) - 64), count)]


async def test_the_bucket_holds_only_sealed_bytes_and_intake_reads_any_range(
    make_client: Any, s3_store: S3ObjectStore, database_url: str
) -> None:
    client = await make_client(database_url=database_url, s3_part_size="5 MiB")
    plain = client.server.app[OBJECT_STORE]
    sent = {
        "exact.mp4": video(10 * MiB),  # whole parts: the final block is a part of its own
        "longer.mp4": video(11 * MiB + 3),  # the last part ends with the final block
        "photo.jpg": media.jpeg_with_exif(),  # one PUT
    }
    body = await send(client, list(sent.items()))
    by_id = {f["id"]: sent[f["filename"]] for f in body["files"]}
    tus_data = video(6 * MiB + 100)
    by_id[(await send_by_tus(client, tus_data, 2 * MiB + 7))["id"]] = tus_data
    await client.server.app[WORKER].run_until_idle()

    keys = await s3_store.list_keys("submissions/")
    for file_id, data in by_id.items():
        (key,) = [k for k in keys if k.endswith(f"/{file_id}/original")]
        info = await plain.head(key)
        assert (info.size, SEAL in info.metadata) == (len(data), False)
        raw = await s3_store.head(key)
        assert raw.size == sealed_size(len(data)) and SEAL in raw.metadata
        stored = await s3_store.get_range(key, 0, raw.size - 1)
        assert [run for run in some_runs(data) if run in stored] == []
        for start, end in ranges(len(data)):
            assert await plain.get_range(key, start, end) == data[start : end + 1], (start, end)
        prefix = bytes.fromhex(raw.metadata[SEAL].split(".")[1])
        with pytest.raises(TamperedObject):
            Sealer(os.urandom(32), prefix, key).open(stored[:SEALED_BLOCK], 0, plain=len(data))

    submission_keys = [k for k in keys if f"/{body['id']}/" in k]
    assert any("/public." in k for k in submission_keys)
    assert any("/thumb." in k for k in submission_keys)
    for key in submission_keys:
        assert SEAL in (await s3_store.head(key)).metadata, key
        if key.endswith("manifest.json"):
            stored = await s3_store.get_range(key, 0, (await s3_store.head(key)).size - 1)
            assert b"sealed-story-7731" not in stored and b"submission" not in stored
            assert b"sealed-story-7731" in await plain.get_range(key, 0, 1 << 20)


async def test_rotating_the_master_key_leaves_every_file_readable(
    make_client: Any, s3_store: S3ObjectStore, database_url: str
) -> None:
    client = await make_client(database_url=database_url)
    app = client.server.app
    body = await send(
        client, [("photo.jpg", media.jpeg_with_exif()), ("clip.mp4", media.mp4_h264())]
    )
    await app[WORKER].run_until_idle()
    plain = app[OBJECT_STORE]
    keys = [k for k in await s3_store.list_keys("submissions/") if f"/{body['id']}/" in k]
    before = {k: await plain.get_range(k, 0, (await plain.head(k)).size - 1) for k in keys}
    assert len(before) >= 5  # originals, public copies, thumbnails, the manifest
    data_keys = app[REPOSITORIES].data_keys

    fresh = new_entry("next")
    both = KeyRing(data_keys, MasterKeys.parse(f"{fresh},{TEST_MASTER_KEY}"))
    assert await both.rotate() == 1
    assert (await both.counts()).by_master_key == {"next": 1}

    only_new = SealingStore(s3_store, KeyRing(data_keys, MasterKeys.parse(fresh)), 8 * MiB)
    try:
        after = {k: await only_new.get_range(k, 0, (await only_new.head(k)).size - 1) for k in keys}
    finally:
        only_new.close()
    assert after == before
    old_ring = KeyRing(data_keys, MasterKeys.parse(TEST_MASTER_KEY))
    only_old = SealingStore(s3_store, old_ring, 8 * MiB)
    try:
        with pytest.raises(ConfigurationError, match="no longer lists"):
            await only_old.get_range(keys[0], 0, 10)
    finally:
        only_old.close()
