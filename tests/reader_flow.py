"""A reader's whole visit, from a known loopback address with a known User-Agent, and what
no log line may say afterwards.

The reader sends a story through the HTML form (and looks it up on the status page),
another through the JSON API, a third as a draft with a tus upload; a moderator claims and
decides each (with a note); the reader withdraws two; a client sends a body longer than
its ``Content-Length``; someone tries a moderator password from the same address.
:func:`visit` returns every string that would tie the reader to what they sent: the
address, the User-Agent, the fields, the filename, the keys and tokens, the references
and the moderator's notes.
"""

from __future__ import annotations

import asyncio
import base64
import re
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from tests import media

ADDRESS = "127.0.0.77"
USER_AGENT = "KabulPhone/7.7 (Android 9; SM-A105F; serial R58M12ABCDE)"
MODERATION = "/api/v1/moderation"


def reader_fields(tag: str) -> dict[str, str]:
    """What one reader tells us, each value findable (``tag`` keeps visits apart)."""
    return {
        "name": f"Zarmina Ahmadzai {tag}",
        "email": f"zarmina.{tag}@example.af",
        "phone": f"+93 70 {int(tag, 16) % 10**7:07d}",
        "title": f"Checkpoint moved {tag}",
        "location": f"Kart-e-Char street {tag}",
        "story": f"The checkpoint near Pul-e-Charkhi moved at dawn; my cousin saw it {tag}.",
    }


def _form(fields: dict[str, str], filename: str) -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("consent_terms", "true")
    for key, value in fields.items():
        form.add_field(key, value)
    form.add_field("files", media.jpeg_with_exif(), filename=filename, content_type="image/jpeg")
    return form


def _slot(page: str, name: str) -> str:
    """What the receipt page shows in its ``data-slot`` (the reference, the key)."""
    found = re.search(rf'data-slot="{name}">([^<]+)<', page)
    assert found, f"no {name} on the page"
    return found.group(1).strip()


async def _json(response: aiohttp.ClientResponse, status: int) -> dict[str, Any]:
    assert response.status == status, await response.text()
    body: dict[str, Any] = await response.json()
    return body


async def _tus_submission(http: aiohttp.ClientSession, fields: dict[str, str], filename: str,
                          found: list[str]) -> dict[str, Any]:  # fmt: skip
    async with http.post("/api/v1/submissions", json={"consent_terms": True, **fields}) as r:
        draft = await _json(r, 201)
    token = draft["submitter_token"]
    data = media.jpeg_with_exif()
    metadata = ",".join(
        f"{k} {base64.b64encode(v.encode()).decode()}"
        for k, v in {"filename": filename, "filetype": "image/jpeg"}.items()
    )
    headers = {"Tus-Resumable": "1.0.0", "Authorization": f"Bearer {token}",
               "Upload-Length": str(len(data)), "Upload-Metadata": metadata}  # fmt: skip
    async with http.post("/api/v1/uploads", headers=headers) as r:
        assert r.status == 201, await r.text()
        upload = r.headers["Location"]
    half = len(data) // 2
    for offset, chunk in ((0, data[:half]), (half, data[half:])):
        patch = {"Tus-Resumable": "1.0.0", "Authorization": f"Bearer {token}",
                 "Upload-Offset": str(offset),
                 "Content-Type": "application/offset+octet-stream"}  # fmt: skip
        async with http.patch(upload, headers=patch, data=chunk) as r:
            assert r.status == 204, await r.text()
    auth = {"Authorization": f"Bearer {token}"}
    async with http.head(upload, headers={**auth, "Tus-Resumable": "1.0.0"}) as r:
        assert r.status == 200
    async with http.post(f"/api/v1/submissions/{draft['id']}/submit", headers=auth) as r:
        submitted = await _json(r, 202)
    found += [token, submitted["reference"]]
    return {**submitted, "submitter_token": token}


async def _moderate(http: aiohttp.ClientSession, token: str, notes: list[str]) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    for note, decision in zip(notes, ("approve", "reject", "approve"), strict=True):
        async with http.post(f"{MODERATION}/claim", headers=auth) as r:
            claimed = await _json(r, 200)
        url = f"{MODERATION}/submissions/{claimed['id']}/decision"
        body = {"decision": decision, "reason": "newsworthy", "note": note}
        if decision == "reject":
            body["reason"] = "off_topic"
        async with http.post(url, headers=auth, json=body) as r:
            await _json(r, 200)
        async with http.get(f"{MODERATION}/submissions/{claimed['id']}", headers=auth) as r:
            await _json(r, 200)
    async with http.get(f"{MODERATION}/submissions?q=Zarmina", headers=auth) as r:
        await _json(r, 200)


async def _overlong_body(host: str, port: int, story: str) -> bytes:
    """A POST whose body runs past its ``Content-Length``: the rest is read as the next
    request, which is not HTTP."""
    reader, writer = await asyncio.open_connection(host, port, local_addr=(ADDRESS, 0))
    body = (story + " ") * 200 + "\r\nEXIF serial R58M12ABCDE\r\n"
    writer.write(
        f"POST /api/v1/submissions HTTP/1.1\r\nHost: {host}\r\nUser-Agent: {USER_AGENT}\r\n"
        f"Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{{}}{body}".encode()
    )
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), 30)
    writer.close()
    return answer


async def visit(base: str, moderator_token: str,
                settle: Callable[[], Awaitable[None]]) -> list[str]:  # fmt: skip
    """The whole visit against the service at ``base``; every string no log may hold.
    ``settle`` returns once the submissions sent are inspected."""
    tag = secrets.token_hex(4)
    fields = reader_fields(tag)
    filename = f"IMG_bridge_{tag}.jpg"
    notes = [f"called her brother back on +93 79 555 {n}{tag}" for n in range(3)]
    found = [ADDRESS, USER_AGENT, *fields.values(), filename, moderator_token, *notes]
    connector = aiohttp.TCPConnector(local_addr=(ADDRESS, 0))
    headers = {"User-Agent": USER_AGENT}
    async with aiohttp.ClientSession(base, connector=connector, headers=headers) as http:
        async with http.get("/") as r:
            assert r.status == 200
        page = {"Accept": "text/html"}
        async with http.post("/submit", data=_form(fields, filename), headers=page) as r:
            receipt = await r.text()
            assert r.status == 200, receipt
        reference = _slot(receipt, "reference")
        key = _slot(receipt, "key")
        found += [reference, key]
        async with http.get(f"/receipt/{reference}", headers=page) as r:
            assert r.status == 200
        looked_up = {"reference": reference, "key": key}
        async with http.post("/en/status", data=looked_up, headers=page) as r:
            assert r.status == 200 and reference in await r.text()
        async with http.post("/api/v1/submissions", data=_form(fields, filename)) as r:
            sent = await _json(r, 201)
        found += [sent["submitter_token"], sent["reference"]]
        drafted = await _tus_submission(http, fields, filename, found)
        await settle()
        await _moderate(http, moderator_token, notes)
        login = {"name": "amina", "password": f"wrong password {tag}"}
        async with http.post("/api/v1/moderation-login", json=login) as r:
            assert r.status in (401, 429)
        for made in (sent, drafted):
            auth = {"Authorization": f"Bearer {made['submitter_token']}"}
            async with http.get(f"/api/v1/submissions/{made['id']}", headers=auth) as r:
                await _json(r, 200)
            async with http.delete(f"/api/v1/submissions/{made['id']}", headers=auth) as r:
                assert r.status == 204, await r.text()
    host, port = base.removeprefix("http://").rstrip("/").rsplit(":", 1)
    answer = await _overlong_body(host, int(port), fields["story"])
    assert b" 400 " in answer, answer[:300]
    assert fields["story"].encode() not in answer and b"R58M12ABCDE" not in answer
    return found
