"""What a submitter and a client app can ask: the config, a submission's state, withdrawal."""

from __future__ import annotations

import io
from typing import Any

from aiohttp import FormData
from sqlalchemy import select

from intake.adapters.db.schema import audit_log, files, submissions
from intake.adapters.s3 import S3ObjectStore
from intake.submissions.filenames import sanitize_filename
from intake.web.keys import REPOSITORIES, WORKER
from tests.media import jpeg_with_exif, mp4_h264
from tests.tus_helpers import bearer, create, new_draft, patch, tail_rows

MiB = 1024 * 1024


async def submit_form(client: Any, **fields: str) -> dict[str, Any]:
    data = FormData()
    data.add_field("consent_terms", "true")
    for name, value in fields.items():
        data.add_field(name, value)
    data.add_field("files", io.BytesIO(jpeg_with_exif()), filename="me.jpg")
    data.add_field("files", io.BytesIO(mp4_h264()), filename="street.mp4")
    response = await client.post("/api/v1/submissions", data=data)
    assert response.status == 201
    body: dict[str, Any] = await response.json()
    return body


async def test_the_config_says_what_may_be_sent(make_client: Any) -> None:
    client = await make_client(limits_photo_max_bytes="20 MiB", limits_max_files="4")
    response = await client.get("/api/v1/config")
    assert response.status == 200
    config = await response.json()
    photos = {t["media_type"]: t["extensions"] for t in config["accepted_types"]["photo"]}
    videos = {t["media_type"] for t in config["accepted_types"]["video"]}
    assert "jpeg" in photos["image/jpeg"] and "heic" in photos["image/heic"]
    assert {"video/mp4", "video/quicktime", "video/webm"} <= videos
    assert config["limits"]["photo_max_bytes"] == 20 * MiB
    assert config["limits"]["max_files"] == 4
    assert (
        config["limits"]["field_max_chars"]["story"] > config["limits"]["field_max_chars"]["name"]
    )
    assert config["uploads"]["tus_endpoint"] == "/api/v1/uploads"
    assert config["uploads"]["max_size"] > 0
    assert "sha1" in config["uploads"]["checksum_algorithms"]
    assert config["consents"]["required"] == ["consent_terms"]
    assert config["consents"]["terms_version"]
    assert config["locales"][0] == "en"


async def test_the_submitter_sees_the_state_in_plain_words(client: Any) -> None:
    sent = await submit_form(client, name="Zarmina", story="private story")
    response = await client.get(
        f"/api/v1/submissions/{sent['id']}", headers=bearer(sent["submitter_token"])
    )
    assert response.status == 200
    view = await response.json()
    assert view["status"] == "being_checked"
    assert "checked" in view["status_text"]
    assert [f["filename"] for f in view["files"]] == ["me.jpg", "street.mp4"]
    assert view["created_at"].endswith("Z")
    assert set(view) == {
        "id", "reference", "status", "status_text", "created_at", "updated_at", "files",
    }  # fmt: skip


async def test_a_draft_shows_its_uploads(client: Any) -> None:
    draft = await new_draft(client)
    created = await create(client, draft["submitter_token"], 1000)
    response = await client.get(
        f"/api/v1/submissions/{draft['id']}", headers=bearer(draft["submitter_token"])
    )
    view = await response.json()
    assert view["status"] == "not_sent"
    assert view["uploads"][0]["url"] == created.headers["Location"]
    assert view["uploads"][0]["offset"] == 0


async def test_other_tokens_get_404_not_403(client: Any) -> None:
    mine = await submit_form(client)
    theirs = await submit_form(client)
    for headers in ({}, bearer(theirs["submitter_token"]), bearer("made-up")):
        for method in ("GET", "DELETE"):
            response = await client.request(
                method, f"/api/v1/submissions/{mine['id']}", headers=headers
            )
            assert response.status == 404
            assert response.content_type == "application/problem+json"
    unknown = await client.get(
        "/api/v1/submissions/01a21fed-0000-7000-8000-000000000000",
        headers=bearer(mine["submitter_token"]),
    )
    assert unknown.status == 404


async def test_withdrawal_deletes_the_media_and_erases_personal_data(
    client: Any, s3_store: S3ObjectStore
) -> None:
    sent = await submit_form(client, name="Zarmina", email="z@example.org", story="secret")
    token = sent["submitter_token"]
    await client.server.app[WORKER].run_until_idle()  # derivatives and the manifest too
    keys = [k for k in await s3_store.list_keys("submissions/") if sent["id"] in k]
    assert len(keys) > 3 and any(k.endswith("/manifest.json") for k in keys)
    prefix = keys[0].split(sent["id"])[0] + sent["id"] + "/"

    for _ in range(2):  # idempotent
        response = await client.delete(f"/api/v1/submissions/{sent['id']}", headers=bearer(token))
        assert response.status == 204
    assert await s3_store.list_keys(prefix) == []

    async with client.server.app[REPOSITORIES].engine.connect() as conn:
        row = (await conn.execute(select(submissions).where(submissions.c.id == sent["id"]))).one()
        names_query = select(files.c.original_filename).where(files.c.submission_id == sent["id"])
        names = (await conn.execute(names_query)).scalars().all()
        trail_query = (
            select(audit_log.c.action)
            .where(audit_log.c.submission_id == sent["id"])
            .order_by(audit_log.c.id)
        )
        trail = (await conn.execute(trail_query)).scalars().all()
    assert row.state == "withdrawn"
    assert (row.name, row.email, row.phone, row.title, row.story, row.location) == ("",) * 6
    assert row.occurred_at is None
    assert set(names) == {""}
    assert trail[-1] == "withdrawn" and trail.count("withdrawn") == 1

    view = await (
        await client.get(f"/api/v1/submissions/{sent['id']}", headers=bearer(token))
    ).json()
    assert view["status"] == "withdrawn"


async def test_withdrawing_a_draft_ends_its_uploads(client: Any, s3_store: S3ObjectStore) -> None:
    draft = await new_draft(client)
    token = draft["submitter_token"]
    created = await create(client, token, 3 * MiB, filename="v.mp4", filetype="video/mp4")
    location = created.headers["Location"]
    chunk = mp4_h264()[:4096] + b"\0" * 10_000
    assert (await patch(client, location, token, 0, chunk)).status == 204
    upload_id = location.rsplit("/", 1)[1]
    assert await tail_rows(client.server.app, upload_id)
    response = await client.delete(f"/api/v1/submissions/{draft['id']}", headers=bearer(token))
    assert response.status == 204
    assert await tail_rows(client.server.app, upload_id) == []
    assert await s3_store.list_keys(f"incoming/{upload_id}/") == []
    head = await client.head(location, headers={**bearer(token), "Tus-Resumable": "1.0.0"})
    assert head.status in (404, 410)


async def test_every_answer_carries_a_request_id(client: Any) -> None:
    echoed = await client.get("/api/v1/config", headers={"X-Request-Id": "app-7f3a"})
    assert echoed.headers["X-Request-Id"] == "app-7f3a"
    fresh = await client.get("/api/v1/config")
    assert len(fresh.headers["X-Request-Id"]) >= 16
    refused = await client.get("/api/v1/nothing", headers={"X-Request-Id": "bad id\twith tab"})
    body = await refused.json()
    assert refused.headers["X-Request-Id"] == body["request_id"] != "bad id\twith tab"


async def test_a_drafts_view_shows_upload_filenames_sanitized(client: Any) -> None:
    draft = await new_draft(client)
    token = draft["submitter_token"]
    raw = "../../evil\u202eexe.jpg\r\n<script>"
    created = await create(client, token, 1000, filename=raw)
    assert created.status == 201
    view = await (
        await client.get(f"/api/v1/submissions/{draft['id']}", headers=bearer(token))
    ).json()
    [upload] = view["uploads"]
    assert upload["filename"] == sanitize_filename(raw) != raw
    assert "/" not in upload["filename"] and "\u202e" not in upload["filename"]
