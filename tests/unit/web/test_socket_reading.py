"""Pausing a request's reading while it waits for an upload turn, against aiohttp itself."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from intake.web.socket_reading import SocketReading


async def serve(handler: Any) -> tuple[web.AppRunner, int]:
    app = web.Application()
    app.router.add_post("/", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]


async def test_a_body_still_coming_in_is_paused_then_read_whole() -> None:
    paused = asyncio.Event()
    seen: list[bool] = []

    async def handler(request: web.Request) -> web.Response:
        socket = SocketReading(request, small_reads=16384, large_reads=262144)
        socket.pause_reading()
        seen.append(request.protocol._reading_paused)
        paused.set()
        socket.resume_reading()
        seen.append(request.protocol._reading_paused)
        return web.Response(body=await request.read())

    runner, port = await serve(handler)
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nh")
        await paused.wait()
        writer.write(b"i")
        answer = await reader.read(1000)
        writer.close()
        await writer.wait_closed()
    finally:
        await runner.cleanup()
    assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b"hi")
    assert seen == [True, False]


async def test_a_body_already_in_is_left_alone() -> None:
    """aiohttp's parser fails an assertion when asked to pause with no body coming."""
    seen: list[bool] = []

    async def handler(request: web.Request) -> web.Response:
        await request.read()
        socket = SocketReading(request, small_reads=16384, large_reads=262144)
        socket.pause_reading()
        seen.append(request.protocol._reading_paused)
        socket.resume_reading()
        return web.Response(text="read")

    runner, port = await serve(handler)
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi")
        assert (await reader.readline()).startswith(b"HTTP/1.1 200")
        writer.close()
        await writer.wait_closed()
    finally:
        await runner.cleanup()
    assert seen == [False]


async def test_a_connection_reads_large_blocks_only_while_its_request_holds_a_turn() -> None:
    sizes: list[int] = []

    async def handler(request: web.Request) -> web.Response:
        socket = SocketReading(request, small_reads=16384, large_reads=262144)
        transport = request.transport
        for held in (True, False):
            socket.taking_in(held)
            sizes.append(transport.max_size)  # type: ignore[union-attr]
        return web.Response(body=await request.read())

    runner, port = await serve(handler)
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi")
        answer = await reader.read(1000)
        writer.close()
        await writer.wait_closed()
    finally:
        await runner.cleanup()
    assert answer.endswith(b"hi")
    assert sizes == [262144, 16384]
