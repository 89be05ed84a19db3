"""The access log, written so that it cannot tie a reader to what they sent.

``server.access_log`` chooses what each request's line says:

- ``private`` (the default): the request id, method, route, status, size and time. The
  route is the matched pattern with its variables replaced by ``…``
  (``/receipt/…``, ``/api/v1/submissions/…/submit``): no submission id, reference,
  upload id or token; no query string (a moderator's search may hold a reader's name);
  no client address, User-Agent or Referer (a Referer names the receipt page).
- ``full``: also the client address, User-Agent and the path as requested, for operators
  who must (and then hold a log that identifies readers).
- ``off``: no access log.

Other lines about a request (errors, a client gone) name it by the same id and route.
"""

from __future__ import annotations

import logging
from enum import StrEnum

from aiohttp.abc import AbstractAccessLogger
from aiohttp.web_request import BaseRequest
from aiohttp.web_response import StreamResponse

from intake.web.request_ids import HEADER, ROUTE, logged_route

LOGGER = "intake.access"


class AccessLogMode(StrEnum):
    OFF = "off"
    PRIVATE = "private"
    FULL = "full"


class AccessLog(AbstractAccessLogger):
    """aiohttp's access logger, given the mode as its ``log_format``."""

    def __init__(self, logger: logging.Logger, log_format: str) -> None:
        super().__init__(logger, log_format)
        self._full = AccessLogMode(log_format) is AccessLogMode.FULL

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        rid = response.headers.get(HEADER, "-")
        method = request.method if ROUTE in request else "-"
        line = (
            f"{rid} {method} {logged_route(request)} {response.status} "
            f"{response.body_length} {time * 1000:.1f}ms"
        )
        if self._full:
            agent = request.headers.get("User-Agent", "-")
            line += f' {request.remote} "{request.raw_path}" "{agent}"'
        fields = {"event": "request", "request_id": rid, "method": method,
                  "route": logged_route(request), "status": response.status,
                  "bytes": response.body_length, "ms": round(time * 1000, 1)}  # fmt: skip
        self.logger.info(line, extra=fields)


def handler_args(mode: str) -> dict[str, object]:
    """What the aiohttp server needs to write this access log (``handler_args``)."""
    chosen = AccessLogMode(mode)
    return {
        "access_log_class": AccessLog,
        "access_log_format": chosen.value,
        "access_log": None if chosen is AccessLogMode.OFF else logging.getLogger(LOGGER),
    }
