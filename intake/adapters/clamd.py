""":class:`intake.inspection.ports.MalwareScanner` on clamd's INSTREAM command.

The file is streamed to clamd in chunks (``<length:4 bytes big-endian><bytes>``, a
zero length ends it) over a unix socket or a loopback TCP connection; clamd answers
``stream: OK``, ``stream: <signature> FOUND`` or an error.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
from pathlib import Path

import aiofiles

from intake.core.errors import ScannerUnavailable
from intake.inspection.ports import ScanResult

_SIZE_LIMIT = "INSTREAM size limit exceeded"


class ClamdScanner:
    def __init__(self, address: str, *, timeout: float, chunk_size: int) -> None:
        self._address = address
        self._timeout = timeout
        self._chunk_size = chunk_size

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._address.startswith("/"):
            return await asyncio.open_unix_connection(self._address)
        host, _, port = self._address.rpartition(":")
        return await asyncio.open_connection(host.strip("[]"), int(port))

    async def scan(self, path: Path) -> ScanResult:
        try:
            async with asyncio.timeout(self._timeout):
                answer = await self._instream(path)
        except (OSError, TimeoutError, asyncio.IncompleteReadError) as exc:
            detail = str(exc) or type(exc).__name__
            raise ScannerUnavailable(f"clamd at {self._address}: {detail}") from exc
        return self._verdict(answer)

    async def _instream(self, path: Path) -> str:
        reader, writer = await self._connect()
        # clamd may answer before the end (over its size limit) and close: its answer
        # is read as soon as it comes, while the file is still being sent.
        answer = asyncio.create_task(reader.readuntil(b"\0"))
        try:
            writer.write(b"zINSTREAM\0")
            async with aiofiles.open(path, "rb") as f:
                while not answer.done() and (chunk := await f.read(self._chunk_size)):
                    writer.write(struct.pack(">I", len(chunk)) + chunk)
                    await writer.drain()
            if not answer.done():
                writer.write(struct.pack(">I", 0))
                await writer.drain()
        except (ConnectionResetError, BrokenPipeError):
            await asyncio.wait([answer], timeout=1)
            if not answer.done() or answer.exception() is not None:
                answer.cancel()
                writer.close()
                raise
        try:
            return (await answer).rstrip(b"\0").decode("utf-8", "replace")
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    def _verdict(self, answer: str) -> ScanResult:
        body = answer.removeprefix("stream:").strip()
        if body == "OK":
            return ScanResult()
        if body.endswith("FOUND"):
            return ScanResult(signature=body.removesuffix("FOUND").strip())
        if _SIZE_LIMIT in body:
            return ScanResult(complete=False)
        raise ScannerUnavailable(f"clamd at {self._address} answered {answer!r}")

    async def ping(self) -> None:
        try:
            async with asyncio.timeout(self._timeout):
                reader, writer = await self._connect()
                writer.write(b"zPING\0")
                await writer.drain()
                answer = await reader.readuntil(b"\0")
                writer.close()
                await writer.wait_closed()
        except (OSError, TimeoutError, asyncio.IncompleteReadError) as exc:
            raise ScannerUnavailable(f"clamd at {self._address}: {exc}") from exc
        if answer.rstrip(b"\0") != b"PONG":
            raise ScannerUnavailable(f"clamd at {self._address} answered {answer!r}")
