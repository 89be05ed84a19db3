"""The plain HTML form works without JavaScript and ends on a receipt."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import FormData

JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"


async def test_the_form_posts_files_to_the_pipeline(client: Any) -> None:
    response = await client.get("/")
    assert response.status == 200
    page = await response.text()
    assert '<form method="post" action="/submit" enctype="multipart/form-data">' in page
    assert 'type="file"' in page and 'name="files"' in page and "multiple" in page
    assert 'name="consent_terms"' in page and "required" in page
    assert "<script" not in page


async def test_posting_the_form_leads_to_a_receipt_with_the_reference(client: Any) -> None:
    data = FormData()
    data.add_field("title", "Flood in the old town")
    data.add_field("consent_terms", "true")
    data.add_field("files", JPEG_HEAD, filename="flood.jpg", content_type="image/jpeg")
    data.add_field("files", b"", filename="", content_type="application/octet-stream")
    response = await client.post("/submit", data=data, allow_redirects=False)
    assert response.status == 303
    location = response.headers["Location"]
    assert re.fullmatch(r"/receipt/[0-9A-Z]{5}-[0-9A-Z]{5}", location)
    receipt = await client.get(location)
    assert receipt.status == 200
    assert location.rsplit("/", 1)[1] in await receipt.text()


async def test_a_form_error_is_a_readable_page_for_browsers(client: Any) -> None:
    data = FormData()
    data.add_field("files", JPEG_HEAD, filename="flood.jpg")
    response = await client.post("/submit", data=data, headers={"Accept": "text/html"})
    assert response.status == 422
    assert response.content_type == "text/html"
    page = await response.text()
    assert "consent_terms" in page and "Agree to the terms" in page
    assert 'href="/"' in page


async def test_a_refused_file_in_the_form_explains_what_is_accepted(client: Any) -> None:
    data = FormData()
    data.add_field("consent_terms", "true")
    data.add_field("files", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" * 50, filename="scan.pdf")
    response = await client.post("/submit", data=data, headers={"Accept": "text/html"})
    assert response.status == 415
    page = await response.text()
    assert "scan.pdf" in page and "JPEG" in page and "MP4" in page
