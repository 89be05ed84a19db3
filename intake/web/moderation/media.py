"""``GET /api/v1/moderation/submissions/{id}/files/{file_id}/{variant}``: a file streamed
to a moderator through intake, with HTTP Range (a video seeks), never cached, each
opening written to the audit log. A moderator token or the desk's session opens it."""

from __future__ import annotations

import re

from aiohttp import web

from intake.core.errors import RangeNotSatisfiable
from intake.moderation.media import Variant
from intake.web.keys import MODERATION_MEDIA
from intake.web.moderation.auth import moderator
from intake.web.problems import problem_response
from intake.web.request_ids import HEADER as REQUEST_ID_HEADER
from intake.web.request_ids import request_id

routes = web.RouteTableDef()
PATH = "/api/v1/moderation/submissions/{submission_id}/files/{file_id}/{variant}"
_RANGE = re.compile(r"^bytes=(\d{0,19})-(\d{0,19})$")
MEDIA_POLICY = "default-src 'none'; sandbox"
"""The file is shown by the desk's own page; opened by itself it may do nothing."""


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The one range ``header`` asks for, as (first, last) inclusive; ``None`` for the
    whole file (no header, a malformed one, several ranges: RFC 9110 lets a server ignore
    those). :class:`RangeNotSatisfiable` when it starts past the end."""
    found = _RANGE.match((header or "").strip())
    if found is None or found.group(1) == found.group(2) == "":
        return None
    first, last = found.group(1), found.group(2)
    if first == "":
        suffix = int(last)
        if suffix == 0:
            raise RangeNotSatisfiable("A suffix range needs a length above 0.", size=size)
        return max(size - suffix, 0), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if last and int(last) < start:
        return None
    if start >= size:
        raise RangeNotSatisfiable(f"The file has {size} bytes; ask for a range inside.", size=size)
    return start, end


def _variant(request: web.Request) -> Variant:
    try:
        return Variant(request.match_info["variant"])
    except ValueError:
        raise web.HTTPNotFound() from None


@routes.get(PATH)
async def open_file(request: web.Request) -> web.StreamResponse:
    me = await moderator(request)
    media = request.app[MODERATION_MEDIA]
    opening = await media.find(
        me, request.match_info["submission_id"], request.match_info["file_id"], _variant(request)
    )
    try:
        asked = byte_range(request.headers.get("Range"), opening.size)
    except RangeNotSatisfiable as error:
        refused = problem_response(request, error)
        refused.headers["Content-Range"] = f"bytes */{opening.size}"
        return refused
    start, end = asked or (0, opening.size - 1)
    response = web.StreamResponse(status=206 if asked else 200)
    response.headers[REQUEST_ID_HEADER] = request_id(request)
    response.headers.update(
        {
            "Content-Type": opening.content_type,
            "Accept-Ranges": "bytes",
            "Cache-Control": "no-store",
            "Content-Security-Policy": MEDIA_POLICY,
            "Content-Disposition": "inline",
        }
    )
    if asked:
        response.headers["Content-Range"] = f"bytes {start}-{end}/{opening.size}"
    response.content_length = end - start + 1 if opening.size else 0
    if request.method == "HEAD" or opening.size == 0:
        await response.prepare(request)
        return response
    await media.record(me, opening, start, end)
    await response.prepare(request)
    async for chunk in media.chunks(opening, start, end):
        await response.write(chunk)
    await response.write_eof()
    return response
