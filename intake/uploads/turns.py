"""Turns for upload bodies: how many requests take in upload bytes at once.

Each request that streams bytes into storage (a tus PATCH, a form post) holds state
while it works: a database claim, part buffers, segments read back or written, S3
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
from collections.abc import AsyncIterator, Awaitable
from typing import TypeVar

T = TypeVar("T")

PATIENCE = 0.2
SHARE = 5.0


class Turn:
    """One request's turn, which it gives up while its client is slow to send."""

    def __init__(self, turns: asyncio.Semaphore, patience: float, share: float) -> None:
        self._turns = turns
        self._patience = patience
        self._share = share
        self._since = 0.0
        self.held = False

    async def take(self) -> None:
        await self._turns.acquire()
        self.held = True
        self._since = time.monotonic()

    def give_up(self) -> None:
        if self.held:
            self.held = False
            self._turns.release()

    async def share(self) -> None:
        """Queue again if the turn has been held for ``share`` seconds."""
        if self.held and time.monotonic() - self._since > self._share:
            self.give_up()
            await self.take()

    async def wait_for_client(self, read: Awaitable[T]) -> T:
        """``read``'s result; the turn is given up once it takes longer than ``patience``,
        and taken again when it is here (not after a failure)."""
        timer = asyncio.get_running_loop().call_later(self._patience, self.give_up)
        try:
            result = await read
        finally:
            timer.cancel()
        if not self.held:
            await self.take()
        return result


class UploadTurns:
    def __init__(self, count: int, *, patience: float = PATIENCE, share: float = SHARE) -> None:
        self._turns = asyncio.Semaphore(count)
        self._patience = patience
        self._share = share

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncIterator[Turn]:
        """Wait for a turn and hold it, but while the client is slow, until the end."""
        turn = Turn(self._turns, self._patience, self._share)
        await turn.take()
        try:
            yield turn
        finally:
            turn.give_up()
