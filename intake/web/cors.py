"""CORS for browsers on other origins (``server.cors_origins``): preflight and exposure
of the headers tus clients read."""

from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler

from intake.web.keys import SETTINGS

ALLOWED_METHODS = "GET, HEAD, POST, PATCH, DELETE, OPTIONS"
ALLOWED_HEADERS = (
    "Authorization, Content-Type, Idempotency-Key, Tus-Resumable, Upload-Length, "
    "Upload-Defer-Length, Upload-Offset, Upload-Metadata, Upload-Checksum, Upload-Concat, "
    "X-HTTP-Method-Override, X-Request-Id, X-Requested-With"
)
EXPOSED_HEADERS = (
    "Location, Upload-Offset, Upload-Length, Upload-Defer-Length, Upload-Metadata, "
    "Upload-Expires, Upload-Concat, Tus-Resumable, Tus-Version, Tus-Extension, Tus-Max-Size, "
    "Tus-Checksum-Algorithm, X-Request-Id, Retry-After"
)
MAX_AGE = "86400"


def _allowed_origin(request: web.Request) -> str | None:
    origin = request.headers.get("Origin")
    allowed = request.app[SETTINGS].server.cors_origins
    if origin is None or not allowed:
        return None
    return origin if "*" in allowed or origin in allowed else None


@web.middleware
async def cors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    origin = _allowed_origin(request)
    preflight = request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers
    if origin is not None and preflight and request.path.startswith("/api/"):
        response: web.StreamResponse = web.Response(status=204)
        response.headers.update(
            {
                "Access-Control-Allow-Methods": ALLOWED_METHODS,
                "Access-Control-Allow-Headers": ALLOWED_HEADERS,
                "Access-Control-Max-Age": MAX_AGE,
            }
        )
    else:
        response = await handler(request)
    if origin is not None:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        response.headers.add("Vary", "Origin")
    return response
