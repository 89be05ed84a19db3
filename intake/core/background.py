"""Work a process runs beside its main one (the janitor, sweeps, dispatchers, workers).

A round that fails is logged with its traceback and the loop goes on at the next round:
background work never dies silently. :class:`Background` names every loop it starts,
so a process can say what it runs, and cancels and awaits them all when it stops.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from intake.core.errors import IntakeError

log = logging.getLogger(__name__)
Sleep = Callable[[float], Awaitable[None]]
Round = Callable[[], Awaitable[object]]


async def cancel_and_wait(*tasks: asyncio.Future[Any]) -> None:
    """Cancel ``tasks`` and wait until each has ended.

    Not ``suppress(CancelledError): await task``: were the caller itself cancelled while it
    waits, that would take the caller's CancelledError for the task's and swallow it, and
    the caller would go on as if never cancelled (a stopping worker polling forever)."""
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.wait(tasks)


async def every(name: str, seconds: float, round_: Round, *, sleep: Sleep = asyncio.sleep) -> None:
    """Run ``round_`` every ``seconds`` until cancelled; failures are logged, not fatal.

    A round that returns something true (work was found) is followed by the next one at
    once, so a backlog drains without waiting.
    """
    while True:
        busy = False
        try:
            busy = bool(await round_())
        except IntakeError as exc:  # a dependency is down: said plainly, tried again later
            log.warning("%s: %s", name, exc.detail)
        except Exception:
            log.exception("%s failed; trying again in %.3g s", name, seconds)
        if not busy:
            await sleep(seconds)


class Background:
    """Named tasks started beside a process's main work, stopped together."""

    def __init__(self) -> None:
        self._tasks: dict[str, asyncio.Task[None]] = {}

    @property
    def names(self) -> list[str]:
        return list(self._tasks)

    def start(self, name: str, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work, name=name)
        task.add_done_callback(self._ended)
        self._tasks[name] = task

    def _ended(self, task: asyncio.Task[None]) -> None:
        if task.cancelled():
            return
        if (exc := task.exception()) is not None:
            log.error("background task %s stopped", task.get_name(), exc_info=exc)
        else:
            log.warning("background task %s ended", task.get_name())

    async def stop(self) -> None:
        """Cancel every task and wait until each has finished its cleanup."""
        tasks, self._tasks = list(self._tasks.values()), {}
        await cancel_and_wait(*tasks)
