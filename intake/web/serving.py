"""Serving the application so that a malformed request leaves no trace of its bytes.

aiohttp answers a request it cannot parse (a body longer than its ``Content-Length`` is
read as the next request) itself, before any middleware: it logs the parser's error,
which quotes the bytes (a photo's EXIF, a story), with the client's address, and echoes
the same text in the 400 body. :class:`PrivateRequestHandler` logs only the error's kind
under a request id and answers a problem+json that quotes nothing.
:class:`PrivateAppRunner` serves with it: ``intake serve`` runs it (:func:`serve`), and
so do the tests.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
from collections.abc import Callable

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_request import BaseRequest

from intake.core.errors import BadRequest, IntakeError
from intake.web.keys import DRAINING, OBSERVED, SETTINGS
from intake.web.metrics import metrics_listener
from intake.web.pages.security import add_safe_headers
from intake.web.problems import PROBLEM_JSON
from intake.web.request_ids import HEADER, UNREAD, new_request_id

log = logging.getLogger(__name__)


def _protocol_problem(status: int) -> IntakeError:
    if status == 400:
        return BadRequest(
            "The request could not be read as HTTP/1.1; send well-formed headers and a "
            "body exactly as long as its Content-Length."
        )
    error = IntakeError()
    error.status = status
    return error


class PrivateRequestHandler(RequestHandler):
    """aiohttp's connection handler, with errors told without the request's bytes or
    the client's address."""

    def handle_error(
        self,
        request: BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        rid = new_request_id()
        if isinstance(exc, HttpProcessingError):
            log.info("%s - %s: %d, %s", rid, UNREAD, status, type(exc).__name__)
        else:
            log.error("%s - %s: %d", rid, UNREAD, status, exc_info=exc)
        if request.writer.output_size > 0:
            raise ConnectionError("an answer was being sent; the connection is dropped")
        body = {**_protocol_problem(status).problem(), "request_id": rid}
        response = web.Response(
            status=status, text=json.dumps(body), content_type=PROBLEM_JSON,
            headers={HEADER: rid},
        )  # fmt: skip
        add_safe_headers(response.headers)
        response.force_close()
        return response


class PrivateServer(web.Server):
    def __call__(self) -> RequestHandler:
        return PrivateRequestHandler(self, loop=self._loop, **self._kwargs)


class PrivateAppRunner(web.AppRunner):
    """An ``AppRunner`` whose connections are handled by :class:`PrivateRequestHandler`."""

    async def _make_server(self) -> web.Server:
        made = await super()._make_server()
        return PrivateServer(
            made.request_handler,
            request_factory=made.request_factory,
            handler_cancellation=made.handler_cancellation,
            loop=asyncio.get_running_loop(),
            **made._kwargs,
        )


async def serve(app: web.Application, host: str, port: int, ready: Callable[[], None]) -> None:
    """Serve ``app`` on ``host:port`` (and its metrics on ``operations.metrics_listen``)
    until SIGINT or SIGTERM, then shut down gracefully: ``/readyz`` answers 503 at once,
    the port stops accepting ``operations.shutdown_notice_seconds`` later, requests in
    flight get ``operations.shutdown_grace_seconds`` to finish (idle connections are
    closed), then the background work stops (job leases handed back) and the resources
    close."""
    operations = app[SETTINGS].operations
    grace = operations.shutdown_grace_seconds
    runner = PrivateAppRunner(app, handle_signals=False, shutdown_timeout=grace)
    await runner.setup()
    try:
        async with metrics_listener(app[OBSERVED], operations.metrics_listen):
            await web.TCPSite(runner, host, port).start()
            ready()
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, stop.set)
            await stop.wait()
            app[DRAINING].begin()
            log.info(
                "shutting down: not ready; closing in %g s", operations.shutdown_notice_seconds
            )
            await asyncio.sleep(operations.shutdown_notice_seconds)
            log.info("no new connections; %g s for requests in flight", grace)
    finally:
        await runner.cleanup()
        log.info("shut down")
