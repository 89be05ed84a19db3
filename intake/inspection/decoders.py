"""Decoder processes: Pillow and PyAV run there, never in a web or worker process.

A pool of at most ``inspection.processes`` spawned processes, each working on one file
at a time and kept for the next (started on first use). Functions are named by their
import path, so the calling process never imports the decoders' libraries. Each process
limits itself (memory, CPU per file, no network: :mod:`intake.inspection.decoder_process`).

A file that makes its decoder die, overrun its time or run out of memory costs that
process alone: it is killed, the file is refused with the reason (:class:`DecoderCrashed`,
a :class:`~intake.core.errors.MediaRejected`: a file that did it once will do it again,
so it is not retried), and the next file gets a new process. Other files being decoded
meanwhile in the other processes are not touched.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import signal
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from intake.core.errors import MediaRejected
from intake.core.sizes import describe_size
from intake.inspection.decoder_process import ProcessLimits, serve

log = logging.getLogger(__name__)
MAX_TASKS_PER_PROCESS = 200
_SPAWN = multiprocessing.get_context("spawn")


class DecoderCrashed(MediaRejected):
    """The decoder process died, overran its time or its memory on this file."""


class _Decoder:
    """One decoder process and the pipe to it."""

    def __init__(self, limits: ProcessLimits) -> None:
        ours, theirs = _SPAWN.Pipe()
        self.process: BaseProcess = _SPAWN.Process(
            target=serve, args=(theirs, limits), name="intake-decoder", daemon=True
        )
        self.process.start()
        theirs.close()
        self.conn: Connection = ours
        self.greeting = ""
        self.tasks = 0

    def receive(self) -> Any:
        if not self.greeting:
            self.greeting = self.conn.recv()
            log.info("decoder process %s: %s", self.process.pid, self.greeting)
        return self.conn.recv()

    def kill(self) -> None:
        """SIGKILL the process (at once; :meth:`reap` waits for it)."""
        with contextlib.suppress(OSError, ValueError):
            self.process.kill()

    def reap(self) -> None:
        """Wait for the process to end (blocking) and close the pipe."""
        self.process.join(10)
        if self.process.is_alive():
            self.kill()
            self.process.join(10)
        self.conn.close()


class DecoderPool:
    """``run`` a decoder function in one of at most ``processes`` processes."""

    def __init__(self, processes: int, timeout: float, limits: ProcessLimits | None = None) -> None:
        self._timeout = timeout
        self._limits = limits or ProcessLimits()
        self._free = asyncio.Semaphore(processes)
        self._idle: list[_Decoder] = []
        self._live: set[_Decoder] = set()
        self.restarts = 0
        """Processes killed for a file (crash, time, memory) since the pool started."""

    async def run(self, target: str, *args: Any) -> Any:
        """``module:function(*args)`` in a decoder process. ``MediaRejected`` comes back
        as it was raised; a crash, an overrun or an exhausted memory is
        :class:`DecoderCrashed`."""
        async with self._free:
            decoder = self._idle.pop() if self._idle else await self._start()
            try:
                kind, value = await self._ask(decoder, target, args)
            except BaseException:
                self._retire(decoder, killed=True)
                raise
            decoder.tasks += 1
            if decoder.tasks >= MAX_TASKS_PER_PROCESS:
                self._retire(decoder, killed=False)
            else:
                self._idle.append(decoder)
        if kind == "rejected":
            raise MediaRejected(value)
        if kind == "memory":
            raise DecoderCrashed(self._memory_text())
        if kind == "error":
            raise RuntimeError(f"the decoder failed: {value}")
        return value

    async def _start(self) -> _Decoder:
        decoder = await asyncio.to_thread(_Decoder, self._limits)
        self._live.add(decoder)
        return decoder

    async def _ask(self, decoder: _Decoder, target: str, args: tuple[Any, ...]) -> Any:
        try:
            decoder.conn.send((target, args))
            return await asyncio.wait_for(asyncio.to_thread(decoder.receive), self._timeout)
        except TimeoutError:
            raise DecoderCrashed(
                f"Decoding this file took longer than {self._timeout:.0f} s; it was stopped."
            ) from None
        except (EOFError, OSError) as exc:
            await asyncio.to_thread(decoder.process.join, 5)
            raise DecoderCrashed(self._death_text(decoder.process.exitcode)) from exc

    def _death_text(self, exitcode: int | None) -> str:
        if exitcode == -signal.SIGXCPU:
            return (
                f"Decoding this file used more than {self._limits.cpu_seconds} s of CPU; "
                "it was stopped."
            )
        if exitcode == -signal.SIGKILL:
            return f"The decoder was killed on this file (out of memory?). {self._memory_text()}"
        return f"The decoder process died on this file (exit code {exitcode})."

    def _memory_text(self) -> str:
        if not self._limits.memory_bytes:
            return "Decoding this file ran out of memory."
        limit = describe_size(self._limits.memory_bytes)
        return f"Decoding this file needed more than the decoder's {limit} of memory."

    def _retire(self, decoder: _Decoder, *, killed: bool) -> None:
        """End a decoder's process without waiting here: killed after a failure, or
        told to finish (its pipe closed) once it has done its share of files."""
        self._live.discard(decoder)
        if killed:
            self.restarts += 1
            decoder.kill()
        else:
            decoder.conn.close()
        asyncio.get_running_loop().run_in_executor(None, decoder.reap)

    def close(self) -> None:
        """Stop every decoder process (blocking: call it from a thread)."""
        self._idle.clear()
        for decoder in list(self._live):
            self._live.discard(decoder)
            decoder.kill()
            decoder.reap()
