"""Safe headers on every answer, and the pages' own static files."""

from __future__ import annotations

import asyncio
import os
import re
from typing import Any

import pytest

from intake.web.pages.security import CONTENT_SECURITY_POLICY, INLINE_STYLE_POLICY
from tests.rawhttp import read_response

SAFE = {
    "Server": "intake",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/", 200),
        ("GET", "/ps/status", 200),
        ("GET", "/fa-AF/privacy", 200),
        ("GET", "/static/intake.css", 200),
        ("GET", "/api/v1/config", 200),
        ("GET", "/api/v1/openapi.json", 200),
        ("GET", "/healthz", 200),
        ("GET", "/nowhere", 404),
        ("POST", "/api/v1/uploads", 412),
        ("GET", "/api/v1/moderation/submissions", 401),
        ("DELETE", "/api/v1/config", 405),
    ],
)
async def test_every_answer_has_the_safe_headers(
    client: Any, method: str, path: str, status: int
) -> None:
    response = await client.request(method, path, headers={"Accept": "text/html"})
    assert response.status == status
    for name, value in SAFE.items():
        assert response.headers[name] == value
    policy = response.headers["Content-Security-Policy"]
    assert policy == CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in policy and "'unsafe-inline'" not in policy
    assert not re.search(r"aiohttp|Python|\d", response.headers["Server"])


async def test_a_request_that_cannot_be_read_is_answered_with_the_safe_headers(
    client: Any,
) -> None:
    reader, writer = await asyncio.open_connection(client.host, client.port)
    try:
        writer.write(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header Line\r\n\r\n")
        answer = await read_response(reader)
    finally:
        writer.close()
    assert answer.status == 400
    for name, value in SAFE.items():
        assert answer.headers[name.lower()] == value


async def test_the_api_reference_keeps_its_inline_style_and_nothing_more(client: Any) -> None:
    response = await client.get("/api/docs")
    assert response.headers["Content-Security-Policy"] == INLINE_STYLE_POLICY
    assert (
        "script-src" not in INLINE_STYLE_POLICY and "frame-ancestors 'none'" in INLINE_STYLE_POLICY
    )


@pytest.mark.parametrize(
    "path", ["/en/", "/fa-AF/status", "/ps/privacy", "/en/receipt/K7M4Q-X9TB2"]
)
async def test_pages_have_no_inline_script_or_style(client: Any, path: str) -> None:
    page = await (await client.get(path)).text()
    assert (
        "<style" not in page
        and " style=" not in page
        and " on" not in re.sub(r'"[^"]*"', "", " ".join(re.findall(r"<[^>]+>", page)))
    )
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    for attributes, body in scripts:
        assert 'type="application/json"' in attributes or (' src="/static/' in attributes
                                                             and not body.strip())  # fmt: skip


async def test_static_files_are_versioned_cached_and_compressed(client: Any) -> None:
    page = await (await client.get("/en/")).text()
    css = re.search(r'href="(/static/intake\.css\?v=[0-9a-f]+)"', page)
    assert css, "the page links its stylesheet with a version"
    versioned = await client.get(css[1], headers={"Accept-Encoding": "gzip"})
    assert versioned.status == 200
    assert versioned.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert versioned.headers["Content-Encoding"] == "gzip"
    assert versioned.content_type == "text/css"
    plain = await client.get("/static/form.js")
    assert plain.headers["Cache-Control"] == "no-cache"
    assert plain.content_type == "text/javascript"
    again = await client.get("/static/form.js", headers={"If-None-Match": plain.headers["ETag"]})
    assert again.status == 304
    assert (await client.get("/static/../pages/static.py")).status == 404
    assert (await client.get("/static/nothing.js")).status == 404


async def test_the_font_is_served_by_intake(client: Any) -> None:
    response = await client.get("/static/fonts/vazirmatn-arabic-400-normal.woff2")
    if response.status == 404 and os.environ.get("INTAKE_BROWSER_TESTS") != "required":
        pytest.skip("the font is installed by the build (scripts/install-assets.sh fonts)")
    assert response.content_type == "font/woff2"
    assert (await response.read())[:4] == b"wOF2"
    assert (await client.get("/static/fonts/OFL.txt")).status == 200
