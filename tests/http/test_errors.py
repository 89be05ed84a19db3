"""Every error is application/problem+json with a stable type and what to change."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp import FormData

from tests.rawhttp import BOUNDARY, EPILOGUE, field_part, file_part_head

JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"


async def problem(response: Any, status: int, slug: str) -> dict[str, Any]:
    assert response.status == status
    assert response.content_type == "application/problem+json"
    body: dict[str, Any] = await response.json()
    assert body["type"] == f"/problems/{slug}"
    assert body["status"] == status
    assert body["title"] and body["detail"]
    return body


@pytest.mark.parametrize(
    ("method", "path", "status", "slug"),
    [
        ("GET", "/no/such/page", 404, "not-found"),
        ("GET", "/api/v1/nothing", 404, "not-found"),
        ("DELETE", "/healthz", 405, "method-not-allowed"),
        ("GET", "/api/v1/submissions", 405, "method-not-allowed"),
        ("GET", "/receipt/not-a-reference", 404, "not-found"),
    ],
)
async def test_routing_errors_are_problems(
    client: Any, method: str, path: str, status: int, slug: str
) -> None:
    response = await client.request(method, path)
    await problem(response, status, slug)


async def test_405_says_which_methods_to_use(client: Any) -> None:
    response = await client.delete("/healthz")
    body = await problem(response, 405, "method-not-allowed")
    assert "GET" in response.headers["Allow"]
    assert "GET" in body["allowed_methods"]


@pytest.mark.parametrize(
    ("body", "content_type", "status", "slug"),
    [
        (b"hello", "text/plain", 415, "unsupported-content-type"),
        (b"x=1", "application/x-www-form-urlencoded", 415, "unsupported-content-type"),
        (b"garbage without any boundary", f"multipart/form-data; boundary={BOUNDARY}", 400,
         "bad-request"),
        (b"--x\r\n", "multipart/form-data", 400, "bad-request"),
    ],
)  # fmt: skip
async def test_bodies_that_are_not_a_form_are_refused(
    client: Any, body: bytes, content_type: str, status: int, slug: str
) -> None:
    response = await client.post(
        "/api/v1/submissions", data=body, headers={"Content-Type": content_type}
    )
    await problem(response, status, slug)


async def test_a_field_that_is_too_long_is_a_422_naming_it(client: Any) -> None:
    data = FormData()
    data.add_field("consent_terms", "true")
    data.add_field("title", "t" * 5000)
    data.add_field("files", JPEG_HEAD, filename="a.jpg")
    body = await problem(await client.post("/api/v1/submissions", data=data), 422,
                         "validation-failed")  # fmt: skip
    assert body["errors"][0]["field"] == "title"
    assert body["errors"][0]["code"] == "too_long"


async def test_all_field_problems_come_back_together(client: Any) -> None:
    data = FormData()
    data.add_field("email", "nobody")
    data.add_field("occurred_at", "last tuesday")
    data.add_field("files", JPEG_HEAD, filename="a.jpg")
    body = await problem(await client.post("/api/v1/submissions", data=data), 422,
                         "validation-failed")  # fmt: skip
    assert {e["field"] for e in body["errors"]} == {"email", "occurred_at", "consent_terms"}


async def test_a_submission_needs_a_file(client: Any) -> None:
    data = FormData(default_to_multipart=True)
    data.add_field("consent_terms", "true")
    body = await problem(await client.post("/api/v1/submissions", data=data), 422,
                         "validation-failed")  # fmt: skip
    assert body["errors"][0]["field"] == "files"


async def test_files_must_be_in_parts_named_files(client: Any) -> None:
    data = FormData()
    data.add_field("consent_terms", "true")
    data.add_field("photo", JPEG_HEAD, filename="a.jpg")
    await problem(await client.post("/api/v1/submissions", data=data), 400, "bad-request")


async def test_too_many_fields_are_refused(make_client: Any) -> None:
    client = await make_client(limits_max_fields="16")
    data = FormData(default_to_multipart=True)
    for i in range(17):
        data.add_field(f"extra{i}", "x")
    await problem(await client.post("/api/v1/submissions", data=data), 413, "payload-too-large")


@pytest.mark.parametrize(
    "content_type",
    [f"multipart/form-data; boundary={BOUNDARY}",
     f'Multipart/Form-Data ; boundary="{BOUNDARY}"'],
)  # fmt: skip
async def test_an_accepted_submission_answers_201_with_what_was_stored(
    client: Any, content_type: str
) -> None:
    body = (
        field_part("consent_terms", "true")
        + field_part("name", "Ahmad")
        + file_part_head("../../home/evil.jpg", content_type="video/mp4")
        + JPEG_HEAD
        + EPILOGUE
    )
    response = await client.post(
        "/api/v1/submissions",
        data=body,
        headers={"Content-Type": content_type},
    )
    assert response.status == 201, "a media type is case-insensitive (RFC 9110)"
    body = await response.json()
    assert response.headers["Location"] == f"/api/v1/submissions/{body['id']}"
    assert body["state"] == "processing"
    assert body["created_at"].endswith("Z")
    assert len(body["submitter_token"]) >= 40
    (stored,) = body["files"]
    assert stored["filename"] == "evil.jpg"
    assert stored["media_type"] == "image/jpeg", "the declared Content-Type never decides"
    assert stored["kind"] == "photo"


async def test_a_part_header_with_control_characters_is_a_400(client: Any) -> None:
    body = field_part("consent_terms", "true") + file_part_head("e\x01vil.jpg") + JPEG_HEAD
    response = await client.post(
        "/api/v1/submissions",
        data=body + EPILOGUE,
        headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
    )
    await problem(response, 400, "bad-request")


async def test_bytes_past_the_content_length_get_an_answer_and_a_bounded_close(
    make_client: Any,
) -> None:
    """What follows a request that cannot be read as HTTP is read and dropped after its
    400 (closing with it unread would reset the connection and could destroy the answer
    on its way), and only for the handler's lingering time."""
    client = await make_client(server={"lingering_time": 0.2})
    reader, writer = await asyncio.open_connection("127.0.0.1", client.port)
    writer.write(
        b"POST /api/v1/submissions HTTP/1.1\r\nHost: intake\r\n"
        b"Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}" + b"not http " * 100_000
    )
    answer = await asyncio.wait_for(reader.read(), 30)
    assert b" 400 " in answer.split(b"\r\n")[0] and b"application/problem+json" in answer

    async def send_until_cut() -> None:
        while True:
            writer.write(b"still not http " * 4096)
            await writer.drain()

    with pytest.raises(ConnectionError):
        await asyncio.wait_for(send_until_cut(), 30)
    writer.close()
