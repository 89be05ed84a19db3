"""A TCP proxy on loopback between the browser and the app, for bad networks on demand:
it lets what the browser sends through at ``rate`` bytes per second, counts it, and cuts
every open connection at once when told (as a dropped mobile link does)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator


class CuttingProxy:
    def __init__(self, target_port: int, rate: int | None = None) -> None:
        self.target_port = target_port
        self.rate = rate
        self.sent = 0
        """Bytes the browser sent through the proxy (request heads and bodies)."""
        self.cuts = 0
        self._writers: set[asyncio.StreamWriter] = set()
        self._server: asyncio.Server | None = None

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cut(self) -> None:
        """Drop every open connection, both ways, without a goodbye."""
        self.cuts += 1
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _pace(self, started: float, count: int) -> None:
        if self.rate:
            ahead = count / self.rate - (time.monotonic() - started)
            if ahead > 0:
                await asyncio.sleep(ahead)

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                    upstream: bool) -> None:  # fmt: skip
        started, count = time.monotonic(), 0
        with contextlib.suppress(ConnectionError, OSError):
            while data := await reader.read(16 * 1024):
                if upstream:
                    count += len(data)
                    self.sent += len(data)
                    await self._pace(started, count)
                writer.write(data)
                await writer.drain()
        with contextlib.suppress(ConnectionError, OSError, RuntimeError):
            writer.close()

    async def _connection(self, client_r: asyncio.StreamReader,
                          client_w: asyncio.StreamWriter) -> None:  # fmt: skip
        server_r, server_w = await asyncio.open_connection("127.0.0.1", self.target_port)
        self._writers.update((client_w, server_w))
        await asyncio.gather(
            self._pump(client_r, server_w, upstream=True),
            self._pump(server_r, client_w, upstream=False),
        )
        self._writers.difference_update((client_w, server_w))

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[CuttingProxy]:
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        try:
            yield self
        finally:
            self.cut()
            self._server.close()
            await self._server.wait_closed()
