"""Retries with one Idempotency-Key never create a second submission."""

from __future__ import annotations

import asyncio
import io
from typing import Any

from aiohttp import FormData
from sqlalchemy import func, select

from intake.adapters.db.schema import idempotency_keys, submissions
from intake.web.keys import REPOSITORIES
from tests.media import jpeg_with_exif
from tests.tus_helpers import bearer, new_draft, upload_whole


async def count_submissions(client: Any) -> int:
    async with client.server.app[REPOSITORIES].engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(submissions))).scalar_one())


def form(title: str = "Flood") -> FormData:
    data = FormData()
    data.add_field("consent_terms", "true")
    data.add_field("title", title)
    data.add_field("files", io.BytesIO(jpeg_with_exif()), filename="flood.jpg")
    return data


async def test_a_retried_draft_gets_the_first_answer(client: Any) -> None:
    headers = {"Idempotency-Key": "6b1c1a6e-2f0f-4c57-9f0e-6a3b3f9d0c11"}
    first = await client.post("/api/v1/submissions", json={"consent_terms": True}, headers=headers)
    again = await client.post("/api/v1/submissions", json={"consent_terms": True}, headers=headers)
    assert (first.status, again.status) == (201, 201)
    assert await first.json() == await again.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Location"] == first.headers["Location"]
    assert await count_submissions(client) == 1


async def test_a_retried_form_with_files_is_stored_once(client: Any) -> None:
    headers = {"Idempotency-Key": "form-retry-1"}
    first = await client.post("/api/v1/submissions", data=form(), headers=headers)
    again = await client.post("/api/v1/submissions", data=form(), headers=headers)
    assert (first.status, again.status) == (201, 201)
    assert (await again.json())["id"] == (await first.json())["id"]
    assert await count_submissions(client) == 1


async def test_the_same_key_with_another_body_is_refused(client: Any) -> None:
    headers = {"Idempotency-Key": "reused-key"}
    await client.post("/api/v1/submissions", data=form("Flood"), headers=headers)
    other = await client.post("/api/v1/submissions", data=form("Fire"), headers=headers)
    assert other.status == 422
    assert (await other.json())["type"] == "/problems/idempotency-key-reused"
    json_other = await client.post(
        "/api/v1/submissions", json={"consent_terms": True}, headers=headers
    )
    assert json_other.status == 422
    assert await count_submissions(client) == 1


async def test_concurrent_requests_with_one_key_create_one_submission(client: Any) -> None:
    headers = {"Idempotency-Key": "concurrent-key"}

    async def send() -> tuple[int, Any]:
        response = await client.post(
            "/api/v1/submissions", json={"consent_terms": True, "name": "A"}, headers=headers
        )
        return response.status, await response.json()

    answers = await asyncio.gather(*(send() for _ in range(8)))
    created = {body["id"] for status, body in answers if status == 201}
    assert len(created) == 1
    assert all(status in (201, 409) for status, _ in answers)
    assert await count_submissions(client) == 1


async def test_a_refused_request_frees_its_key(client: Any) -> None:
    headers = {"Idempotency-Key": "fix-and-retry"}
    refused = await client.post("/api/v1/submissions", json={"name": "A"}, headers=headers)
    assert refused.status == 422
    fixed = await client.post(
        "/api/v1/submissions", json={"name": "A", "consent_terms": True}, headers=headers
    )
    assert fixed.status == 201


async def test_submit_is_idempotent_with_a_key(client: Any) -> None:
    draft = await new_draft(client)
    await upload_whole(
        client, draft["submitter_token"], jpeg_with_exif(), filename="a.jpg", filetype="image/jpeg"
    )
    headers = {**bearer(draft["submitter_token"]), "Idempotency-Key": "submit-once"}
    first = await client.post(draft["submit_url"], headers=headers)
    again = await client.post(draft["submit_url"], headers=headers)
    assert (first.status, again.status) == (202, 202)
    assert await first.json() == await again.json()


async def test_stored_answers_do_not_reveal_the_submitter_token(client: Any) -> None:
    key = "secret-check"
    response = await client.post(
        "/api/v1/submissions", json={"consent_terms": True}, headers={"Idempotency-Key": key}
    )
    token = (await response.json())["submitter_token"]
    async with client.server.app[REPOSITORIES].engine.connect() as conn:
        rows = (await conn.execute(select(idempotency_keys))).all()
    assert rows
    assert all(token not in row.body and key not in row.key for row in rows)


async def test_a_malformed_key_is_400(client: Any) -> None:
    response = await client.post(
        "/api/v1/submissions", json={"consent_terms": True},
        headers={"Idempotency-Key": "x" * 300},
    )  # fmt: skip
    assert response.status == 400
