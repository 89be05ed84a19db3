"""Small raw-HTTP helpers for drafts and tus uploads: every header is the test's own; and
a look at the tail the database keeps of an upload."""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from intake.adapters.db.schema import upload_tails
from intake.web.keys import REPOSITORIES

UPLOADS = "/api/v1/uploads"
TUS_VERSION = "1.0.0"
TUS = {"Tus-Resumable": TUS_VERSION}
CHUNK_TYPE = "application/offset+octet-stream"
KiB = 1024
MiB = 1024 * KiB


def encode_metadata(metadata: Mapping[str, str]) -> str:
    """``Upload-Metadata`` as a tus client writes it: ``key base64,key base64``."""
    return ",".join(
        f"{key} {base64.b64encode(value.encode()).decode()}" for key, value in metadata.items()
    )


def decode_metadata(value: str) -> dict[str, str]:
    pairs = (pair.strip().split(" ") for pair in value.split(",") if pair.strip())
    return {p[0]: base64.b64decode(p[1]).decode() if len(p) > 1 else "" for p in pairs}


def bearer(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def body(data: bytes) -> Any:
    """aiohttp warns on raw bytes bodies over 1 MiB; a file object it streams quietly."""
    return io.BytesIO(data) if len(data) > MiB else data


async def new_draft(client: Any, **fields: Any) -> dict[str, Any]:
    """A draft (``consent_terms`` given unless overridden); its JSON answer."""
    response = await client.post("/api/v1/submissions", json={"consent_terms": True, **fields})
    assert response.status == 201, await response.text()
    draft: dict[str, Any] = await response.json()
    return draft


async def create(
    client: Any,
    token: str | None,
    length: int | None = None,
    *,
    filename: str = "photo.jpg",
    filetype: str = "image/jpeg",
    metadata: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    data: bytes | None = None,
) -> Any:
    """``POST /api/v1/uploads``: ``length=None`` defers the length; ``data`` is sent as
    the first chunk (creation-with-upload)."""
    sent = {**TUS, **bearer(token)}
    if length is None:
        sent["Upload-Defer-Length"] = "1"
    else:
        sent["Upload-Length"] = str(length)
    meta = {"filename": filename, "filetype": filetype} if metadata is None else metadata
    if meta:
        sent["Upload-Metadata"] = encode_metadata(meta)
    if data is not None:
        sent["Content-Type"] = CHUNK_TYPE
    sent.update(headers or {})
    return await client.post(UPLOADS, headers=sent, data=None if data is None else body(data))


async def create_url(client: Any, token: str | None, length: int | None = None, **kw: Any) -> str:
    """Create an upload that must succeed; its URL (the ``Location``)."""
    response = await create(client, token, length, **kw)
    assert response.status == 201, await response.text()
    location: str = response.headers["Location"]
    return location


def upload_id(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


async def patch(
    client: Any,
    url: str,
    token: str | None,
    offset: int,
    data: bytes,
    headers: Mapping[str, str] | None = None,
) -> Any:
    sent = {**TUS, **bearer(token), "Content-Type": CHUNK_TYPE, "Upload-Offset": str(offset)}
    sent.update(headers or {})
    return await client.patch(url, headers=sent, data=body(data))


async def patch_ok(client: Any, url: str, token: str | None, offset: int, data: bytes) -> Any:
    response = await patch(client, url, token, offset, data)
    assert response.status == 204, await response.text()
    assert response.headers["Upload-Offset"] == str(offset + len(data))
    return response


async def head(client: Any, url: str, token: str | None) -> Any:
    return await client.head(url, headers={**TUS, **bearer(token)})


async def upload_whole(
    client: Any, token: str, data: bytes, *, filename: str, filetype: str, **kw: Any
) -> str:
    """Create an upload of ``data`` and send it in one PATCH; its URL."""
    url = await create_url(client, token, len(data), filename=filename, filetype=filetype, **kw)
    await patch_ok(client, url, token, 0, data)
    return url


async def submit(client: Any, draft: dict[str, Any], token: str | None = None) -> Any:
    used = draft["submitter_token"] if token is None else token
    return await client.post(draft["submit_url"], headers=bearer(used))


async def problem(response: Any, status: int, slug: str) -> dict[str, Any]:
    """A problem+json answer of ``status`` and type ``/problems/<slug>``; its body."""
    assert response.status == status, await response.text()
    assert response.content_type == "application/problem+json"
    answer: dict[str, Any] = await response.json()
    assert answer["type"] == f"/problems/{slug}"
    assert answer["status"] == status
    return answer


NO_SUCH_ID = "00000000-0000-7000-8000-000000000000"


async def tail_rows(app: Any, upload: str) -> list[tuple[int, int, bytes]]:
    """The upload's tail as the database keeps it: (offset, size, stored bytes) per piece."""
    t = upload_tails.c
    query = select(t.start_offset, t.size, t.data).where(t.upload_id == upload)
    async with app[REPOSITORIES].engine.connect() as conn:
        rows = await conn.execute(query.order_by(t.start_offset))
        return [(row.start_offset, row.size, bytes(row.data)) for row in rows]


@dataclass(frozen=True)
class DraftUpload:
    """A draft and one tus upload of ``data`` at ``url``, as a test drives them."""

    client: Any
    draft: dict[str, Any]
    data: bytes
    url: str

    @property
    def app(self) -> Any:
        return self.client.server.app

    @property
    def token(self) -> str:
        return str(self.draft["submitter_token"])

    @property
    def upload(self) -> str:
        return upload_id(self.url)

    async def send(self, start: int, end: int) -> None:
        """PATCH ``data[start:end]`` at ``start``; it must be taken whole."""
        await patch_ok(self.client, self.url, self.token, start, self.data[start:end])
