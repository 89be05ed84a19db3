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
import contextlib
import json
import logging
import signal
from collections.abc import Callable
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_request import BaseRequest

from intake.core.errors import BadRequest, IntakeError
from intake.web.connections import ClientConnections, ConnectionLimits, over_cap, too_slow
from intake.web.keys import DRAINING, OBSERVED, SETTINGS
from intake.web.metrics import metrics_listener
from intake.web.pages.security import add_safe_headers
from intake.web.problems import PROBLEM_JSON
from intake.web.request_ids import HEADER, UNREAD, new_request_id
from intake.web.socket_reading import read_at_most

log = logging.getLogger(__name__)
LINGER_READS = 256 * 1024
"""Bytes taken from the socket at a time while what a client still sends is dropped."""


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
    the client's address; it reads its socket ``small_reads`` bytes at a time (but while
    a request holds an upload turn: :mod:`intake.web.socket_reading`)."""

    def __init__(self, *args: Any, small_reads: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._small_reads = small_reads
        self._lingers = False
        self._gone: asyncio.Future[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        if self._small_reads:
            read_at_most(transport, self._small_reads)

    def connection_lost(self, exc: BaseException | None) -> None:
        super().connection_lost(exc)
        if self._gone is not None and not self._gone.done():
            self._gone.set_result(None)

    async def start(self) -> None:
        await super().start()
        if self._lingers:
            await self._linger()

    async def _linger(self) -> None:
        """Close a connection that could not be read as HTTP once its client has read the
        answer: closing a socket with bytes still unread in it sends a reset, which can
        destroy the answer on its way. The answer is followed by the end of what the
        server sends, and what still comes is read and dropped (aiohttp's ``data_received``
        drops all once the connection is closing) until the client closes or for at most
        ``lingering_time``."""
        transport = self.transport
        if not isinstance(transport, asyncio.Transport) or transport.is_closing():
            return
        self._gone = self._loop.create_future()
        read_at_most(transport, LINGER_READS)
        transport.resume_reading()
        if transport.can_write_eof():
            transport.write_eof()
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._gone), self._lingering_time)
        finally:
            transport.close()

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
            self._lingers = True
            self._force_close = True  # aiohttp then leaves the closing to _linger
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


class WatchedRequestHandler(PrivateRequestHandler):
    """A connection whose head must come in time and whose body may not stall, counted
    against its client's cap (:mod:`intake.web.connections`)."""

    def __init__(self, *args: Any, connections: ClientConnections, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._connections = connections
        self._group: str | None = None
        self._head_since: float | None = None
        self._head_begun = False
        self._body: Any = None
        """The body of the latest request whose head came (read by its handler, or
        drained by aiohttp after it)."""
        self._last_byte = 0.0
        self._watch: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        peer = transport.get_extra_info("peername")
        counted = self._connections.open(str(peer[0]) if peer else "")
        if counted is False:
            assert isinstance(transport, asyncio.Transport)
            transport.write(over_cap(self._connections.limits))
            transport.close()
            return
        self._group = counted if isinstance(counted, str) else None
        super().connection_made(transport)
        self._head_since = self._last_byte = self._loop.time()
        self._watch = self._loop.call_later(self._connections.limits.tick, self._look)

    def connection_lost(self, exc: BaseException | None) -> None:
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None
        if self._group is not None:
            self._connections.close(self._group)
            self._group = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        now = self._loop.time()
        self._last_byte = now
        if self._head_since is None and not self._messages and not self._reading_body():
            self._head_since = now
        self._head_begun = self._head_since is not None
        before = self._request_count
        super().data_received(data)
        if self._request_count != before:
            self._head_since, self._head_begun = None, False
            self._body = self._messages[-1][1] if self._messages else None

    def _look(self) -> None:
        """Every tick: cut a head that is too slow or a body that stalled."""
        self._watch = None
        if self.transport is None or self._force_close:
            return
        limits, now = self._connections.limits, self._loop.time()
        if self._head_since is not None and now - self._head_since > limits.header_timeout:
            if self._head_begun:
                self.transport.write(too_slow(limits))
            log.info("%s: %s", UNREAD, "request head too slow, connection closed")
            self.force_close()
            self.transport.close()
            return
        if self._reading_paused or self._buffer_paused:
            self._last_byte = now
        elif self._reading_body() and now - self._last_byte > limits.body_idle:
            log.info("%s: %s", UNREAD, "request body stalled, connection closed")
            self.force_close()
            self.transport.close()
            return
        self._watch = self._loop.call_later(limits.tick, self._look)

    def _reading_body(self) -> bool:
        return self._body is not None and not self._body.is_eof()


class PrivateServer(web.Server):
    def __init__(self, *args: Any, connections: ClientConnections | None = None,
                 small_reads: int | None = None, **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.clients = connections
        self.small_reads = small_reads

    def __call__(self) -> RequestHandler:
        if self.clients is not None:
            return WatchedRequestHandler(
                self, loop=self._loop, connections=self.clients,
                small_reads=self.small_reads, **self._kwargs,
            )  # fmt: skip
        return PrivateRequestHandler(
            self, loop=self._loop, small_reads=self.small_reads, **self._kwargs
        )


class PrivateAppRunner(web.AppRunner):
    """An ``AppRunner`` whose connections are handled by :class:`PrivateRequestHandler`,
    watched as the app's settings say (:mod:`intake.web.connections`)."""

    async def _make_server(self) -> web.Server:
        made = await super()._make_server()
        settings = self._app[SETTINGS]
        return PrivateServer(
            made.request_handler,
            request_factory=made.request_factory,
            handler_cancellation=made.handler_cancellation,
            loop=asyncio.get_running_loop(),
            connections=ClientConnections(ConnectionLimits.from_settings(settings)),
            small_reads=settings.uploads.receive_buffer,
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
