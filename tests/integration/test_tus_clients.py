"""Resumable uploads with the real tus client (tuspy), cut connections, many chunks,
parallel partial uploads, concurrent PATCHes, expiry and the janitor."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import os
from typing import Any

import aiohttp
import pytest
from sqlalchemy import update
from tusclient import client as tus

from intake.adapters.db.schema import uploads
from intake.adapters.s3 import S3ObjectStore
from intake.web.keys import OBJECT_STORE, REPOSITORIES, UPLOAD_TURNS, UPLOADS
from tests.media import jpeg_with_exif, mp4_h264
from tests.tus_helpers import tail_rows

MiB = 1024 * 1024
MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
TUS = {"Tus-Resumable": "1.0.0"}


def video_bytes(size: int) -> bytes:
    return MP4_HEAD + os.urandom(size - len(MP4_HEAD))


async def new_draft(client: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/submissions", json={"consent_terms": True})
    assert response.status == 201
    draft: dict[str, Any] = await response.json()
    return draft


def tus_upload(base: str, token: str, data: bytes, chunk: int, url: str | None = None,
               **metadata: str) -> str:  # fmt: skip
    """Upload with tuspy (blocking: run it in a thread); returns the upload URL."""
    tusc = tus.TusClient(base + "/api/v1/uploads", headers={"Authorization": f"Bearer {token}"})
    uploader = tusc.uploader(
        file_stream=io.BytesIO(data), chunk_size=chunk, metadata=metadata, url=url,
        retries=5, retry_delay=1,
    )  # fmt: skip
    uploader.upload()
    return str(uploader.url)


async def submit(client: Any, draft: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(
        draft["submit_url"], headers={"Authorization": f"Bearer {draft['submitter_token']}"}
    )
    assert response.status == 202, await response.text()
    body: dict[str, Any] = await response.json()
    return body


async def stored_sha256(store: S3ObjectStore, key: str) -> str:
    info = await store.head(key)
    return hashlib.sha256(await store.get_range(key, 0, info.size - 1)).hexdigest()


async def test_tuspy_uploads_photos_and_videos_in_chunks(
    client: Any, s3_store: S3ObjectStore
) -> None:
    draft = await new_draft(client)
    base = str(client.make_url("")).rstrip("/")
    files = {"photo.jpg": jpeg_with_exif(), "clip.mp4": mp4_h264(), "big.mp4": video_bytes(9 * MiB)}
    for name, data in files.items():
        await asyncio.to_thread(tus_upload, base, draft["submitter_token"], data, 256 * 1024,
                                filename=name, submission=draft["id"])  # fmt: skip
    submitted = await submit(client, draft)
    by_name = {f["filename"]: f for f in submitted["files"]}
    assert {n: f["sha256"] for n, f in by_name.items()} == {
        n: hashlib.sha256(d).hexdigest() for n, d in files.items()
    }
    assert by_name["photo.jpg"]["media_type"] == "image/jpeg"
    assert by_name["clip.mp4"]["media_type"] == "video/mp4"
    keys = await s3_store.list_keys("submissions/")
    big_key = next(k for k in keys if by_name["big.mp4"]["id"] in k and k.endswith("original"))
    assert (
        await stored_sha256(client.server.app[OBJECT_STORE], big_key)
        == hashlib.sha256(files["big.mp4"]).hexdigest()
    )
    info = await client.server.app[OBJECT_STORE].head(big_key)
    assert "sha256" not in info.metadata
    assert info.content_type == "video/mp4"


async def test_an_upload_resumes_after_the_connection_is_cut_mid_chunk(
    client: Any, s3_store: S3ObjectStore
) -> None:
    draft = await new_draft(client)
    token = draft["submitter_token"]
    data = video_bytes(3 * MiB)
    auth = {"Authorization": f"Bearer {token}", **TUS}
    created = await client.post(
        "/api/v1/uploads",
        headers={**auth, "Upload-Length": str(len(data)),
                 "Upload-Metadata": "filename " + base64.b64encode(b"cut.mp4").decode()},
    )  # fmt: skip
    location = created.headers["Location"]

    _, writer = await asyncio.open_connection("127.0.0.1", client.port)
    head = (
        f"PATCH {location} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        "Tus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\n"
        "Content-Type: application/offset+octet-stream\r\n"
        f"Content-Length: {2 * MiB}\r\n\r\n"
    ).encode()
    writer.write(head + data[: MiB + 12345])
    await writer.drain()
    turns = client.server.app[UPLOAD_TURNS]
    await asyncio.wait_for(turns.until(lambda: turns.stepped_aside >= 1), 20)  # all read
    writer.transport.abort()

    async def committed() -> int:
        status = await client.head(location, headers=auth)
        return int(status.headers["Upload-Offset"])

    for _ in range(50):
        if await committed() == MiB + 12345:
            break
        await asyncio.sleep(0.1)
    assert await committed() == MiB + 12345, "the bytes received before the cut were kept"

    base = str(client.make_url("")).rstrip("/")
    url = base + location
    await asyncio.to_thread(tus_upload, base, token, data, 512 * 1024, url)
    submitted = await submit(client, draft)
    assert submitted["files"][0]["sha256"] == hashlib.sha256(data).hexdigest()


class WatchedStore:
    """The real store, noting every key under ``incoming/`` written or read."""

    def __init__(self, real: S3ObjectStore) -> None:
        self._real = real
        self.incoming: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    async def put(self, key: str, *args: Any, **kwargs: Any) -> None:
        if key.startswith("incoming/"):
            self.incoming.append(key)
        await self._real.put(key, *args, **kwargs)

    async def get_range(self, key: str, start: int, end: int) -> bytes:
        if key.startswith("incoming/"):
            self.incoming.append(key)
        return await self._real.get_range(key, start, end)


async def test_30_mib_in_512_kib_chunks_keep_their_tails_in_the_database_only(
    make_client: Any, s3_store: S3ObjectStore
) -> None:
    watched = WatchedStore(s3_store)
    client = await make_client(object_store=watched)
    draft = await new_draft(client)
    data = video_bytes(30 * MiB)
    base = str(client.make_url("")).rstrip("/")
    url = await asyncio.to_thread(tus_upload, base, draft["submitter_token"], data, 512 * 1024,
                                  filename="long.mp4")  # fmt: skip
    submitted = await submit(client, draft)
    assert submitted["files"][0]["sha256"] == hashlib.sha256(data).hexdigest()
    assert submitted["files"][0]["size"] == 30 * MiB
    # Every chunk smaller than a part went to the upload's tail in the database, and
    # came back from there into its part: no object under incoming/ was written or read.
    assert watched.incoming == []
    upload = url.rsplit("/", 1)[1]
    assert await tail_rows(client.server.app, upload) == []
    assert await s3_store.list_keys(f"incoming/{upload}/") == []


async def test_a_parallel_upload_in_four_partials_is_joined(
    make_client: Any, s3_store: S3ObjectStore
) -> None:
    client = await make_client(s3_part_size="5 MiB")
    draft = await new_draft(client)
    auth = {"Authorization": f"Bearer {draft['submitter_token']}", **TUS}
    data = video_bytes(4 * 6 * MiB + 777)
    pieces = [data[i * 6 * MiB : (i + 1) * 6 * MiB] for i in range(3)] + [data[18 * MiB :]]

    async def partial(piece: bytes) -> str:
        created = await client.post(
            "/api/v1/uploads",
            headers={**auth, "Upload-Concat": "partial", "Upload-Length": str(len(piece))},
        )
        assert created.status == 201
        location: str = created.headers["Location"]
        patched = await client.patch(
            location,
            data=io.BytesIO(piece),
            headers={**auth, "Upload-Offset": "0",
                     "Content-Type": "application/offset+octet-stream"},
        )  # fmt: skip
        assert patched.status == 204
        return location

    locations = await asyncio.gather(*(partial(p) for p in pieces))
    metadata = "filename " + base64.b64encode(b"parallel.mp4").decode()
    final = await client.post(
        "/api/v1/uploads",
        headers={**auth, "Upload-Concat": "final;" + " ".join(locations),
                 "Upload-Metadata": metadata},
    )  # fmt: skip
    assert final.status == 201, await final.text()
    assert final.headers["Upload-Offset"] == str(len(data))
    submitted = await submit(client, draft)
    (stored,) = submitted["files"]
    assert stored["sha256"] == hashlib.sha256(data).hexdigest()
    assert stored["filename"] == "parallel.mp4"


async def test_concurrent_patches_one_wins_nothing_is_corrupted(client: Any) -> None:
    draft = await new_draft(client)
    auth = {"Authorization": f"Bearer {draft['submitter_token']}", **TUS}
    data = video_bytes(2 * MiB)
    created = await client.post(
        "/api/v1/uploads", headers={**auth, "Upload-Length": str(len(data))}
    )
    location = created.headers["Location"]

    async def send() -> int:
        response = await client.patch(
            location,
            data=io.BytesIO(data[:MiB]),
            headers={**auth, "Upload-Offset": "0",
                     "Content-Type": "application/offset+octet-stream"},
        )  # fmt: skip
        return int(response.status)

    statuses = sorted(await asyncio.gather(send(), send(), send()))
    assert statuses.count(204) == 1
    assert set(statuses) - {204} <= {409, 423}
    status = await client.head(location, headers=auth)
    assert status.headers["Upload-Offset"] == str(MiB)
    finished = await client.patch(
        location,
        data=io.BytesIO(data[MiB:]),
        headers={**auth, "Upload-Offset": str(MiB),
                 "Content-Type": "application/offset+octet-stream"},
    )  # fmt: skip
    assert finished.status == 204
    submitted = await submit(client, draft)
    assert submitted["files"][0]["sha256"] == hashlib.sha256(data).hexdigest()


async def test_expired_uploads_are_removed_by_the_janitor(
    make_client: Any, s3_store: S3ObjectStore
) -> None:
    client = await make_client(s3_part_size="5 MiB")
    draft = await new_draft(client)
    auth = {"Authorization": f"Bearer {draft['submitter_token']}", **TUS}
    data = video_bytes(12 * MiB)
    created = await client.post(
        "/api/v1/uploads", headers={**auth, "Upload-Length": str(len(data))}
    )
    location = created.headers["Location"]
    upload_id = location.rsplit("/", 1)[1]
    patched = await client.patch(
        location,
        data=io.BytesIO(data[: 7 * MiB]),
        headers={**auth, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"},
    )
    assert patched.status == 204
    assert await s3_store.list_multipart_uploads("submissions/"), "a part is stored"
    assert await tail_rows(client.server.app, upload_id), "the rest is the tail"

    app = client.server.app
    async with app[REPOSITORIES].engine.begin() as conn:
        await conn.execute(
            update(uploads).where(uploads.c.id == upload_id).values(expires_at=uploads.c.created_at)
        )
    assert await app[UPLOADS].expire_due() >= 1

    gone = await client.head(location, headers=auth)
    assert gone.status in (404, 410)
    assert [
        u for u in await s3_store.list_multipart_uploads("submissions/") if upload_id in u[0]
    ] == []
    assert await tail_rows(client.server.app, upload_id) == []


@pytest.mark.parametrize("chunk", [512 * 1024, 2 * MiB])
async def test_mobile_chunk_sizes_arrive_byte_identical(
    make_client: Any, s3_store: S3ObjectStore, chunk: int
) -> None:
    client = await make_client(s3_part_size="5 MiB")
    draft = await new_draft(client)
    data = video_bytes(11 * MiB + 3)
    base = str(client.make_url("")).rstrip("/")
    await asyncio.to_thread(tus_upload, base, draft["submitter_token"], data, chunk)
    submitted = await submit(client, draft)
    keys = await s3_store.list_keys("submissions/")
    key = next(k for k in keys if submitted["files"][0]["id"] in k)
    assert (
        await stored_sha256(client.server.app[OBJECT_STORE], key)
        == hashlib.sha256(data).hexdigest()
    )


async def test_an_http_session_can_continue_on_another_upload_request(client: Any) -> None:
    """HEAD reports Upload-Offset that a new client session resumes from."""
    draft = await new_draft(client)
    auth = {"Authorization": f"Bearer {draft['submitter_token']}", **TUS}
    data = video_bytes(MiB)
    created = await client.post(
        "/api/v1/uploads", headers={**auth, "Upload-Length": str(len(data))}
    )
    location = created.headers["Location"]
    async with aiohttp.ClientSession() as other:
        url = str(client.make_url(location))
        async with other.patch(url, data=data[:1000], headers={
            **auth, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"
        }) as response:  # fmt: skip
            assert response.status == 204
            assert response.headers["Upload-Offset"] == "1000"
    status = await client.head(location, headers=auth)
    assert status.headers["Upload-Offset"] == "1000"


async def test_a_chunked_patch_after_a_small_one_keeps_every_byte(
    client: Any, s3_store: S3ObjectStore
) -> None:
    """A PATCH without Content-Length reads the tail back and keeps it, with its own
    bytes, as one new tail starting where the old one did, which replaces it."""
    draft = await new_draft(client)
    auth = {"Authorization": f"Bearer {draft['submitter_token']}", **TUS}
    data = video_bytes(20_000)
    created = await client.post(
        "/api/v1/uploads", headers={**auth, "Upload-Length": str(len(data))}
    )
    location = created.headers["Location"]
    chunk_headers = {**auth, "Content-Type": "application/offset+octet-stream"}
    first = await client.patch(
        location, data=data[:5000], headers={**chunk_headers, "Upload-Offset": "0"}
    )
    assert first.status == 204

    async def chunked() -> Any:
        yield data[5000:8000]
        yield data[8000:12000]

    second = await client.patch(
        location, data=chunked(), headers={**chunk_headers, "Upload-Offset": "5000"}
    )
    assert second.status == 204
    assert second.headers["Upload-Offset"] == "12000"
    upload_id = location.rsplit("/", 1)[1]
    assert [(start, size) for start, size, _ in await tail_rows(client.server.app, upload_id)] == [
        (0, 12000)
    ]
    assert await s3_store.list_keys(f"incoming/{upload_id}/") == []
    last = await client.patch(
        location, data=data[12000:], headers={**chunk_headers, "Upload-Offset": "12000"}
    )
    assert last.status == 204
    submitted = await submit(client, draft)
    assert submitted["files"][0]["sha256"] == hashlib.sha256(data).hexdigest()


async def test_the_janitor_clears_complete_uploads_of_drafts_never_submitted(
    client: Any, s3_store: S3ObjectStore
) -> None:
    draft = await new_draft(client)
    base = str(client.make_url("")).rstrip("/")
    url = await asyncio.to_thread(
        tus_upload, base, draft["submitter_token"], jpeg_with_exif(), 1 << 20
    )
    upload_id = url.rsplit("/", 1)[1]
    prefix = "submissions/"
    assert any(upload_id in k for k in await s3_store.list_keys(prefix))
    app = client.server.app
    async with app[REPOSITORIES].engine.begin() as conn:
        await conn.execute(
            update(uploads).where(uploads.c.id == upload_id).values(expires_at=uploads.c.created_at)
        )
    assert await app[UPLOADS].expire_due() == 1
    assert not any(upload_id in k for k in await s3_store.list_keys(prefix))
    response = await client.post(
        draft["submit_url"], headers={"Authorization": f"Bearer {draft['submitter_token']}"}
    )
    assert response.status == 422, "nothing is left to submit"
