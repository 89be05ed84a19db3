"""Turns for upload bodies: how many requests take in upload bytes at once.

Each request that streams bytes into storage (a tus PATCH, a form post) holds state
while it works: a database claim, part buffers, a tail read back or sealed, S3
calls. Sixty-four at once would hold sixty-four such sets; with turns, the others wait
before they start, their bytes still unread in the socket, and memory stays flat however
many readers upload at once.

A request gives its turn up when its client keeps it waiting for bytes (``patience``),
and queues again when they arrive; one that has held its turn for ``share`` seconds
queues again at its next chunk. A slow connection never keeps a turn that a fast one
could use, and a client that trickles bytes cannot keep one for long.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Protocol, TypeVar

T = TypeVar("T")

PATIENCE = 0.2
SHARE = 5.0


class Reading(Protocol):
    """A connection's reading from its socket (aiohttp's request protocol)."""

    def pause_reading(self) -> None: ...

    def resume_reading(self) -> None: ...

    def taking_in(self, held: bool) -> None:
        """The request holds a turn (read its body in large blocks) or not (small ones)."""


class Turn:
    """One request's turn, which it gives up while its client is slow to send. While it
    waits for a turn, its connection's ``reading`` is paused: what the client sends on
    stays in the socket instead of filling the connection's buffer (up to twice
    ``uploads.receive_buffer`` each, with hundreds of slow readers waiting)."""

    def __init__(self, turns: UploadTurns, reading: Reading | None = None) -> None:
        self._turns = turns
        self._reading = reading
        self._since = 0.0
        self.held = False

    async def take(self) -> None:
        reading = self._reading if self._turns.taken() else None
        if reading is not None:
            reading.pause_reading()
        try:
            await self._turns.acquire()
        finally:
            if reading is not None:
                reading.resume_reading()
        self.held = True
        self._since = self._turns.monotonic()
        if self._reading is not None:
            self._reading.taking_in(True)

    def give_up(self) -> None:
        if self.held:
            self.held = False
            self._turns.release()
            if self._reading is not None:
                self._reading.taking_in(False)

    def _step_aside(self) -> None:
        if self.held:
            self._turns.stepped_aside += 1
            self.give_up()

    async def share(self) -> None:
        """Queue again if the turn has been held for ``share`` seconds."""
        if self.held and self._turns.monotonic() - self._since > self._turns.share:
            self.give_up()
            await self.take()

    async def wait_for_client(self, read: Awaitable[T]) -> T:
        """``read``'s result; the turn is given up once it takes longer than ``patience``,
        and taken again when it is here (not after a failure)."""
        timer = asyncio.get_running_loop().call_later(self._turns.patience, self._step_aside)
        try:
            result = await read
        finally:
            timer.cancel()
        if not self.held:
            await self.take()
        return result


class UploadTurns:
    """``count`` turns; ``waiting`` requests queue for one, ``stepped_aside`` counts the
    turns given up to slow clients. ``monotonic`` tells the time turns are held for."""

    def __init__(
        self,
        count: int,
        *,
        patience: float = PATIENCE,
        share: float = SHARE,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._turns = asyncio.Semaphore(count)
        self.patience = patience
        self.share = share
        self.monotonic = monotonic
        self.waiting = 0
        self.stepped_aside = 0
        self._watchers: list[asyncio.Future[None]] = []

    def taken(self) -> bool:
        """Whether every turn is held (a request asking now must wait)."""
        return self._turns.locked()

    async def acquire(self) -> None:
        self.waiting += 1
        self._changed()
        try:
            await self._turns.acquire()
        finally:
            self.waiting -= 1
            self._changed()

    def release(self) -> None:
        self._turns.release()
        self._changed()

    def _changed(self) -> None:
        watchers, self._watchers = self._watchers, []
        for watcher in watchers:
            if not watcher.done():
                watcher.set_result(None)

    async def until(self, condition: Callable[[], bool]) -> None:
        """Return once ``condition`` holds, looked at again whenever a turn changes hands
        (for tests and metrics: no polling)."""
        while not condition():
            watcher = asyncio.get_running_loop().create_future()
            self._watchers.append(watcher)
            await watcher

    @contextlib.asynccontextmanager
    async def turn(self, reading: Reading | None = None) -> AsyncIterator[Turn]:
        """Wait for a turn and hold it, but while the client is slow, until the end;
        ``reading`` is paused while the turn is waited for."""
        turn = Turn(self, reading)
        await turn.take()
        try:
            yield turn
        finally:
            turn.give_up()
