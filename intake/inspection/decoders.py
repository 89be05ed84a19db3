"""Decoder processes: Pillow and PyAV run here, never in a web or worker process.

A bounded pool of spawned processes (``inspection.processes``). Functions are named
by their import path, so the calling process never imports the decoders' libraries; a
decoder that crashes or hangs costs its process, which is replaced, not the node.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from intake.core.errors import MediaRejected

MAX_TASKS_PER_PROCESS = 200


class DecoderCrashed(Exception):
    """The decoder process died or overran its time (the file may be to blame)."""


def _call(target: str, args: tuple[Any, ...]) -> Any:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)(*args)


class DecoderPool:
    def __init__(self, processes: int, timeout: float) -> None:
        self._processes = processes
        self._timeout = timeout
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self._processes,
                mp_context=multiprocessing.get_context("spawn"),
                max_tasks_per_child=MAX_TASKS_PER_PROCESS,
            )
        return self._pool

    async def run(self, target: str, *args: Any) -> Any:
        """``module:function(*args)`` in a decoder process. ``MediaRejected`` comes back
        as it was raised; a crash or a timeout is :class:`DecoderCrashed`."""
        pool = self._executor()
        future = asyncio.get_running_loop().run_in_executor(pool, _call, target, args)
        try:
            return await asyncio.wait_for(future, self._timeout)
        except MediaRejected:
            raise
        except BrokenProcessPool as exc:
            self._replace(pool)
            raise DecoderCrashed("the decoder process died on this file") from exc
        except TimeoutError as exc:
            self._replace(pool)
            raise DecoderCrashed(f"the decoder took longer than {self._timeout:.0f} s") from exc

    def _replace(self, pool: ProcessPoolExecutor) -> None:
        """Stop a broken or stuck pool (its processes killed); the next call starts anew."""
        if self._pool is pool:
            self._pool = None
        processes = dict(getattr(pool, "_processes", None) or {})
        pool.shutdown(wait=False, cancel_futures=True)
        for pid in processes:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
