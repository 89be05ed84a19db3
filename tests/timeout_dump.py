"""When pytest-timeout stops a test, also show what each asyncio task waits for.

pytest-timeout prints every thread's stack; a test stuck on the event loop shows only the
loop's ``select``. This adds each task of the running loop with the chain of coroutines
it is suspended in and the future at its end: where a hang waits."""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import Iterator
from types import FrameType
from typing import Any

import pytest_timeout

_thread_stacks = pytest_timeout.dump_stacks


def _awaiting(coro: Any) -> Iterator[FrameType | object]:
    """The frames of a suspended coroutine chain, then what its innermost one awaits."""
    while coro is not None:
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "ag_frame", None)
        frame = frame or getattr(coro, "gi_frame", None)
        if frame is None:
            yield coro
            return
        yield frame
        coro = (getattr(coro, "cr_await", None) or getattr(coro, "ag_await", None)
                or getattr(coro, "gi_yieldfrom", None))  # fmt: skip


def dump_stacks_and_tasks(terminal: Any) -> None:
    _thread_stacks(terminal)
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return
    for task in asyncio.all_tasks(loop):
        terminal.sep("~", title=f"asyncio task {task.get_name()}")
        for link in _awaiting(task.get_coro()):
            if isinstance(link, FrameType):
                terminal.write("".join(traceback.format_stack(link, limit=1)))
            else:
                terminal.write(f"  awaiting {link!r}\n")
        waiter = getattr(task, "_fut_waiter", None)
        if waiter is not None:
            terminal.write(f"  its future: {waiter!r}\n")


def install() -> None:
    pytest_timeout.dump_stacks = dump_stacks_and_tasks
