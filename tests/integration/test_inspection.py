"""Inspection end to end: real SeaweedFS, SQLite/PostgreSQL, decoder processes."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import subprocess
import sys
from typing import Any

import pytest
from aiohttp import FormData
from PIL import Image

from intake.adapters.s3 import S3ObjectStore
from intake.jobs.records import JobState
from intake.jobs.worker import JobRules, Worker
from intake.submissions.acceptance import INSPECT_SUBMISSION
from intake.submissions.records import FileState, FlagKind, SubmissionState
from intake.web.keys import INSPECTION, JOBS, OBJECT_STORE, REPOSITORY, WORKER
from tests import media
from tests.tus_helpers import bearer, new_draft, submit, upload_whole


def form(*files: tuple[str, bytes]) -> FormData:
    data = FormData()
    data.add_field("consent_terms", "true")
    data.add_field("name", "Zarmina")
    for filename, content in files:
        data.add_field("files", io.BytesIO(content), filename=filename)
    return data


async def send(client: Any, *files: tuple[str, bytes]) -> dict[str, Any]:
    response = await client.post("/api/v1/submissions", data=form(*files))
    assert response.status == 201, await response.text()
    body: dict[str, Any] = await response.json()
    assert body["state"] == "processing"
    return body


async def read(store: S3ObjectStore, key: str) -> bytes:
    info = await store.head(key)
    return await store.get_range(key, 0, info.size - 1)


async def test_a_submission_is_inspected_then_waits_for_review(
    make_client: Any, s3_store: S3ObjectStore, database_url: str
) -> None:
    client = await make_client(database_url=database_url)
    app = client.server.app
    body = await send(client, ("me.jpg", media.jpeg_with_exif()), ("street.mp4", media.mp4_h264()))
    assert await app[WORKER].run_until_idle() == 1

    repository = app[REPOSITORY]
    submission = await repository.get_submission(body["id"])
    assert submission.state is SubmissionState.PENDING_REVIEW
    photo, video = await repository.files_of(body["id"])
    assert photo.state is video.state is FileState.INSPECTED
    assert photo.extracted["gps"]["latitude"] == pytest.approx(media.LATITUDE, abs=1e-4)
    assert photo.extracted["make"] == media.MAKE
    assert video.extracted["location_iso6709"] == media.LOCATION_ISO6709
    assert len(photo.phash) == 16 and video.phash == ""
    assert photo.public_key == f"{submission.prefix}{photo.id}/public.jpg"
    assert video.public_key == f"{submission.prefix}{video.id}/public.mp4"
    public = await read(app[OBJECT_STORE], photo.public_key)
    assert b"Exif" not in public and media.MAKE.encode() not in public
    assert media.LOCATION_ISO6709.encode() not in await read(app[OBJECT_STORE], video.public_key)
    thumb = Image.open(io.BytesIO(await read(app[OBJECT_STORE], photo.thumbnail_key)))
    assert thumb.format == "JPEG"

    manifest = json.loads(await read(app[OBJECT_STORE], submission.prefix + "manifest.json"))
    assert manifest["submission"]["state"] == "pending_review"
    verdicts = [f["inspection"]["verdict"] for f in manifest["files"]]
    assert verdicts == ["accepted", "accepted"]
    assert manifest["files"][0]["inspection"]["extracted"]["make"] == media.MAKE
    assert manifest["files"][1]["inspection"]["public_key"] == video.public_key

    trail = await repository.audit_trail(body["id"])
    assert (trail[-1].from_state, trail[-1].to_state) == (
        SubmissionState.PROCESSING, SubmissionState.PENDING_REVIEW,
    )  # fmt: skip
    [job] = await app[JOBS].jobs_for(body["id"])
    assert (job.state, job.attempts) == (JobState.DONE, 1)


async def test_a_submission_with_no_valid_file_fails(
    make_client: Any, s3_store: S3ObjectStore
) -> None:
    client = await make_client()
    app = client.server.app
    body = await send(client, ("clip.mp4", media.mp4_head_then_random(20_000)))
    await app[WORKER].run_until_idle()
    submission = await app[REPOSITORY].get_submission(body["id"])
    assert submission.state is SubmissionState.FAILED
    [file] = await app[REPOSITORY].files_of(body["id"])
    assert file.state is FileState.REJECTED
    assert "could not be opened" in file.reject_reason
    keys = await s3_store.list_keys(submission.prefix)
    assert not [k for k in keys if "/public." in k or k.endswith("/thumb.jpg")]
    response = await client.get(
        f"/api/v1/submissions/{body['id']}", headers=bearer(body["submitter_token"])
    )
    assert (await response.json())["status"] == "not_used"


async def test_one_bad_file_is_rejected_and_the_others_go_on(make_client: Any) -> None:
    client = await make_client()
    app = client.server.app
    bomb = io.BytesIO()
    Image.new("1", (12_000, 10_000)).save(bomb, "PNG", optimize=True)
    body = await send(client, ("bomb.png", bomb.getvalue()), ("ok.png", media.png_image()))
    await app[WORKER].run_until_idle()
    assert (await app[REPOSITORY].get_submission(body["id"])).state is (
        SubmissionState.PENDING_REVIEW
    )
    bad, good = await app[REPOSITORY].files_of(body["id"])
    assert bad.state is FileState.REJECTED and "refused without decoding" in bad.reject_reason
    assert good.state is FileState.INSPECTED


async def test_duplicates_and_near_duplicates_are_flagged(
    make_client: Any, database_url: str
) -> None:
    client = await make_client(database_url=database_url)
    app = client.server.app
    picture = io.BytesIO()
    media._picture((640, 480)).save(picture, "JPEG", quality=90)
    photo = picture.getvalue()
    first = await send(client, ("a.jpg", photo))
    await app[WORKER].run_until_idle()
    smaller = io.BytesIO()
    with Image.open(io.BytesIO(photo)) as image:
        image.resize((image.width // 2, image.height // 2)).save(smaller, "JPEG", quality=70)
    second = await send(client, ("a.jpg", photo), ("b.jpg", smaller.getvalue()))
    await app[WORKER].run_until_idle()
    [original] = await app[REPOSITORY].files_of(first["id"])
    same, alike = await app[REPOSITORY].files_of(second["id"])
    assert same.flags[0].kind is FlagKind.DUPLICATE
    assert (same.flags[0].submission_id, same.flags[0].file_id) == (first["id"], original.id)
    near = [f for f in alike.flags if f.kind is FlagKind.NEAR_DUPLICATE]
    assert near and near[0].submission_id == first["id"]
    assert near[0].distance is not None and near[0].distance <= 6


async def test_a_draft_submitted_with_tus_is_inspected(make_client: Any) -> None:
    client = await make_client()
    app = client.server.app
    draft = await new_draft(client, name="Zarmina")
    token = draft["submitter_token"]
    await upload_whole(client, token, media.webm_vp9(), filename="c.webm", filetype="video/webm")
    response = await submit(client, draft)
    assert response.status == 202
    assert (await response.json())["state"] == "processing"
    [job] = await app[JOBS].jobs_for(draft["id"])
    assert job.kind == INSPECT_SUBMISSION
    await app[WORKER].run_until_idle()
    [file] = await app[REPOSITORY].files_of(draft["id"])
    assert file.state is FileState.INSPECTED
    assert file.extracted["video_codec"] == "vp9"


async def test_withdrawal_removes_derivatives_and_what_was_extracted(
    make_client: Any, s3_store: S3ObjectStore
) -> None:
    client = await make_client()
    app = client.server.app
    body = await send(client, ("me.jpg", media.jpeg_with_exif()))
    await app[WORKER].run_until_idle()
    submission = await app[REPOSITORY].get_submission(body["id"])
    assert any("/public." in k for k in await s3_store.list_keys(submission.prefix))
    response = await client.delete(
        f"/api/v1/submissions/{body['id']}", headers=bearer(body["submitter_token"])
    )
    assert response.status == 204
    assert await s3_store.list_keys(submission.prefix) == []
    [file] = await app[REPOSITORY].files_of(body["id"])
    assert (file.extracted, file.flags, file.phash, file.public_key) == ({}, (), "", "")


async def test_a_worker_that_died_mid_job_is_replaced_and_outputs_are_not_repeated(
    make_client: Any, s3_store: S3ObjectStore
) -> None:
    client = await make_client()
    app = client.server.app
    body = await send(client, ("a.jpg", media.jpeg_with_exif()), ("b.png", media.png_image()))
    repository, queue = app[REPOSITORY], app[JOBS]
    # A worker takes the job, inspects the first file, and dies (its lease runs out).
    now = dt.datetime.now(dt.UTC)
    dead = await queue.claim("dead-worker", now=now, until=now + dt.timedelta(seconds=60))
    assert dead is not None
    submission = await repository.get_submission(body["id"])
    first, _ = await repository.files_of(body["id"])
    await app[INSPECTION].inspect_file(submission, first)
    assert await app[WORKER].run_one() is None  # still leased
    rules = JobRules(lease=dt.timedelta(seconds=30), max_attempts=3,
                     retry_base=dt.timedelta(0), retry_max=dt.timedelta(0))  # fmt: skip
    later = now + dt.timedelta(seconds=61)  # the dead worker's lease has run out
    handlers = {INSPECT_SUBMISSION: app[INSPECTION]}
    assert await Worker(queue, handlers, rules, clock=lambda: later).run_one()
    job = await queue.get(dead.id)
    assert (job.state, job.attempts) == (JobState.DONE, 2)
    assert not await queue.complete(dead.id, "dead-worker", now)  # the old lease is void
    keys = await s3_store.list_keys(submission.prefix)
    assert sum("/public." in k for k in keys) == 2 and sum("thumb" in k for k in keys) == 2
    trail = await repository.audit_trail(body["id"])
    assert [a.action for a in trail].count("inspected") == 1
    assert (await repository.get_submission(body["id"])).state is SubmissionState.PENDING_REVIEW


async def test_workers_inside_serve_finish_a_submission(make_client: Any) -> None:
    client = await make_client(workers_in_process="true")
    body = await send(client, ("me.jpg", media.jpeg_with_exif()))
    for _ in range(150):
        response = await client.get(
            f"/api/v1/submissions/{body['id']}", headers=bearer(body["submitter_token"])
        )
        if (await response.json())["status"] == "waiting_for_review":
            break
        await asyncio.sleep(0.1)
    else:
        pytest.fail("the in-process worker did not inspect the submission")


def test_the_web_process_never_imports_the_decoders() -> None:
    code = (
        "import sys, intake.web.app, intake.cli.main;"
        "import intake.inspection.service, intake.inspection.decoders;"
        "bad = [m for m in ('PIL', 'av', 'pillow_heif') if m in sys.modules];"
        "sys.exit(f'imported {bad}' if bad else 0)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


async def test_an_animation_bomb_is_refused_once_with_a_reason_and_not_retried(
    make_client: Any,
) -> None:
    client = await make_client(inspection_photo_max_total_pixels="50000000")
    app = client.server.app
    body = await send(client, ("bomb.gif", media.gif_bomb(10, 5000)), ("ok.png", media.png_image()))
    assert await app[WORKER].run_one() is not None
    files = {f.original_filename: f for f in await app[REPOSITORY].files_of(body["id"])}
    assert files["bomb.gif"].state is FileState.REJECTED
    assert "frames add up to more than 50 MP" in files["bomb.gif"].reject_reason
    assert files["ok.png"].state is FileState.INSPECTED
    [job] = await app[JOBS].jobs_for(body["id"])
    assert (job.state, job.attempts) == (JobState.DONE, 1)
