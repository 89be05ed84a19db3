"""Chunks still being committed after their client went away, tracked until they end.

A tus chunk is received in a task of its own, shielded from the handler, so that what
arrived before a client vanished is still committed (aiohttp may cancel handlers of
lost connections). At shutdown the node waits for those tasks, and cancels the ones
that outlive the grace period: none is left running unawaited.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

from intake.core.background import cancel_and_wait
from intake.core.errors import IntakeError

log = logging.getLogger(__name__)
T = TypeVar("T")
GRACE_SECONDS = 30.0


class ChunkTasks:
    def __init__(self, grace: float = GRACE_SECONDS) -> None:
        self._grace = grace
        self._tasks: set[asyncio.Task[Any]] = set()

    def __len__(self) -> int:
        return len(self._tasks)

    async def run(self, work: Coroutine[Any, Any, T]) -> T:
        """``work``'s result; ``work`` goes on to its end if the caller is cancelled."""
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._ended)
        return await asyncio.shield(task)

    def _ended(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None and not isinstance(exc, IntakeError):
            log.error("a chunk failed", exc_info=exc)

    async def wait(self) -> None:
        """Let running chunks finish within the grace period, then cancel the rest."""
        if not self._tasks:
            return
        tasks = list(self._tasks)
        _, late = await asyncio.wait(tasks, timeout=self._grace)
        if late:
            log.warning("%d chunks cancelled at shutdown", len(late))
            await cancel_and_wait(*late)
