"""``X-Request-Id`` on every answer: the client's own when it sent a sane one."""

from __future__ import annotations

import re
import uuid

from aiohttp import web
from aiohttp.typedefs import Handler

HEADER = "X-Request-Id"
REQUEST_ID = web.RequestKey("request_id", str)
_SANE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def request_id(request: web.Request) -> str:
    value: str = request.get(REQUEST_ID, "")
    return value


@web.middleware
async def request_id_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    given = request.headers.get(HEADER, "")
    request[REQUEST_ID] = given if _SANE.match(given) else uuid.uuid4().hex
    try:
        response = await handler(request)
    except web.HTTPException as exc:  # redirects raised by handlers
        exc.headers[HEADER] = request[REQUEST_ID]
        raise
    response.headers[HEADER] = request[REQUEST_ID]
    return response
