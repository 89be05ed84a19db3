"""Uploads' tails, on the real SeaweedFS and each database: a PATCH smaller than a part
keeps its bytes in the database, sealed, saved with its offset (nothing under
``incoming/`` in the bucket); the PATCH that fills a part takes them back; an upload that
completes, is terminated, expires or is withdrawn keeps no tail; a PATCH that lost its
lease leaves none; segments an older version stored still complete their upload; a PATCH
after the submission's key was destroyed (an erasure under way) ends the upload with a 410.
On SQLite, a tail taken into a part is not written again to be zeroed; one whose upload
ends is."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text, update

from intake.adapters.db.schema import uploads
from intake.adapters.s3 import S3ObjectStore
from intake.core.bucket_layout import segment_key
from intake.core.errors import Conflict
from intake.keys.keyring import KeyRing
from intake.keys.master import MasterKeys
from intake.keys.tails import open_tail
from intake.uploads.filters import ResumableSha256
from intake.web.keys import OBJECT_STORE, REPOSITORIES, UPLOADS
from tests import media
from tests.conftest import TEST_MASTER_KEY
from tests.tus_helpers import (
    TUS,
    KiB,
    MiB,
    bearer,
    create_url,
    head,
    new_draft,
    patch,
    patch_ok,
    problem,
    submit,
    tail_rows,
    upload_id,
)

PART = 5 * MiB


def photo() -> bytes:
    """A generated JPEG of about 20 MiB (noise does not compress): four parts of 5 MiB."""
    return media.large_jpeg(6 * MiB)


async def send(client: Any, url: str, token: str, data: bytes, chunk: int, start: int = 0) -> None:
    for offset in range(start, len(data), chunk):
        await patch_ok(client, url, token, offset, data[offset : offset + chunk])


async def stored_original(client: Any, file_id: str) -> bytes:
    store = client.server.app[OBJECT_STORE]
    (key,) = [k for k in await store.inner.list_keys("submissions/") if f"/{file_id}/" in k
              and k.endswith("/original")]  # fmt: skip
    return bytes(await store.get_range(key, 0, (await store.head(key)).size - 1))


async def submitted_whole(client: Any, draft: dict[str, Any], data: bytes) -> None:
    """Submit ``draft``, whose one file is ``data``: accepted, and stored byte for byte."""
    submitted = await submit(client, draft)
    assert submitted.status == 202, await submitted.text()
    (stored,) = (await submitted.json())["files"]
    assert stored["sha256"] == hashlib.sha256(data).hexdigest()
    assert await stored_original(client, stored["id"]) == data


def keyring(app: Any) -> KeyRing:
    return KeyRing(app[REPOSITORIES].data_keys, MasterKeys.parse(TEST_MASTER_KEY))


async def photo_upload(
    make_client: Callable[..., Any], database_url: str
) -> tuple[Any, Any, dict[str, Any], str, bytes, str]:
    """A draft on a service that stores 5 MiB parts, and its photo's upload, nothing sent
    yet: the client, its app, the draft, its token, the photo, the upload's URL."""
    client = await make_client(database_url=database_url, s3_part_size="5 MiB")
    draft = await new_draft(client)
    token = draft["submitter_token"]
    data = photo()
    url = await create_url(client, token, len(data), filename="noise.jpg", filetype="image/jpeg")
    return client, client.server.app, draft, token, data, url


def runs(data: bytes, count: int = 64) -> list[bytes]:
    step = max((len(data) - 64) // count, 1)
    return [data[i : i + 64] for i in range(0, len(data) - 64, step)]


async def test_a_photo_in_many_small_patches_lands_byte_identical_with_no_incoming_object(
    make_client: Callable[..., Any], s3_store: S3ObjectStore, database_url: str
) -> None:
    client, app, draft, token, data, url = await photo_upload(make_client, database_url)
    upload = upload_id(url)
    chunk = 300 * KiB + 7  # pieces never aligned with a part or a sealed block
    await send(client, url, token, data[: 3 * chunk], chunk)
    # Three PATCHes, each smaller than a part: three pieces of tail, nothing in the bucket.
    rows = await tail_rows(app, upload)
    assert [(start, size) for start, size, _ in rows] == [(i * chunk, chunk) for i in range(3)]
    assert await s3_store.list_keys(f"incoming/{upload}/") == []
    assert [
        k for k, _ in await s3_store.list_multipart_uploads("submissions/") if upload in k
    ] == []

    await send(client, url, token, data, chunk, start=3 * chunk)
    assert await tail_rows(app, upload) == []
    assert await s3_store.list_keys(f"incoming/{upload}/") == []
    await submitted_whole(client, draft, data)


async def test_the_tail_is_sealed_with_the_submissions_key_and_bound_to_its_place(
    make_client: Callable[..., Any], database_url: str
) -> None:
    client = await make_client(database_url=database_url)
    app = client.server.app
    draft = await new_draft(client)
    token = draft["submitter_token"]
    data = photo()[: 3 * MiB]
    url = await create_url(client, token, 20 * MiB, filename="noise.jpg", filetype="image/jpeg")
    await send(client, url, token, data, 1536 * KiB)
    rows = await tail_rows(app, upload_id(url))
    # Each PATCH's bytes in pieces of at most a MiB (what is held in memory at once).
    half = 512 * KiB
    expected = [(0, MiB), (MiB, half), (3 * half, MiB), (5 * half, half)]
    assert [(start, size) for start, size, _ in rows] == expected
    everything = b"".join(stored for _, _, stored in rows)
    assert [run for run in runs(data) if run in everything] == []
    keys = keyring(app)
    data_key = await keys.for_reading(draft["id"])
    opened = b"".join(
        open_tail(data_key, upload_id(url), start, stored, size) for start, size, stored in rows
    )
    assert opened == data


async def _complete(client: Any, draft: dict[str, Any], url: str, data: bytes) -> None:
    token = draft["submitter_token"]
    await patch_ok(client, url, token, 600 * KiB, data[600 * KiB :])
    assert (await submit(client, draft)).status == 202


async def _terminate(client: Any, draft: dict[str, Any], url: str, data: bytes) -> None:
    response = await client.delete(url, headers={**TUS, **bearer(draft["submitter_token"])})
    assert response.status == 204


async def _expire(client: Any, draft: dict[str, Any], url: str, data: bytes) -> None:
    app = client.server.app
    async with app[REPOSITORIES].engine.begin() as conn:
        await conn.execute(
            update(uploads)
            .where(uploads.c.id == upload_id(url))
            .values(expires_at=uploads.c.created_at)
        )
    assert await app[UPLOADS].expire_due() == 1


async def _withdraw(client: Any, draft: dict[str, Any], url: str, data: bytes) -> None:
    response = await client.delete(
        f"/api/v1/submissions/{draft['id']}", headers=bearer(draft["submitter_token"])
    )
    assert response.status == 204


ENDINGS = {"completed": _complete, "terminated": _terminate, "expired": _expire,
           "withdrawn": _withdraw}  # fmt: skip


@pytest.mark.parametrize("ending", ENDINGS)
async def test_an_upload_that_ends_keeps_no_tail(
    make_client: Callable[..., Any], s3_store: S3ObjectStore, database_url: str, ending: str
) -> None:
    client = await make_client(database_url=database_url)
    draft = await new_draft(client)
    token = draft["submitter_token"]
    data = media.large_jpeg(MiB)
    url = await create_url(client, token, len(data), filename="noise.jpg", filetype="image/jpeg")
    await send(client, url, token, data[: 600 * KiB], 200 * KiB)
    assert len(await tail_rows(client.server.app, upload_id(url))) == 3
    await ENDINGS[ending](client, draft, url, data)
    assert await tail_rows(client.server.app, upload_id(url)) == []
    assert await s3_store.list_keys(f"incoming/{upload_id(url)}/") == []


async def _checkpointed(app: Any, database: Path) -> dict[str, bytes]:
    """The database's files once its WAL was written into it and emptied."""
    async with app[REPOSITORIES].engine.connect() as conn:
        await conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    return {p.name: p.read_bytes() for p in database.parent.glob(database.name + "*")}


async def test_on_sqlite_a_tail_taken_into_a_part_is_not_written_again_one_that_ends_is_zeroed(
    make_client: Callable[..., Any], tmp_path: Path
) -> None:
    database = tmp_path / "tails.db"
    client, app, draft, token, data, url = await photo_upload(
        make_client, f"sqlite+aiosqlite:///{database}"
    )
    await send(client, url, token, data[: 4 * MiB], MiB)
    assert len(await tail_rows(app, upload_id(url))) == 4
    await _checkpointed(app, database)
    wal = database.with_name(database.name + "-wal")

    await patch_ok(client, url, token, 4 * MiB, data[4 * MiB : 6 * MiB])  # a part, 1 MiB left
    assert [size for _, size, _ in await tail_rows(app, upload_id(url))] == [MiB]
    assert wal.stat().st_size < 2 * MiB, "the 4 MiB that went into the part were not zeroed"

    left = [stored for _, _, stored in await tail_rows(app, upload_id(url))]
    await _terminate(client, draft, url, data)
    files = await _checkpointed(app, database)
    assert files[wal.name] == b""
    assert [run for run in runs(left[0]) if any(run in f for f in files.values())] == []


class TakenOver:
    """A PATCH body whose upload another request takes over (its lease lapsed) before
    the body ends."""

    cut = False

    def __init__(self, data: bytes, take_over: Callable[[], Awaitable[None]]) -> None:
        self._data = data
        self._take_over = take_over

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for at in range(0, len(self._data), 256 * KiB):
            yield self._data[at : at + 256 * KiB]
        await self._take_over()


async def test_a_patch_that_lost_its_lease_leaves_no_tail_and_the_upload_resumes(
    make_client: Callable[..., Any], database_url: str
) -> None:
    client, app, draft, token, data, url = await photo_upload(make_client, database_url)
    upload = upload_id(url)
    await patch_ok(client, url, token, 0, data[: 3 * MiB])
    before = await tail_rows(app, upload)

    async def take_over() -> None:
        async with app[REPOSITORIES].engine.begin() as conn:
            await conn.execute(
                update(uploads).where(uploads.c.id == upload).values(lock_id="another-request")
            )

    for lost in (data[3 * MiB : 4 * MiB], data[3 * MiB : 6 * MiB]):  # a tail; a part and a tail
        with pytest.raises(Conflict):
            await app[UPLOADS].append(
                upload, token, offset=3 * MiB, body=TakenOver(lost, take_over),
                content_length=len(lost), checksum=None, length=None,
            )  # fmt: skip
        assert await tail_rows(app, upload) == before
        async with app[REPOSITORIES].engine.begin() as conn:  # the other request gave up
            await conn.execute(update(uploads).where(uploads.c.id == upload).values(lock_id=""))
        status = await head(client, url, token)
        assert status.headers["Upload-Offset"] == str(3 * MiB)

    await send(client, url, token, data, 3 * MiB, start=3 * MiB)
    await submitted_whole(client, draft, data)


class Stalled:
    """A PATCH body that sends its first half, then waits for ``go`` (a connection that
    stalls mid-body), telling ``reached`` when it does."""

    cut = False

    def __init__(self, data: bytes) -> None:
        self._data = data
        self.reached = asyncio.Event()
        self.go = asyncio.Event()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        half = len(self._data) // 2
        yield self._data[:half]
        self.reached.set()
        await self.go.wait()
        yield self._data[half:]


async def test_a_patch_retried_while_the_first_still_streams_is_taken_and_the_first_stores_nothing(
    make_client: Callable[..., Any], database_url: str
) -> None:
    """A small PATCH holds no lease: a reader's retry after a stall is not turned away
    (423) while the stalled request still waits for its body; the first to finish wins
    and the other, answered 409, leaves nothing behind."""
    client, app, draft, token, data, url = await photo_upload(make_client, database_url)
    upload = upload_id(url)
    await patch_ok(client, url, token, 0, data[:MiB])
    stalled = Stalled(bytes(reversed(data[MiB : 2 * MiB])))  # if stored, the photo breaks
    first = asyncio.create_task(
        app[UPLOADS].append(
            upload, token, offset=MiB, body=stalled, content_length=MiB, checksum=None,
            length=None,
        )
    )  # fmt: skip
    await stalled.reached.wait()
    await patch_ok(client, url, token, MiB, data[MiB : 2 * MiB])
    stalled.go.set()
    with pytest.raises(Conflict):
        await first
    assert [(start, size) for start, size, _ in await tail_rows(app, upload)] == [
        (0, MiB), (MiB, MiB),
    ]  # fmt: skip
    assert (await head(client, url, token)).headers["Upload-Offset"] == str(2 * MiB)
    await send(client, url, token, data, MiB, start=2 * MiB)
    await submitted_whole(client, draft, data)


async def test_segments_an_older_version_stored_still_complete_the_upload(
    make_client: Callable[..., Any], s3_store: S3ObjectStore
) -> None:
    client = await make_client(s3_part_size="5 MiB")
    app = client.server.app
    draft = await new_draft(client)
    token = draft["submitter_token"]
    data = photo()
    url = await create_url(client, token, len(data), filename="noise.jpg", filetype="image/jpeg")
    upload = upload_id(url)
    # As an older version left it: the first 700 KiB as two segment objects, listed.
    cuts = [0, 300 * KiB, 700 * KiB]
    segments = []
    for start, end in itertools.pairwise(cuts):
        key = segment_key(upload, start, end)
        await app[OBJECT_STORE].put(key, data[start:end], content_type="application/octet-stream",
                                    metadata={})  # fmt: skip
        segments.append([key, end - start])
    state = ResumableSha256()  # the hash of those bytes, as the older version saved it
    state.feed(data[: cuts[-1]])
    async with app[REPOSITORIES].engine.begin() as conn:
        await conn.execute(
            update(uploads).where(uploads.c.id == upload).values(
                upload_offset=cuts[-1], segments=segments, media_type="image/jpeg", kind="photo",
                hash_state=state.state,
            )
        )  # fmt: skip
    # New PATCHes add tails after them; the one that fills a part takes both back.
    await send(client, url, token, data[: 2 * MiB], 650 * KiB, start=cuts[-1])
    assert len(await s3_store.list_keys(f"incoming/{upload}/")) == 2
    assert len(await tail_rows(app, upload)) == 3  # 650, 650 and 48 KiB
    await send(client, url, token, data, 4 * MiB, start=2 * MiB)
    assert await s3_store.list_keys(f"incoming/{upload}/") == []
    await submitted_whole(client, draft, data)


@pytest.mark.parametrize("sent", [200 * KiB, 5 * MiB], ids=["adding-to-the-tail", "filling-a-part"])
async def test_a_patch_after_the_key_is_destroyed_ends_the_upload_with_a_410(
    make_client: Callable[..., Any], database_url: str, sent: int
) -> None:
    client, app, draft, token, data, url = await photo_upload(make_client, database_url)
    await patch_ok(client, url, token, 0, data[: 600 * KiB])
    # As an erasure leaves it between destroying the key and ending the uploads.
    await keyring(app).destroy(draft["id"])
    response = await patch(client, url, token, 600 * KiB, data[600 * KiB : 600 * KiB + sent])
    await problem(response, 410, "gone")
    assert (await head(client, url, token)).status == 410
    assert await tail_rows(app, upload_id(url)) == []
