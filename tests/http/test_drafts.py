"""Drafts: created with JSON, filled by tus uploads, submitted once every upload is
complete; and CORS for browsers on the newsroom's own origin."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from intake.adapters.s3 import S3ObjectStore
from intake.web.keys import OBJECT_STORE, REPOSITORY, WORKER
from tests.media import jpeg_with_exif, mp4_h264
from tests.tus_helpers import (
    NO_SUCH_ID,
    TUS,
    TUS_VERSION,
    UPLOADS,
    bearer,
    create_url,
    head,
    new_draft,
    patch_ok,
    problem,
    submit,
    upload_id,
    upload_whole,
)

ORIGIN = "https://news.example.org"


def listed(value: str) -> set[str]:
    return {item.strip().lower() for item in value.split(",") if item.strip()}


# --- creating a draft -----------------------------------------------------------------


async def test_a_json_draft_is_201_with_its_token_and_addresses(client: Any) -> None:
    response = await client.post(
        "/api/v1/submissions",
        json={"consent_terms": True, "name": "Ahmad", "title": "Flooded underpass"},
    )
    assert response.status == 201
    body = await response.json()
    assert body["state"] == "draft"
    assert response.headers["Location"] == f"/api/v1/submissions/{body['id']}"
    assert response.headers["Cache-Control"] == "no-store"
    assert len(body["submitter_token"]) >= 40
    assert body["upload_url"] == UPLOADS
    assert body["submit_url"] == f"/api/v1/submissions/{body['id']}/submit"
    assert body["created_at"].endswith("Z")


async def test_each_draft_gets_its_own_id_and_token(client: Any) -> None:
    first, second = await new_draft(client), await new_draft(client)
    assert first["id"] != second["id"]
    assert first["submitter_token"] != second["submitter_token"]


# (JSON body, field named in the errors, its code)
INVALID_FIELDS = [
    pytest.param({}, "consent_terms", "required", id="no-consent"),
    pytest.param({"consent_terms": False}, "consent_terms", "required", id="consent-false"),
    pytest.param({"consent_terms": True, "email": "nobody"}, "email", "invalid_email",
                 id="bad-email"),
    pytest.param({"consent_terms": True, "title": 42}, "title", "not_text", id="number"),
    pytest.param({"consent_terms": True, "title": "t" * 5000}, "title", "too_long",
                 id="too-long"),
]  # fmt: skip


@pytest.mark.parametrize(("fields", "field", "code"), INVALID_FIELDS)
async def test_invalid_draft_fields_are_422_naming_them(
    client: Any, fields: dict[str, Any], field: str, code: str
) -> None:
    response = await client.post("/api/v1/submissions", json=fields)
    body = await problem(response, 422, "validation-failed")
    assert {"field": field, "code": code} in [
        {"field": e["field"], "code": e["code"]} for e in body["errors"]
    ]


@pytest.mark.parametrize(
    "raw",
    [b"{not json", b"", b'{"consent_terms": true', b'["consent_terms"]', b'"consent"'],
    ids=["garbage", "empty", "truncated", "array", "string"],
)
async def test_a_body_that_is_not_a_json_object_is_400(client: Any, raw: bytes) -> None:
    response = await client.post(
        "/api/v1/submissions", data=raw, headers={"Content-Type": "application/json"}
    )
    await problem(response, 400, "bad-request")


# --- submitting -----------------------------------------------------------------------


async def test_submitting_without_an_upload_is_422_files_required(client: Any) -> None:
    draft = await new_draft(client)
    body = await problem(await submit(client, draft), 422, "validation-failed")
    assert body["errors"][0]["field"] == "files"
    assert body["errors"][0]["code"] == "required"


async def test_submitting_with_an_incomplete_upload_is_409_naming_it(client: Any) -> None:
    draft = await new_draft(client)
    token = draft["submitter_token"]
    await upload_whole(client, token, jpeg_with_exif(), filename="done.jpg", filetype="image/jpeg")
    url = await create_url(client, token, len(mp4_h264()), filename="half.mp4",
                           filetype="video/mp4")  # fmt: skip
    await patch_ok(client, url, token, 0, mp4_h264()[:1000])
    body = await problem(await submit(client, draft), 409, "conflict")
    assert body["incomplete_uploads"] == [upload_id(url)]
    assert "half.mp4" in body["detail"]
    assert "done.jpg" not in body["detail"]
    assert (await head(client, url, token)).status == 200, "the draft can still be finished"
    await patch_ok(client, url, token, 1000, mp4_h264()[1000:])
    assert (await submit(client, draft)).status == 202


async def test_a_complete_draft_is_202_with_what_was_stored(
    client: Any, s3_store: S3ObjectStore
) -> None:
    draft = await new_draft(client, name="Ahmad")
    token = draft["submitter_token"]
    photo, clip = jpeg_with_exif(), mp4_h264()
    # The declared filetype never decides the media type: the bytes do.
    await upload_whole(client, token, photo, filename="IMG_0001.jpg", filetype="video/mp4")
    await upload_whole(client, token, clip, filename="clip.mp4", filetype="")
    response = await submit(client, draft)
    assert response.status == 202, await response.text()
    body = await response.json()
    assert body["id"] == draft["id"]
    assert body["reference"] == draft["reference"]
    assert body["state"] == "processing"
    assert "submitter_token" not in body
    files = {f["filename"]: f for f in body["files"]}
    assert set(files) == {"IMG_0001.jpg", "clip.mp4"}
    for name, data, media_type, kind in [
        ("IMG_0001.jpg", photo, "image/jpeg", "photo"),
        ("clip.mp4", clip, "video/mp4", "video"),
    ]:
        assert files[name]["sha256"] == hashlib.sha256(data).hexdigest()
        assert files[name]["size"] == len(data)
        assert files[name]["media_type"] == media_type
        assert files[name]["kind"] == kind

    store = client.server.app[OBJECT_STORE]
    for stored_file in await client.server.app[REPOSITORY].files_of(draft["id"]):
        # durable before the answer; the manifest comes with inspection
        assert (await store.head(stored_file.object_key)).size == stored_file.size
    keys = await s3_store.list_keys("submissions/")
    assert not [k for k in keys if k.endswith(f"/{draft['id']}/manifest.json")]

    await client.server.app[WORKER].run_until_idle()  # inspection writes the manifest
    keys = await s3_store.list_keys("submissions/")
    (manifest_key,) = [k for k in keys if k.endswith(f"/{draft['id']}/manifest.json")]
    info = await client.server.app[OBJECT_STORE].head(manifest_key)
    manifest = json.loads(
        await client.server.app[OBJECT_STORE].get_range(manifest_key, 0, info.size - 1)
    )
    assert manifest["submission"]["id"] == draft["id"]
    assert manifest["submission"]["details"]["name"] == "Ahmad"
    assert {f["sha256"] for f in manifest["files"]} == {f["sha256"] for f in body["files"]}
    for stored in manifest["files"]:
        original = await client.server.app[OBJECT_STORE].head(stored["original_key"])
        assert original.size == stored["size"]


async def test_submitting_twice_is_409(client: Any) -> None:
    draft = await new_draft(client)
    await upload_whole(client, draft["submitter_token"], jpeg_with_exif(), filename="a.jpg",
                       filetype="image/jpeg")  # fmt: skip
    assert (await submit(client, draft)).status == 202
    body = await problem(await submit(client, draft), 409, "conflict")
    assert body["state"] == "processing"


@pytest.mark.parametrize("who", ["other-draft", "unknown-token", "no-token", "unknown-draft"])
async def test_submitting_with_the_wrong_token_is_404(client: Any, who: str) -> None:
    draft = await new_draft(client)
    await upload_whole(client, draft["submitter_token"], jpeg_with_exif(), filename="a.jpg",
                       filetype="image/jpeg")  # fmt: skip
    other = await new_draft(client)
    target = draft
    tokens = {"other-draft": other["submitter_token"], "unknown-token": "x" * 43,
              "no-token": None, "unknown-draft": draft["submitter_token"]}  # fmt: skip
    token = tokens[who]
    if who == "unknown-draft":
        target = {**draft, "submit_url": f"/api/v1/submissions/{NO_SUCH_ID}/submit"}
    response = await client.post(target["submit_url"], headers=bearer(token))
    await problem(response, 404, "not-found")
    assert (await submit(client, draft)).status == 202, "the draft was submitted anyway"


async def test_terminated_uploads_are_not_part_of_the_submission(client: Any) -> None:
    draft = await new_draft(client)
    token = draft["submitter_token"]
    dropped = await create_url(client, token, 1000, filename="dropped.jpg")
    assert (await client.delete(dropped, headers={**TUS, **bearer(token)})).status == 204
    await upload_whole(client, token, jpeg_with_exif(), filename="kept.jpg", filetype="image/jpeg")
    response = await submit(client, draft)
    assert response.status == 202, await response.text()
    assert [f["filename"] for f in (await response.json())["files"]] == ["kept.jpg"]


# --- CORS -----------------------------------------------------------------------------


@pytest.fixture
async def cors_client(make_client: Any) -> Any:
    return await make_client(server_cors_origins=ORIGIN)


@pytest.mark.parametrize("path", [UPLOADS, f"{UPLOADS}/some-upload", "/api/v1/submissions"])
async def test_a_preflight_from_the_allowed_origin_allows_tus(cors_client: Any, path: str) -> None:
    response = await cors_client.options(
        path,
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "upload-offset,tus-resumable,content-type",
        },
    )
    assert response.status == 204
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert {"patch", "head", "delete", "post"} <= listed(
        response.headers["Access-Control-Allow-Methods"]
    )
    assert {
        "upload-offset", "tus-resumable", "upload-length", "upload-metadata", "upload-checksum",
        "upload-concat", "upload-defer-length", "content-type", "authorization",
        "x-http-method-override",
    } <= listed(response.headers["Access-Control-Allow-Headers"])  # fmt: skip
    assert int(response.headers["Access-Control-Max-Age"]) > 0
    assert "origin" in listed(response.headers.get("Vary", ""))


TUS_EXPOSED = {"location", "upload-offset", "upload-length", "upload-expires", "tus-resumable"}


async def test_answers_to_the_allowed_origin_expose_the_tus_headers(cors_client: Any) -> None:
    response = await cors_client.post(
        "/api/v1/submissions", json={"consent_terms": True}, headers={"Origin": ORIGIN}
    )
    assert response.status == 201
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "location" in listed(response.headers["Access-Control-Expose-Headers"])
    token = (await response.json())["submitter_token"]
    created = await cors_client.post(
        UPLOADS,
        headers={**TUS, **bearer(token), "Upload-Length": "1294", "Origin": ORIGIN},
    )
    assert created.status == 201
    assert created.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert listed(created.headers["Access-Control-Expose-Headers"]) >= TUS_EXPOSED
    answer = await cors_client.head(
        created.headers["Location"], headers={**TUS, **bearer(token), "Origin": ORIGIN}
    )
    assert answer.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert listed(answer.headers["Access-Control-Expose-Headers"]) >= TUS_EXPOSED
    assert "origin" in listed(answer.headers.get("Vary", ""))


@pytest.mark.parametrize(
    ("method", "headers", "status"),
    [("HEAD", {}, 412), ("POST", {**TUS, "Upload-Length": "100"}, 401), ("PATCH", TUS, 415)],
    ids=["412", "401", "415"],
)
async def test_error_answers_are_readable_by_the_allowed_origin(
    cors_client: Any, method: str, headers: dict[str, str], status: int
) -> None:
    draft = await new_draft(cors_client)
    url = await create_url(cors_client, draft["submitter_token"], 100)
    path = UPLOADS if method == "POST" else url
    sent = {**headers, "Origin": ORIGIN}
    if method != "POST":
        sent.update(bearer(draft["submitter_token"]))
    response = await cors_client.request(method, path, headers=sent)
    assert response.status == status
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert response.headers["Tus-Resumable"] == TUS_VERSION


@pytest.mark.parametrize(
    "origin", ["https://evil.example", "http://news.example.org", "https://news.example.org.evil"]
)
async def test_other_origins_get_no_cors_headers(cors_client: Any, origin: str) -> None:
    preflight = await cors_client.options(
        UPLOADS, headers={"Origin": origin, "Access-Control-Request-Method": "PATCH"}
    )
    assert "Access-Control-Allow-Origin" not in preflight.headers
    assert "Access-Control-Allow-Headers" not in preflight.headers
    response = await cors_client.post(
        "/api/v1/submissions", json={"consent_terms": True}, headers={"Origin": origin}
    )
    assert response.status == 201
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Expose-Headers" not in response.headers


async def test_without_configured_origins_no_origin_is_allowed(client: Any) -> None:
    preflight = await client.options(
        UPLOADS, headers={"Origin": ORIGIN, "Access-Control-Request-Method": "PATCH"}
    )
    assert "Access-Control-Allow-Origin" not in preflight.headers
