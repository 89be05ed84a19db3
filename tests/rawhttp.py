"""A raw HTTP/1.1 client over asyncio streams, for tests that must control every byte:
stop halfway, measure what was sent before an answer, send a lying Content-Length."""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass
from typing import Any

BOUNDARY = "intake-test-boundary"


def field_part(name: str, value: str) -> bytes:
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
    ).encode()


def file_part_head(filename: str, content_type: str = "application/octet-stream") -> bytes:
    return (
        f"--{BOUNDARY}\r\n"
        f'Content-Disposition: form-data; name="files"; filename="{filename}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode()


EPILOGUE = f"\r\n--{BOUNDARY}--\r\n".encode()


def request_head(path: str, content_length: int, *extra: str) -> bytes:
    lines = [
        f"POST {path} HTTP/1.1",
        "Host: 127.0.0.1",
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}",
        f"Content-Length: {content_length}",
        *extra,
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


async def read_response(reader: asyncio.StreamReader) -> RawResponse:
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    body = await reader.readexactly(length) if length else b""
    return RawResponse(int(status_line.split()[1]), headers, body)


@dataclass
class StreamResult:
    response: RawResponse | None
    sent: int


async def stream_until_answered(
    host: str, port: int, head: bytes, chunks: Any, *, stall_seconds: float = 5.0
) -> StreamResult:
    """Send ``head`` then the chunks while watching for an early answer.

    Stops sending as soon as a response arrives (or the server stops reading for
    ``stall_seconds``) and returns it with the number of body bytes sent.
    """
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(head)
    answer = asyncio.ensure_future(read_response(reader))
    sent = 0
    try:
        for chunk in chunks:
            if answer.done():
                break
            writer.write(chunk)
            drained = asyncio.ensure_future(writer.drain())
            await asyncio.wait({answer, drained}, timeout=stall_seconds,
                               return_when=asyncio.FIRST_COMPLETED)  # fmt: skip
            if not drained.done():
                drained.cancel()
                break
            with contextlib.suppress(ConnectionError):
                drained.result()
            sent += len(chunk)
        try:
            response: RawResponse | None = await asyncio.wait_for(answer, stall_seconds)
        except (TimeoutError, asyncio.IncompleteReadError, ConnectionError):
            response = None
        return StreamResult(response, sent)
    finally:
        answer.cancel()
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()
