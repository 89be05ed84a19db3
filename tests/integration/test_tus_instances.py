"""Stateless nodes: an upload continues on another instance and survives kill -9."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import signal
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from tusclient import client as tus

from intake.adapters.embedded.seaweedfs import EmbeddedS3
from intake.adapters.s3 import S3ObjectStore
from tests.eventually import eventually
from tests.processes import ServeProcess, shared_env, start_intake

pytestmark = pytest.mark.postgres
MiB = 1024 * 1024
MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
CHUNK = {"Tus-Resumable": "1.0.0", "Content-Type": "application/offset+octet-stream"}


async def draft_on(http: aiohttp.ClientSession, node: ServeProcess) -> dict[str, Any]:
    async with http.post(node.base + "/api/v1/submissions", json={"consent_terms": True}) as r:
        assert r.status == 201
        body: dict[str, Any] = await r.json()
        return body


async def create_upload(http: aiohttp.ClientSession, node: ServeProcess, token: str,
                        length: int) -> str:  # fmt: skip
    headers = {"Authorization": f"Bearer {token}", "Tus-Resumable": "1.0.0",
               "Upload-Length": str(length)}  # fmt: skip
    async with http.post(node.base + "/api/v1/uploads", headers=headers) as r:
        assert r.status == 201
        return r.headers["Location"]


async def submit_on(http: aiohttp.ClientSession, node: ServeProcess, draft: dict[str, Any]) -> Any:
    headers = {"Authorization": f"Bearer {draft['submitter_token']}"}
    async with http.post(node.base + draft["submit_url"], headers=headers) as r:
        assert r.status == 202, await r.text()
        return await r.json()


async def test_an_upload_started_on_one_instance_finishes_on_another(
    seaweedfs: EmbeddedS3, s3_store: S3ObjectStore, postgres_url: str, tmp_path: Path
) -> None:
    env = shared_env(seaweedfs, s3_store.bucket, postgres_url, s3_part_size="5 MiB")
    first = await start_intake(env, tmp_path)
    second = await start_intake(env, tmp_path)
    data = MP4_HEAD + os.urandom(13 * MiB)
    try:
        async with aiohttp.ClientSession() as http:
            draft = await draft_on(http, first)
            token = draft["submitter_token"]
            location = await create_upload(http, first, token, len(data))
            auth = {"Authorization": f"Bearer {token}"}
            offset = 0
            for node, size in ((first, 6 * MiB), (second, 3 * MiB), (first, 1 * MiB),
                               (second, len(data) - 10 * MiB)):  # fmt: skip
                headers = {**CHUNK, **auth, "Upload-Offset": str(offset)}
                chunk = io.BytesIO(data[offset : offset + size])
                async with http.patch(node.base + location, headers=headers, data=chunk) as r:
                    assert r.status == 204, await r.text()
                    offset = int(r.headers["Upload-Offset"])
            submitted = await submit_on(http, second, draft)
    finally:
        await first.stop()
        await second.stop()
    assert submitted["files"][0]["sha256"] == hashlib.sha256(data).hexdigest()


async def test_kill_9_mid_patch_keeps_only_durable_bytes_and_resumes(
    seaweedfs: EmbeddedS3, s3_store: S3ObjectStore, postgres_url: str, tmp_path: Path
) -> None:
    env = shared_env(seaweedfs, s3_store.bucket, postgres_url, s3_part_size="5 MiB",
                     uploads_lease_seconds="5")  # fmt: skip
    node = await start_intake(env, tmp_path)
    data = MP4_HEAD + os.urandom(16 * MiB)
    async with aiohttp.ClientSession() as http:
        draft = await draft_on(http, node)
        token = draft["submitter_token"]
        auth = {"Authorization": f"Bearer {token}"}
        location = await create_upload(http, node, token, len(data))
        async with http.patch(node.base + location, data=io.BytesIO(data[: 3 * MiB]),
                              headers={**CHUNK, **auth, "Upload-Offset": "0"}) as r:  # fmt: skip
            assert r.status == 204
        durable = 3 * MiB

        port = int(node.base.rsplit(":", 1)[1])
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            (f"PATCH {location} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
             f"Tus-Resumable: 1.0.0\r\nUpload-Offset: {durable}\r\n"
             "Content-Type: application/offset+octet-stream\r\n"
             f"Content-Length: {len(data) - durable}\r\n\r\n").encode()
            + data[durable : durable + 8 * MiB]
        )  # fmt: skip
        await writer.drain()
        upload_id = location.rsplit("/", 1)[1]

        async def writing_a_part() -> bool:
            uploads = await s3_store.list_multipart_uploads("submissions/")
            return any(upload_id in key for key, _ in uploads)

        assert await eventually(writing_a_part), "the node never started a part"
        node.proc.send_signal(signal.SIGKILL)
        await node.proc.wait()
        writer.transport.abort()

        restarted = await start_intake(env, tmp_path)
        try:
            head = {"Authorization": f"Bearer {token}", "Tus-Resumable": "1.0.0"}
            async with http.head(restarted.base + location, headers=head) as r:
                assert r.status == 200
                assert int(r.headers["Upload-Offset"]) == durable

            def resume() -> None:
                tusc = tus.TusClient(restarted.base + "/api/v1/uploads", headers=auth)
                uploader = tusc.uploader(
                    file_stream=io.BytesIO(data), url=restarted.base + location,
                    chunk_size=4 * MiB, retries=10, retry_delay=1,
                )  # fmt: skip
                uploader.upload()

            await asyncio.to_thread(resume)
            submitted = await submit_on(http, restarted, draft)
        finally:
            await restarted.stop()
    assert submitted["files"][0]["sha256"] == hashlib.sha256(data).hexdigest()
    (file_id,) = [f["id"] for f in submitted["files"]]
    strays = [u for u in await s3_store.list_multipart_uploads("submissions/") if file_id in u[0]]
    assert strays == [], "the killed request's multipart upload was aborted"
