"""Publishing: an approved submission's public copies go out unsealed, under a name that
says nothing, once; a withdrawal deletes them."""

from __future__ import annotations

import re
from typing import Any

import aiohttp

from intake.adapters.s3 import S3ObjectStore
from intake.web.keys import OBJECT_STORE, REPOSITORY, WORKER
from tests import media
from tests.moderation_helpers import auth, moderator_token

MODERATION = "/api/v1/moderation"
PUBLISHED = re.compile(r"published/[0-9a-f]{32}\.jpg")


async def approved(client: Any, token: str) -> dict[str, Any]:
    form = aiohttp.FormData()
    form.add_field("consent_terms", "true")
    form.add_field("story", "The bridge at Puli Khumri is closed.")
    form.add_field("files", media.jpeg_with_exif(), filename="IMG_0042.jpg")
    sent = await (await client.post("/api/v1/submissions", data=form)).json()
    await client.server.app[WORKER].run_until_idle()
    claimed = await client.post(f"{MODERATION}/claim", headers=auth(token))
    assert claimed.status == 200
    decision = {"decision": "approve", "reason": "newsworthy"}
    url = f"{MODERATION}/submissions/{sent['id']}/decision"
    assert (await client.post(url, headers=auth(token), json=decision)).status == 200
    return dict(sent)


async def test_an_approved_submission_is_published_once_and_withdrawn_with_it(
    client: Any, s3_store: S3ObjectStore
) -> None:
    token = await moderator_token(client.server.app, "amina")
    sent = await approved(client, token)
    url = f"{MODERATION}/submissions/{sent['id']}/publish"
    assert (await client.post(url)).status == 401
    response = await client.post(url, headers=auth(token))
    assert response.status == 200, await response.text()
    body = await response.json()
    [copy] = body["copies"]
    assert PUBLISHED.fullmatch(copy["key"]) and copy["published_by"] == "amina"
    assert sent["id"] not in copy["key"] and copy["file_id"] not in copy["key"]

    [file] = await client.server.app[REPOSITORY].files_of(sent["id"])
    public = client.server.app[OBJECT_STORE]
    size = (await public.head(file.public_key)).size
    expected = await public.get_range(file.public_key, 0, size - 1)
    assert await s3_store.get_range(copy["key"], 0, size - 1) == expected
    async with aiohttp.ClientSession() as http, http.get(copy["url"]) as got:
        assert got.status == 200 and await got.read() == expected
    again = await (await client.post(url, headers=auth(token))).json()
    assert [c["key"] for c in again["copies"]] == [copy["key"]]

    withdrawn = await client.delete(
        f"/api/v1/submissions/{sent['id']}", headers=auth(sent["submitter_token"])
    )
    assert withdrawn.status == 204
    assert copy["key"] not in await s3_store.list_keys("published/")


async def test_only_an_approved_submission_is_published(client: Any) -> None:
    token = await moderator_token(client.server.app, "amina")
    form = aiohttp.FormData()
    form.add_field("consent_terms", "true")
    form.add_field("files", media.jpeg_with_exif(), filename="a.jpg")
    sent = await (await client.post("/api/v1/submissions", data=form)).json()
    response = await client.post(
        f"{MODERATION}/submissions/{sent['id']}/publish", headers=auth(token)
    )
    assert response.status == 409
    assert response.content_type == "application/problem+json"
    missing = await client.post(
        f"{MODERATION}/submissions/01a23902-0000-7000-8000-000000000000/publish",
        headers=auth(token),
    )
    assert missing.status == 404
