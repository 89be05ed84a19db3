"""Two ``intake serve`` nodes and one ``intake worker`` behind Debian's HAProxy
(deploy/haproxy.cfg, round-robin); one node killed (SIGKILL) with 20 uploads mid-body.

Every acknowledged submission is whole and consistent (its row, its original, its
manifest saying what the database says once inspected); a tus upload started on the
killed node continues on the other; after the janitor (on a clock a day ahead) no
multipart upload and no object without a row is left in the bucket."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import os
import secrets
import signal
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from intake.adapters.embedded.seaweedfs import EmbeddedS3
from intake.adapters.s3 import S3Connection, S3ObjectStore
from intake.core.bucket_layout import manifest_key, original_key, submission_prefix
from intake.core.object_store import ObjectStore
from intake.core.settings.loading import load_settings
from intake.wiring.database import open_database, repositories
from intake.wiring.janitor import Janitor
from intake.wiring.services import open_services
from tests.clocks import ShiftedClock
from tests.eventually import eventually
from tests.haproxy import round_robin
from tests.load import Load, Sent, as_intake_reads, sha256
from tests.processes import ROOT, shared_env, start_intake

pytestmark = [pytest.mark.failures, pytest.mark.postgres]
MiB = 1024 * 1024
UPLOADS, SIZE = 20, 8 * MiB
TUS = {"Tus-Resumable": "1.0.0"}
CHUNK = {**TUS, "Content-Type": "application/offset+octet-stream"}
MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"


async def _tus_on(http: aiohttp.ClientSession, base: str, data: bytes) -> dict[str, Any]:
    async with http.post(base + "/api/v1/submissions", json={"consent_terms": True}) as r:
        draft: dict[str, Any] = await r.json()
    auth = {"Authorization": f"Bearer {draft['submitter_token']}"}
    headers = {**TUS, **auth, "Upload-Length": str(len(data))}
    async with http.post(base + "/api/v1/uploads", headers=headers) as r:
        location = r.headers["Location"]
    headers = {**CHUNK, **auth, "Upload-Offset": "0"}
    async with http.patch(base + location, headers=headers, data=io.BytesIO(data[: 5 * MiB])) as r:
        assert r.status == 204
    return {"draft": draft, "auth": auth, "location": location}


async def _consistent(store: ObjectStore, http: aiohttp.ClientSession, proxy: str,
                      sent: Sent, state: str) -> set[str]:  # fmt: skip
    """Row, original and manifest agree; returns the submission's keys."""
    body = sent.body
    prefix = submission_prefix(body["id"], dt.datetime.fromisoformat(body["created_at"]))
    (file,) = body["files"]
    assert file["sha256"] == sha256(sent.data)
    head = await store.get_range(original_key(prefix, file["id"]), 0, 1023)
    assert head == sent.data[:1024]
    auth = {"Authorization": f"Bearer {body['submitter_token']}"}
    async with http.get(f"{proxy}/api/v1/submissions/{body['id']}", headers=auth) as r:
        assert r.status == 200
    manifest = json.loads(await store.get_range(manifest_key(prefix), 0, 10 * MiB))
    assert manifest["submission"]["id"] == body["id"]
    assert manifest["submission"]["state"] == state
    assert [f["sha256"] for f in manifest["files"]] == [file["sha256"]]
    return set(await store.list_keys(prefix))


async def test_a_node_killed_mid_upload_behind_the_proxy_loses_nothing_acknowledged(
    seaweedfs: EmbeddedS3, postgres_url: str, tmp_path: Path
) -> None:
    bucket = f"intake-nodes-{secrets.token_hex(4)}"
    env = shared_env(seaweedfs, bucket, postgres_url, s3_part_size="5 MiB",
                     s3_create_bucket="true", uploads_lease_seconds="5",
                     rate_submissions="0", operations_metrics_listen="")  # fmt: skip
    store = S3ObjectStore(S3Connection(
        endpoint=seaweedfs.endpoint, region="us-east-1", bucket=bucket,
        access_key_id=seaweedfs.access_key_id, secret_access_key=seaweedfs.secret_access_key,
    ))  # fmt: skip
    first = await start_intake(env, tmp_path)
    second = await start_intake(env, tmp_path)
    worker_env = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
    worker_env.update(env, INTAKE_SERVER_DATA_DIR=str(tmp_path / "worker"))
    with (tmp_path / "worker.log").open("wb") as log:
        worker = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "intake", "worker", cwd=ROOT, env=worker_env,
            stdout=log, stderr=log,
        )  # fmt: skip
    node = lambda served: served.base.removeprefix("http://")  # noqa: E731
    tus_data = MP4_HEAD + os.urandom(7 * MiB)
    try:
        async with (
            round_robin(node(first), node(second), tmp_path / "haproxy.log") as proxy,
            aiohttp.ClientSession() as http,
        ):
            upload = await _tus_on(http, first.base, tus_data)
            load = Load(UPLOADS, SIZE, at=0.75)
            under_way = asyncio.create_task(load.run(http, proxy))
            await load.all_halfway.wait()

            async def parts_written() -> bool:
                return len(await store.list_multipart_uploads("submissions/")) >= UPLOADS

            assert await eventually(parts_written, 60), "the uploads never reached S3"
            first.proc.send_signal(signal.SIGKILL)
            await first.proc.wait()
            load.gate.set()
            await under_way

            assert {s.status for s in load.sent} <= {0, 201, 502, 503}
            acknowledged = load.acknowledged()
            assert len(acknowledged) >= UPLOADS // 2 - 1  # the other node's share

            headers = {**TUS, **upload["auth"]}
            async with http.head(proxy + upload["location"], headers=headers) as r:
                assert r.status == 200
                offset = int(r.headers["Upload-Offset"])
            assert offset == 5 * MiB
            patch = {**CHUNK, **upload["auth"], "Upload-Offset": str(offset)}
            rest = io.BytesIO(tus_data[offset:])
            async with http.patch(proxy + upload["location"], headers=patch, data=rest) as r:
                assert r.status == 204, await r.text()
            async with http.post(proxy + upload["draft"]["submit_url"],
                                 headers=upload["auth"]) as r:  # fmt: skip
                assert r.status == 202
                tus_submission = await r.json()
            assert tus_submission["files"][0]["sha256"] == sha256(tus_data)

            settings = load_settings(None, {**env, "INTAKE_SERVER_DATA_DIR": str(tmp_path)})
            async with open_database(settings) as database:
                rows = repositories(database, settings).submissions
                ids = [sent.body["id"] for sent in acknowledged]

                async def inspected() -> bool:
                    states = await rows.states_of(ids)
                    return len(states) == len(ids) and not {
                        str(state) for state in states.values()
                    } & {"received", "processing"}

                assert await eventually(inspected, 120), "the worker did not inspect them"
                states = await rows.states_of(ids)

            clock = ShiftedClock()
            clock.advance(settings.operations.orphan_grace_seconds + 60)
            async with open_database(settings) as database:
                repos = repositories(database, settings)
                async with open_services(settings, store, repos, clock) as services:
                    await Janitor(settings, services, clock).sweep()

            owned: set[str] = set()
            async with as_intake_reads(env, store) as sealed:
                for sent in acknowledged:
                    state = states[sent.body["id"]]
                    owned |= await _consistent(sealed, http, proxy, sent, state)
            left = set(await store.list_keys("submissions/"))
            tus_prefix = f"/{tus_submission['id']}/"
            assert {k for k in left if tus_prefix not in k} == owned
            assert await store.list_multipart_uploads("submissions/") == []
            assert await store.list_keys("incoming/") == []
    finally:
        worker.send_signal(signal.SIGTERM)
        await worker.wait()
        await second.stop()
        await first.stop(signal.SIGKILL)
        store.close()
