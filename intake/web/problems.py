"""Every error as ``application/problem+json`` (RFC 9457), or as a page for browsers.

An error is answered as soon as it is known, even when the request body is not read
to its end: a client that watches for an early answer stops sending. aiohttp then
drains what is still coming for at most its ``lingering_time`` before closing, so
that a client that only reads after sending still gets the answer.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from intake.core.errors import IntakeError, MethodNotAllowed, NotFound, PayloadTooLarge
from intake.web.pages.errors import error_page
from intake.web.request_ids import described, request_id

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE = web.RequestKey("problem_type", str)
"""The type of the problem a request was answered with (for the metrics)."""
DEPENDENCY_RETRY_SECONDS = 5
MAX_READ_BODY = 1024 * 1024
"""The largest body read whole (JSON); files always stream."""


class ClientGone(IntakeError):
    slug = "client-closed-request"
    status = 400
    title = "The client closed the connection before the request was complete"


def _from_http_exception(request: web.Request, exc: web.HTTPException) -> IntakeError:
    if exc.status == 404:
        return NotFound("There is nothing at this address; check the URL.")
    if exc.status == 413:
        return PayloadTooLarge(
            f"This body is over {MAX_READ_BODY} bytes; send the fields only "
            "(files go in a multipart form or as uploads).",
            limit_bytes=MAX_READ_BODY,
        )
    if exc.status == 405:
        allowed = sorted(getattr(exc, "allowed_methods", ()))
        return MethodNotAllowed(f"Use one of: {', '.join(allowed)}.", allowed_methods=allowed)
    error = IntakeError(exc.text or exc.reason)
    error.status, error.title, error.slug = exc.status, exc.reason, "http-error"
    return error


def wants_html(request: web.Request) -> bool:
    return not request.path.startswith("/api/") and "text/html" in request.headers.get("Accept", "")


def problem_response(request: web.Request, error: IntakeError) -> web.Response:
    request[PROBLEM_TYPE] = error.type_uri
    if wants_html(request):
        response = error_page(request, error)
    else:
        body: dict[str, Any] = error.problem(instance=request.rel_url.raw_path)
        if rid := request_id(request):
            body["request_id"] = rid
        response = web.Response(
            status=error.status,
            text=json.dumps(body, ensure_ascii=False),
            content_type=PROBLEM_JSON,
        )
    if "retry_after_seconds" in error.extra:
        response.headers["Retry-After"] = str(error.extra["retry_after_seconds"])
    elif error.status == 503:  # a dependency is down: nothing was kept, come back soon
        response.headers["Retry-After"] = str(DEPENDENCY_RETRY_SECONDS)
    if error.status == 405 and "allowed_methods" in error.extra:
        response.headers["Allow"] = ", ".join(error.extra["allowed_methods"])
    return response


@web.middleware
async def problem_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except IntakeError as exc:
        if exc.status >= 500:
            log.error("%s failed: %s", described(request), exc.detail)
        return problem_response(request, exc)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return problem_response(request, _from_http_exception(request, exc))
    except ConnectionResetError:
        log.info("%s: client went away mid-request", described(request))
        return problem_response(request, ClientGone())
    except Exception:
        log.exception("%s failed", described(request))
        return problem_response(request, IntakeError())
