"""A request's connection as the :class:`intake.uploads.turns.Reading` that upload turns
pause while a request waits. Only a body still being received is paused (aiohttp's parser
has nothing to pause once the body is in, and its protocol no parser once the client is
gone), and only what was paused is resumed.

A connection reads its socket in small blocks (``uploads.receive_buffer``) but while its
request holds an upload turn (``uploads.read_chunk``): asyncio's transport reads 256 KiB
at a time, so each request waiting for a turn would hold 256 KiB of its body before its
reading could pause (16 MiB with 64 uploads in flight).
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

from aiohttp import web

from intake.web.keys import SETTINGS


def read_at_most(transport: asyncio.BaseTransport | None, size: int) -> None:
    """Have asyncio's socket transport take at most ``size`` bytes from the socket per
    read; a transport without that knob (uvloop's, TLS) keeps its own."""
    if transport is not None and hasattr(transport, "max_size"):
        cast(Any, transport).max_size = size


class SocketReading:
    def __init__(self, request: web.Request, *, small_reads: int, large_reads: int) -> None:
        self._protocol = request.protocol
        self._body = request.content
        self._paused = False
        self._reads = {False: small_reads, True: large_reads}

    def _open(self) -> bool:
        transport = self._protocol.transport
        return transport is not None and not transport.is_closing()

    def pause_reading(self) -> None:
        if not self._paused and self._open() and not self._body.is_eof():
            self._protocol.pause_reading()
            self._paused = True

    def resume_reading(self) -> None:
        if self._paused:
            self._paused = False
            if self._open():
                self._protocol.resume_reading()

    def taking_in(self, held: bool) -> None:
        read_at_most(self._protocol.transport, self._reads[held])


def socket_reading(request: web.Request) -> SocketReading:
    """``request``'s connection, read in the blocks the app's settings give."""
    uploads = request.app[SETTINGS].uploads
    return SocketReading(
        request, small_reads=uploads.receive_buffer, large_reads=uploads.read_chunk
    )
