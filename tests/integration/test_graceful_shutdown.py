"""SIGTERM to a real ``intake serve``: /readyz says not ready at once, a short request in
flight is answered, a slow tus chunk is cut after the grace period with what arrived kept,
the port closes, the process exits 0, and the upload goes on on another node."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import signal
from pathlib import Path

import aiohttp
import pytest

from intake.adapters.embedded.seaweedfs import EmbeddedS3
from intake.adapters.s3 import S3ObjectStore
from tests.eventually import eventually
from tests.load import Load, sha256
from tests.processes import shared_env, start_intake

pytestmark = pytest.mark.postgres
MiB = 1024 * 1024
TUS = {"Tus-Resumable": "1.0.0"}
MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"


async def test_sigterm_drains_the_node_and_leaves_uploads_resumable_elsewhere(
    seaweedfs: EmbeddedS3, s3_store: S3ObjectStore, postgres_url: str, tmp_path: Path
) -> None:
    env = shared_env(seaweedfs, s3_store.bucket, postgres_url, s3_part_size="5 MiB",
                     operations_shutdown_notice_seconds="1",
                     operations_shutdown_grace_seconds="2", operations_metrics_listen="",
                     rate_submissions="0", server_log_level="info")  # fmt: skip
    stopping = await start_intake(env, tmp_path)
    other = await start_intake(env, tmp_path)
    data = MP4_HEAD + os.urandom(12 * MiB)
    try:
        async with aiohttp.ClientSession() as http:
            async with http.post(stopping.base + "/api/v1/submissions",
                                 json={"consent_terms": True}) as r:  # fmt: skip
                draft = await r.json()
            auth = {"Authorization": f"Bearer {draft['submitter_token']}"}
            headers = {**TUS, **auth, "Upload-Length": str(len(data))}
            async with http.post(stopping.base + "/api/v1/uploads", headers=headers) as r:
                location = r.headers["Location"]

            port = int(stopping.base.rsplit(":", 1)[1])
            _, slow = await asyncio.open_connection("127.0.0.1", port)
            slow.write(
                (f"PATCH {location} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 f"Authorization: {auth['Authorization']}\r\nTus-Resumable: 1.0.0\r\n"
                 "Upload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\n"
                 f"Content-Length: {len(data)}\r\n\r\n").encode() + data[: 6 * MiB]
            )  # fmt: skip
            await slow.drain()
            short = Load(1, 1 * MiB)
            sending = asyncio.create_task(short.run(http, stopping.base))
            await short.all_halfway.wait()

            stopping.proc.send_signal(signal.SIGTERM)

            async def not_ready() -> bool:
                async with http.get(stopping.base + "/readyz") as r:
                    return r.status == 503

            assert await eventually(not_ready, 10)
            short.gate.set()
            await sending
            assert short.sent[0].status == 201, "a short request in flight is answered"

            assert await asyncio.wait_for(stopping.proc.wait(), 30) == 0
            with pytest.raises(aiohttp.ClientConnectionError):
                await http.get(stopping.base + "/healthz")
            with contextlib.suppress(ConnectionError):
                slow.close()

            head = {**TUS, **auth}
            async with http.head(other.base + location, headers=head) as r:
                assert r.status == 200
                offset = int(r.headers["Upload-Offset"])
            assert 0 < offset <= 6 * MiB, "what arrived before the cut was kept"
            patch = {**head, "Content-Type": "application/offset+octet-stream",
                     "Upload-Offset": str(offset)}  # fmt: skip
            async with http.patch(other.base + location, headers=patch,
                                  data=io.BytesIO(data[offset:])) as r:  # fmt: skip
                assert r.status == 204
            async with http.post(other.base + draft["submit_url"], headers=auth) as r:
                assert r.status == 202
                assert (await r.json())["files"][0]["sha256"] == sha256(data)
        log = stopping.log.read_text()
        assert "no new connections" in log and "shut down" in log
    finally:
        await other.stop()
        await stopping.stop(signal.SIGKILL)
