"""The whole service on each database backend: submissions land in S3 and in the rows."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import os
from typing import Any

import pytest
from aiohttp import FormData

from intake.adapters.s3 import S3ObjectStore
from intake.jobs.records import JobState
from intake.submissions.records import SubmissionState
from intake.web.keys import JOBS, OBJECT_STORE, REPOSITORY, WORKER

MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"


def form(files: list[tuple[str, bytes]], **fields: str) -> FormData:
    data = FormData()
    data.add_field("consent_terms", "true")
    for name, value in fields.items():
        data.add_field(name, value)
    for filename, content in files:
        data.add_field("files", io.BytesIO(content), filename=filename)
    return data


async def test_a_submission_is_stored_and_recorded(
    make_client: Any, s3_store: S3ObjectStore, database_url: str
) -> None:
    client = await make_client(database_url=database_url, s3_part_size="5 MiB")
    video = MP4_HEAD + os.urandom(11 * 1024 * 1024)
    photo = JPEG_HEAD + os.urandom(1000)
    response = await client.post(
        "/api/v1/submissions",
        data=form([("clip.mp4", video), ("photo.jpg", photo)], name="Ahmad", locale="fa-AF"),
    )
    assert response.status == 201
    body = await response.json()

    repository = client.server.app[REPOSITORY]
    submission = await repository.get_submission(body["id"])
    assert submission.state is SubmissionState.PROCESSING
    assert submission.details.name == "Ahmad"
    assert submission.details.locale == "fa-AF"
    assert submission.token_hash != body["submitter_token"]
    stored = await repository.files_of(body["id"])
    assert [f.sha256 for f in stored] == [
        hashlib.sha256(video).hexdigest(),
        hashlib.sha256(photo).hexdigest(),
    ]
    trail = await repository.audit_trail(body["id"])
    assert [(a.from_state, a.to_state) for a in trail] == [
        (None, SubmissionState.RECEIVED),
        (SubmissionState.RECEIVED, SubmissionState.PROCESSING),
    ]
    jobs = await client.server.app[JOBS].jobs_for(body["id"])
    assert [(j.kind, j.state) for j in jobs] == [("inspect_submission", JobState.QUEUED)]

    keys = await s3_store.list_keys(submission.prefix)
    assert set(keys) == {f.object_key for f in stored}  # the originals; no manifest yet
    big = await client.server.app[OBJECT_STORE].head(stored[0].object_key)
    assert big.size == len(video)
    assert "sha256" not in big.metadata
    assert stored[0].sha256 == hashlib.sha256(video).hexdigest()

    await client.server.app[WORKER].run_until_idle()  # inspection writes the manifest
    manifest_bytes = await client.server.app[OBJECT_STORE].get_range(
        submission.prefix + "manifest.json", 0, 1 << 20
    )
    manifest = json.loads(manifest_bytes)
    assert manifest["submission"]["reference"] == body["reference"]
    assert [f["sha256"] for f in manifest["files"]] == [f.sha256 for f in stored]


async def test_concurrent_submissions_all_land(make_client: Any, database_url: str) -> None:
    client = await make_client(database_url=database_url)

    async def send(i: int) -> Any:
        photo = JPEG_HEAD + os.urandom(100_000)
        return await client.post("/api/v1/submissions", data=form([(f"{i}.jpg", photo)]))

    responses = await asyncio.gather(*(send(i) for i in range(12)))
    assert [r.status for r in responses] == [201] * 12
    ids = {(await r.json())["id"] for r in responses}
    repository = client.server.app[REPOSITORY]
    for submission_id in ids:
        assert await repository.get_submission(submission_id) is not None


@pytest.mark.postgres
async def test_two_instances_share_one_postgres(make_client: Any, postgres_url: str) -> None:
    first = await make_client(database_url=postgres_url)
    second = await make_client(database_url=postgres_url)
    response = await first.post("/api/v1/submissions", data=form([("a.jpg", JPEG_HEAD)]))
    body = await response.json()
    seen = await second.server.app[REPOSITORY].get_submission(body["id"])
    assert seen is not None and seen.reference == body["reference"]
