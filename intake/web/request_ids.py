"""``X-Request-Id`` on every answer (the client's own when it sent a sane one), and the
route a log line names a request by.

Every line logged about a request carries its id, so that they tie together, and its
route with ``…`` in place of each variable (``/receipt/…``): never the path itself,
which may hold a submission id, a reference or an upload id.
"""

from __future__ import annotations

import contextvars
import re
import uuid

from aiohttp import web
from aiohttp.typedefs import Handler
from aiohttp.web_request import BaseRequest

HEADER = "X-Request-Id"
REQUEST_ID = web.RequestKey("request_id", str)
ROUTE = web.RequestKey("logged_route", str)
UNROUTED = "(no route)"
UNREAD = "(not HTTP)"
_CURRENT: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_SANE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_VARIABLE = re.compile(r"\{[^}]*\}")


def request_id(request: BaseRequest) -> str:
    value: str = request.get(REQUEST_ID, "")
    return value


def current_request_id() -> str:
    """The id of the request being handled in this task ('' outside one), for logs."""
    return _CURRENT.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


def route_of(request: web.Request) -> str:
    """The path as a log may show it: the matched route with ``…`` for each variable."""
    resource = request.match_info.route.resource
    if resource is None:
        return UNROUTED
    return _VARIABLE.sub("…", resource.canonical)


def logged_route(request: BaseRequest) -> str:
    """The route the middleware noted for ``request`` (a request that was not even read
    as HTTP has none)."""
    value: str = request.get(ROUTE, UNREAD)
    return value


def described(request: BaseRequest) -> str:
    """``<request id> <method> <route>``: how log lines name a request."""
    method = request.method if ROUTE in request else "-"
    return f"{request_id(request) or '-'} {method} {logged_route(request)}"


@web.middleware
async def request_id_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    given = request.headers.get(HEADER, "")
    request[REQUEST_ID] = given if _SANE.match(given) else new_request_id()
    request[ROUTE] = route_of(request)
    current = _CURRENT.set(request[REQUEST_ID])
    try:
        response = await handler(request)
    except web.HTTPException as exc:  # redirects raised by handlers
        exc.headers[HEADER] = request[REQUEST_ID]
        raise
    finally:
        _CURRENT.reset(current)
    response.headers[HEADER] = request[REQUEST_ID]
    return response
