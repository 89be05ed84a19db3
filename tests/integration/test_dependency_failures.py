"""A dependency fails under load, on real processes: SeaweedFS killed, or PostgreSQL
stopped, in the middle of 20 concurrent uploads to a running ``intake serve``.

Promised either way: new writes get 503 with ``Retry-After`` and ``/readyz`` says not
ready while it is down; no submission is acknowledged that is not whole (its original
with the bytes sent; the manifest is the inspection job's); when the dependency is back
the node recovers by itself (no restart) and a tus upload interrupted by the failure resumes.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import io
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from intake.adapters.s3 import S3Connection, S3ObjectStore
from intake.core.bucket_layout import original_key, submission_prefix
from intake.core.object_store import ObjectStore
from tests.conftest import TEST_MASTER_KEY
from tests.eventually import eventually
from tests.load import JPEG_HEAD, Load, as_intake_reads, sha256
from tests.pgcluster import new_cluster, remove
from tests.processes import ServeProcess, start_intake
from tests.weed import Weed, own_weed

pytestmark = [pytest.mark.failures, pytest.mark.postgres]
MiB = 1024 * 1024
UPLOADS, SIZE = 20, 6 * MiB
TUS = {"Tus-Resumable": "1.0.0"}
CHUNK = {**TUS, "Content-Type": "application/offset+octet-stream"}


@dataclass
class Setting:
    node: ServeProcess
    weed: Weed
    store: S3ObjectStore
    fail: Callable[[], Awaitable[None]]
    revive: Callable[[], Awaitable[None]]
    env: dict[str, str]


@contextlib.asynccontextmanager
async def running(tmp_path: Path, broken: str) -> AsyncIterator[Setting]:
    cluster = await new_cluster()
    try:
        async with own_weed(tmp_path / "weed") as weed:
            env = {
                "INTAKE_S3_ENDPOINT": weed.endpoint, "INTAKE_S3_BUCKET": "intake",
                "INTAKE_S3_ACCESS_KEY_ID": weed.access_key_id,
                "INTAKE_S3_SECRET_ACCESS_KEY": weed.secret_access_key,
                "INTAKE_S3_PART_SIZE": "5 MiB", "INTAKE_DATABASE_URL": cluster.url(),
                "INTAKE_DATABASE_MIGRATE_ON_START": "true", "INTAKE_S3_CREATE_BUCKET": "true",
                "INTAKE_SERVER_STORAGE_DIR": str(Path(__file__).parents[2] / "storage"),
                "INTAKE_SERVER_ADDRESS_SECRET": "the failure tests' address secret",
                "INTAKE_KEYS_MASTER_KEY": TEST_MASTER_KEY,
                "INTAKE_WORKERS_IN_PROCESS": "false", "INTAKE_OPERATIONS_METRICS_LISTEN": "",
                "INTAKE_RATE_SUBMISSIONS": "0",
            }  # fmt: skip
            node = await start_intake(env, tmp_path)
            store = S3ObjectStore(S3Connection(
                endpoint=weed.endpoint, region="us-east-1", bucket="intake",
                access_key_id=weed.access_key_id, secret_access_key=weed.secret_access_key,
            ))  # fmt: skip
            if broken == "seaweedfs":
                fail, revive = weed.kill, weed.start
            else:
                fail, revive = (lambda: cluster.stop("immediate")), cluster.start
            try:
                yield Setting(node, weed, store, fail, revive, env)
            finally:
                await node.stop()
                store.close()
    finally:
        await remove(cluster)


async def _status(http: aiohttp.ClientSession, url: str, **kwargs: Any) -> tuple[int, Any]:
    async with http.request(kwargs.pop("method", "GET"), url, **kwargs) as response:
        return response.status, response.headers


async def _tus_started(http: aiohttp.ClientSession, base: str, data: bytes) -> dict[str, Any]:
    async with http.post(base + "/api/v1/submissions", json={"consent_terms": True}) as r:
        draft: dict[str, Any] = await r.json()
    auth = {"Authorization": f"Bearer {draft['submitter_token']}"}
    headers = {**TUS, **auth, "Upload-Length": str(len(data))}
    async with http.post(base + "/api/v1/uploads", headers=headers) as r:
        assert r.status == 201
        location = r.headers["Location"]
    headers = {**CHUNK, **auth, "Upload-Offset": "0"}
    async with http.patch(base + location, headers=headers, data=io.BytesIO(data[: 5 * MiB])) as r:
        assert r.status == 204
    return {"draft": draft, "auth": auth, "location": location}


async def _whole(store: ObjectStore, sent: Any, tmp_path: Path) -> None:
    """An acknowledged submission: its original, byte for byte."""
    body = sent.body
    created = dt.datetime.fromisoformat(body["created_at"])
    prefix = submission_prefix(body["id"], created)
    (file,) = body["files"]
    assert file["sha256"] == sha256(sent.data) and file["size"] == len(sent.data)
    copy = tmp_path / f"{file['id']}.original"
    assert await store.download(original_key(prefix, file["id"]), copy) == len(sent.data)
    assert sha256(copy.read_bytes()) == file["sha256"]


@pytest.mark.parametrize("broken", ["seaweedfs", "postgres"])
async def test_a_dependency_that_fails_under_load_costs_no_acknowledged_submission(
    broken: str, tmp_path: Path
) -> None:
    tus_data = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"v" * (7 * MiB)
    async with running(tmp_path, broken) as s, aiohttp.ClientSession() as http:
        base = s.node.base
        upload = await _tus_started(http, base, tus_data)
        load = Load(UPLOADS, SIZE, groups=2)
        tasks = load.start(http, base)
        await load.all_halfway.wait()
        await s.fail()
        load.gates[0].set()  # half go on while it is down
        await asyncio.gather(*tasks[0::2])

        status, headers = await _status(http, base + "/readyz")
        assert status == 503
        form = aiohttp.FormData({"consent_terms": "true"})
        form.add_field("files", JPEG_HEAD + b"x" * 4096, filename="p.jpg")
        status, headers = await _status(http, base + "/api/v1/submissions", method="POST",
                                        data=form)  # fmt: skip
        assert (status, headers.get("Retry-After")) == (503, "5")
        patch = {**CHUNK, **upload["auth"], "Upload-Offset": str(5 * MiB)}
        rest = io.BytesIO(tus_data[5 * MiB :])
        status, headers = await _status(http, base + upload["location"], method="PATCH",
                                        headers=patch, data=rest)  # fmt: skip
        assert status == 503 and headers.get("Retry-After") == "5"
        for sent in load.sent[0::2]:
            assert sent.status in (0, 201, 503), (sent.status, sent.body)
            if sent.status == 503:
                assert sent.headers.get("Retry-After") == "5"

        await s.revive()

        async def ready() -> bool:
            return (await _status(http, base + "/readyz"))[0] == 200

        assert await eventually(ready, 60), "the node did not recover by itself"
        load.gates[1].set()  # the other half, held open meanwhile, go on after it is back
        await asyncio.gather(*tasks[1::2])
        held = [sent.status for sent in load.sent[1::2]]
        if broken == "seaweedfs":  # nothing had reached S3 for them yet
            assert held == [201] * (UPLOADS // 2)
        else:  # each had its data key written mid-body: those the outage caught got 503
            assert set(held) <= {201, 503}
        head = {**TUS, **upload["auth"]}
        status, headers = await _status(http, base + upload["location"], method="HEAD",
                                        headers=head)  # fmt: skip
        offset = int(headers["Upload-Offset"])
        assert status == 200 and offset == 5 * MiB
        patch = {**CHUNK, **upload["auth"], "Upload-Offset": str(offset)}
        status, _ = await _status(http, base + upload["location"], method="PATCH",
                                  headers=patch, data=io.BytesIO(tus_data[offset:]))  # fmt: skip
        assert status == 204
        submit = base + upload["draft"]["submit_url"]
        async with http.post(submit, headers=upload["auth"]) as r:
            assert r.status == 202
            assert (await r.json())["files"][0]["sha256"] == sha256(tus_data)
        again = Load(1, 1 * MiB)
        again.gate.set()
        await again.run(http, base)
        assert again.sent[0].status == 201

        async with as_intake_reads(s.env, s.store) as sealed:
            for sent in load.acknowledged():
                await _whole(sealed, sent, tmp_path)
                url = f"{base}/api/v1/submissions/{sent.body['id']}"
                auth = {"Authorization": f"Bearer {sent.body['submitter_token']}"}
                assert (await _status(http, url, headers=auth))[0] == 200
