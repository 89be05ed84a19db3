"""A tus request body: a client that goes away cuts it, and so does the server's shutdown
(aiohttp ends bodies with ``CancelledError``); a cancellation of the reader is not a
client."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from intake.uploads.turns import UploadTurns
from intake.web.uploads.tus import RequestBody


class Content:
    def __init__(self, chunks: list[bytes], then: Any) -> None:
        self._chunks = chunks
        self._then = then

    def read_nowait(self, size: int) -> bytes:
        return self._chunks.pop(0) if self._chunks else b""

    async def read(self, size: int) -> bytes:
        if isinstance(self._then, asyncio.Event):
            await self._then.wait()
        raise self._then


class Request:
    def __init__(self, content: Content, length: int) -> None:
        self.content = content
        self.content_length = length


async def read_all(error: Any) -> tuple[list[bytes], RequestBody]:
    request: Any = Request(Content([b"abc"], error), 10)
    got: list[bytes] = []
    async with UploadTurns(1).turn() as turn:
        body = RequestBody(request, 1024, turn)
        async for chunk in body:
            got.append(chunk)
    return got, body


async def test_a_client_that_goes_away_cuts_the_body_quietly() -> None:
    got, body = await read_all(ConnectionResetError("gone"))
    assert got == [b"abc"] and body.cut


async def test_a_body_ended_by_the_server_shutting_down_is_cut_and_kept() -> None:
    got, body = await read_all(asyncio.CancelledError())
    assert got == [b"abc"] and body.cut


async def test_a_cancellation_of_the_reader_is_not_taken_for_a_client_that_went_away() -> None:
    reading = asyncio.create_task(read_all(asyncio.Event()))  # waits until cancelled
    for _ in range(10):
        await asyncio.sleep(0)
    reading.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reading
