"""Verification aids end to end: real SeaweedFS, SQLite and PostgreSQL, decoder processes.
Content credentials and flags reach moderators in the API, in plain words in their
language, and the list and the queue are filtered by them; a trimmed, re-encoded copy of
a video is flagged as a near duplicate of the original."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from aiohttp import FormData

from intake.web.keys import REPOSITORY, WORKER
from tests import media
from tests.c2pa_signing import AI_SOURCE, SigningAuthority, tamper
from tests.moderation_helpers import MODERATION, auth, moderator_token
from tests.video_copies import panning_video, trimmed_copy

NEWSROOM = SigningAuthority.new("Newsroom Root", "Field Camera")
GENERATED = [{"action": "c2pa.created", "digitalSourceType": AI_SOURCE,
              "softwareAgent": {"name": "Imaginator 3"}}]  # fmt: skip


async def send(client: Any, filename: str, content: bytes, **fields: str) -> str:
    data = FormData()
    data.add_field("consent_terms", "true")
    for name, value in fields.items():
        data.add_field(name, value)
    data.add_field("files", io.BytesIO(content), filename=filename)
    response = await client.post("/api/v1/submissions", data=data)
    assert response.status == 201, await response.text()
    return str((await response.json())["id"])


async def listed(client: Any, token: str, query: str) -> list[str]:
    response = await client.get(f"{MODERATION}/submissions?{query}", headers=auth(token))
    assert response.status == 200, await response.text()
    return [s["id"] for s in (await response.json())["submissions"]]


async def test_credentials_and_flags_reach_moderators_and_filter_the_queue(
    make_client: Any, database_url: str, tmp_path: Path
) -> None:
    anchors = tmp_path / "anchors.pem"
    anchors.write_text(NEWSROOM.root_pem)
    client = await make_client(database_url=database_url,
                               verification_c2pa_trust_anchors=str(anchors))  # fmt: skip
    app = client.server.app
    photo = media.jpeg_with_exif()
    valid = await send(client, "valid.jpg", NEWSROOM.sign(photo, "image/jpeg"))
    broken = await send(client, "broken.jpg", tamper(NEWSROOM.sign(photo, "image/jpeg")))
    generated = await send(client, "made.jpg", NEWSROOM.sign(photo, "image/jpeg", GENERATED))
    plain = await send(client, "plain.png", media.png_image())
    await app[WORKER].run_until_idle()
    token = await moderator_token(app, "amina")

    response = await client.get(f"{MODERATION}/submissions/{valid}", headers=auth(token))
    [file] = (await response.json())["files"]
    credentials = file["credentials"]
    assert (credentials["status"], credentials["signer"]) == ("valid", "Field Camera")
    assert credentials["captured_at"] == "2026-12-01T10:00:00Z"
    assert credentials["text"] == (
        "Signed by Field Camera with Intake Test Camera 2.0. Captured on "
        "2026-12-01T10:00:00Z. Signature valid."
    )
    dari = await client.get(f"{MODERATION}/submissions/{broken}",
                            headers={**auth(token), "Accept-Language": "fa-AF"})  # fmt: skip
    [file] = (await dari.json())["files"]
    assert file["credentials"]["status"] == "broken"
    flag = next(f for f in file["flags"] if f["kind"] == "credentials_broken")
    assert "assertion.dataHash.mismatch" in flag["evidence"]["failures"]
    assert flag["text"].startswith("گواهی‌های محتوا شکسته‌اند")

    assert await listed(client, token, "credentials=broken") == [broken]
    assert await listed(client, token, "flag=ai_generated") == [generated]
    assert await listed(client, token, "credentials=none") == [plain]
    assert set(await listed(client, token, "flag=no_camera_metadata")) == {plain}
    bad = await client.get(f"{MODERATION}/submissions?flag=suspicious", headers=auth(token))
    assert bad.status == 422
    assert (await bad.json())["errors"][0]["field"] == "flag"

    claimed = await client.post(f"{MODERATION}/claim?credentials=valid", headers=auth(token))
    assert (await claimed.json())["id"] == valid
    nothing = await client.post(f"{MODERATION}/claim?flag=location_mismatch", headers=auth(token))
    assert nothing.status == 204


async def test_a_trimmed_re_encoded_copy_of_a_video_is_a_near_duplicate(
    make_client: Any, database_url: str
) -> None:
    client = await make_client(database_url=database_url)
    app = client.server.app
    original = await send(client, "street.mp4", panning_video(1))
    await app[WORKER].run_until_idle()
    copy = await send(client, "forwarded.mp4", trimmed_copy(panning_video(1), 2.0))
    other = await send(client, "elsewhere.mp4", panning_video(2))
    await app[WORKER].run_until_idle()
    [first] = await app[REPOSITORY].files_of(original)
    [again] = await app[REPOSITORY].files_of(copy)
    near = [f for f in again.flags if f.kind.value == "near_duplicate"]
    assert [(f.submission_id, f.file_id) for f in near] == [(original, first.id)]
    assert near[0].evidence["compared"] == "video"
    assert near[0].evidence["frames_alike"] >= near[0].evidence["frames"] // 2
    [unrelated] = await app[REPOSITORY].files_of(other)
    assert not [f for f in unrelated.flags if f.kind.value == "near_duplicate"]
    token = await moderator_token(app, "amina")
    assert await listed(client, token, "flag=near_duplicate") == [copy]
