"""Slow and idle clients are cut off, connections per client are capped, and readers'
uploads go through while hundreds of slow connections are open."""

from __future__ import annotations

import asyncio
import contextlib
import resource
from typing import Any

from intake.web.connections import ClientConnections, ConnectionLimits
from intake.web.connections import networks_of as proxies
from tests.eventually import eventually
from tests.media import jpeg_with_exif, large_jpeg, mp4_h264
from tests.rawhttp import RawResponse, read_response
from tests.tus_helpers import (
    CHUNK_TYPE,
    TUS,
    MiB,
    bearer,
    create_url,
    head,
    new_draft,
    submit,
    upload_whole,
)

WAIT = 30  # seconds a test waits for an answer that must come, before failing


async def _connect(client: Any, local: str = "127.0.0.1") -> tuple[Any, Any]:
    return await asyncio.open_connection(client.host, client.port, local_addr=(local, 0))


async def _answer(reader: asyncio.StreamReader) -> RawResponse:
    return await asyncio.wait_for(read_response(reader), WAIT)


async def _closed(reader: asyncio.StreamReader) -> bytes:
    """What the server sent before it closed the connection."""
    with contextlib.suppress(ConnectionError):
        return await asyncio.wait_for(reader.read(), WAIT)
    return b""


async def test_a_head_that_comes_too_slowly_gets_408_and_the_connection_closes(
    make_client: Any,
) -> None:
    client = await make_client(server_header_timeout_seconds="0.3")
    reader, writer = await _connect(client)
    writer.write(b"POST /api/v1/submissions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty")
    answer = await _answer(reader)
    assert answer.status == 408
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"] == "/problems/request-timeout"
    assert answer.headers["server"] == "intake"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert await _closed(reader) == b""
    writer.close()


async def test_a_connection_that_sends_nothing_is_closed(make_client: Any) -> None:
    client = await make_client(server_header_timeout_seconds="0.3")
    reader, writer = await _connect(client)
    assert await _closed(reader) == b""
    writer.close()


async def test_a_stalled_body_is_cut_and_a_resumable_upload_keeps_what_arrived(
    make_client: Any,
) -> None:
    client = await make_client(server_body_idle_seconds="0.3")
    token = (await new_draft(client))["submitter_token"]
    photo = jpeg_with_exif()
    url = await create_url(client, token, len(photo))
    reader, writer = await _connect(client)
    head_lines = [f"PATCH {url} HTTP/1.1", "Host: 127.0.0.1", "Tus-Resumable: 1.0.0",
                  f"Authorization: Bearer {token}", "Upload-Offset: 0",
                  f"Content-Type: {CHUNK_TYPE}", f"Content-Length: {len(photo)}"]  # fmt: skip
    writer.write(("\r\n".join(head_lines) + "\r\n\r\n").encode() + photo[:500])
    await _closed(reader)
    writer.close()

    async def kept() -> bool:
        return (await head(client, url, token)).headers["Upload-Offset"] == "500"

    assert await eventually(kept), "the 500 bytes that came are kept; the upload resumes"


async def test_connections_per_client_address_are_capped(make_client: Any) -> None:
    client = await make_client(server_connections_per_client="3")
    held = [await _connect(client) for _ in range(3)]
    reader, writer = await _connect(client)
    refused = await _answer(reader)
    assert refused.status == 429 and refused.headers["retry-after"] == "1"
    assert refused.json()["type"] == "/problems/too-many-requests"
    writer.close()
    other_reader, other = await _connect(client, "127.0.0.2")
    other.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert (await _answer(other_reader)).status == 200, "another address has its own cap"
    other.close()
    held[0][1].close()

    async def room_again() -> bool:
        response = await client.get("/healthz")
        return bool(response.status == 200)

    assert await eventually(room_again), "a closed connection gives its place back"
    for _, w in held[1:]:
        w.close()


def test_ipv6_clients_are_capped_by_network_and_trusted_proxies_not_at_all() -> None:
    limits = ConnectionLimits(header_timeout=30, body_idle=60, per_client=2,
                              proxies=proxies(["10.0.0.0/8"]))  # fmt: skip
    clients = ClientConnections(limits)
    assert clients.open("2001:db8:1:2::1") and clients.open("2001:db8:1:2::ffff")
    assert clients.open("2001:db8:1:2:abcd::1") is False, "the same /64"
    assert clients.open("2001:db8:1:3::1"), "another /64"
    assert all(clients.open("10.1.2.3") is None for _ in range(5)), "a proxy is not capped"


def _raise_fd_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


SLOW_HEAD = (
    b"POST /api/v1/submissions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
)


async def test_uploads_go_through_while_500_slow_connections_are_open(
    make_client: Any,
) -> None:
    _raise_fd_limit(4096)
    client = await make_client()
    idle: list[Any] = []
    trickling: list[Any] = []
    for batch in range(10):
        opened = await asyncio.gather(
            *(_connect(client, f"127.0.{1 + batch}.{1 + n // 5}") for n in range(50))
        )
        for n, (reader, writer) in enumerate(opened):
            if n % 2:
                writer.write(SLOW_HEAD)
                trickling.append((reader, writer))
            else:
                idle.append((reader, writer))
    assert len(idle) + len(trickling) == 500

    def trickle() -> None:
        """A byte on every slow body each time a reader's chunk arrives: moving slowly."""
        for _, writer in trickling:
            writer.write(b" ")

    draft = await new_draft(client)
    token = draft["submitter_token"]
    files = [(jpeg_with_exif(), "photo.jpg", "image/jpeg"),
             (large_jpeg(3 * MiB), "big.jpg", "image/jpeg"),
             (mp4_h264(), "clip.mp4", "video/mp4")]  # fmt: skip
    for data, filename, filetype in files:
        url = await create_url(client, token, len(data), filename=filename, filetype=filetype)
        trickle()
        for offset in range(0, len(data), MiB):
            chunk = data[offset : offset + MiB]
            sent = {**TUS, **bearer(token), "Upload-Offset": str(offset),
                    "Content-Type": CHUNK_TYPE}  # fmt: skip
            response = await client.patch(url, headers=sent, data=chunk)
            assert response.status == 204, await response.text()
            trickle()
    assert (await submit(client, draft)).status == 202
    other = await new_draft(client)
    await upload_whole(client, other["submitter_token"], mp4_h264(), filename="b.mp4",
                       filetype="video/mp4")  # fmt: skip
    assert (await submit(client, other)).status == 202

    still_open = [r for r, _ in trickling if not r.at_eof()]
    assert len(still_open) == len(trickling), "slow but moving bodies are never cut"
    for _, writer in idle + trickling:
        writer.close()
