"""A request's connection as the :class:`intake.uploads.turns.Reading` that upload turns
pause while a request waits. Only a body still being received is paused (aiohttp's parser
has nothing to pause once the body is in, and its protocol no parser once the client is
gone), and only what was paused is resumed."""

from __future__ import annotations

from aiohttp import web


class SocketReading:
    def __init__(self, request: web.Request) -> None:
        self._protocol = request.protocol
        self._body = request.content
        self._paused = False

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
