"""Readers' uploads beside hundreds of slow connections: ``intake serve`` on the embedded
SeaweedFS, readers sending photos through the form's one-request door, first alone, then
with N slow connections held open (half silent, half trickling a body a byte a second,
each from its own loopback address), then with the slow heads past
``server.header_timeout_seconds``. Prints seconds per phase, intake's open sockets and
peak RSS, and how many slow connections intake closed. Not a test.

    .venv/bin/python bench/slow_clients.py                  # 500 slow connections
    .venv/bin/python bench/slow_clients.py --slow 1000 --photos 40

Older code for comparison: ``--intake "env PYTHONPATH=<its checkout> <venv>/bin/python -m
intake serve"``, run from outside the checkout (paths that exist there are made absolute).
Measured on the 2-core shared machine, 500 slow, 20 x 3 MiB photos: before, 4.3 s alone
and 3.3 s beside them, none of the 500 closed after 20 s; now 3.0 s and 3.4 s, the 250
silent ones closed at the 10 s header limit, the 250 moving bodies kept; 140 MiB RSS both.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import psutil
from upload_throughput import STORAGE_DIR, intake_command, running_service

from intake.adapters.embedded.seaweedfs import run_seaweedfs

MiB = 1024 * 1024
JPEG_HEADER = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
SLOW_HEAD = (
    b"POST /api/v1/submissions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
)
HEADER_TIMEOUT = 10


async def readers(base: str, photos: int, size: int) -> float:
    """Seconds for ``photos`` readers, 8 at a time, each sending one photo."""
    gate = asyncio.Semaphore(8)

    async def one(http: aiohttp.ClientSession, number: int) -> None:
        form = aiohttp.FormData()
        form.add_field("consent_terms", "true")
        form.add_field("story", f"reader {number}")
        form.add_field("files", JPEG_HEADER + os.urandom(size), filename="p.jpg",
                       content_type="image/jpeg")  # fmt: skip
        async with gate, http.post(base + "/api/v1/submissions", data=form) as response:
            await response.read()
            assert response.status == 201, response.status

    started = time.monotonic()
    async with aiohttp.ClientSession() as http:
        await asyncio.gather(*(one(http, n) for n in range(photos)))
    return time.monotonic() - started


async def slow_connections(port: int, count: int) -> list[Any]:
    opened = []
    for n in range(count):
        local = f"127.0.{1 + n // 200}.{1 + n % 200}"
        reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(local, 0))
        if n % 2:
            writer.write(SLOW_HEAD)
        opened.append((reader, writer, bool(n % 2)))
    return opened


async def trickle(opened: list[Any], stop: asyncio.Event) -> None:
    while not stop.is_set():
        for _, writer, body in opened:
            if body and not writer.is_closing():
                writer.write(b" ")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 1.0)


def sockets(pid: int) -> int:
    return len(psutil.Process(pid).net_connections(kind="tcp"))


async def run(args: argparse.Namespace) -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the service inherits it
    env = {"INTAKE_SERVER_CONNECTIONS_PER_CLIENT": "64",
           "INTAKE_SERVER_HEADER_TIMEOUT_SECONDS": str(HEADER_TIMEOUT)}  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="intake-slow-") as tmp:
        workdir = Path(tmp)
        async with (
            run_seaweedfs(workdir / "seaweedfs", STORAGE_DIR / "seaweedfs-s3.json") as s3,
            running_service(s3, workdir, 64 * MiB, intake_command(args.intake), env) as service,
        ):
            port = int(service.base_url.rsplit(":", 1)[1])
            proc = psutil.Process(service.pid)
            alone = await readers(service.base_url, args.photos, args.size)
            print(f"{args.photos} photos alone: {alone:.2f} s", flush=True)
            opened = await slow_connections(port, args.slow)
            stop = asyncio.Event()
            trickler = asyncio.create_task(trickle(opened, stop))
            held = sockets(service.pid)
            beside = await readers(service.base_url, args.photos, args.size)
            print(f"{args.photos} photos beside {args.slow} slow connections: {beside:.2f} s; "
                  f"intake held {held} TCP sockets, RSS {proc.memory_info().rss / MiB:.0f} MiB",
                  flush=True)  # fmt: skip
            deadline = time.monotonic() + HEADER_TIMEOUT * 2
            while time.monotonic() < deadline:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), 1.0)
            stop.set()
            await trickler
            closed = sum(1 for reader, _, _ in opened if reader.at_eof())
            silent_closed = sum(1 for reader, _, body in opened if reader.at_eof() and not body)
            print(f"after {HEADER_TIMEOUT * 2} s: intake closed {closed} of {args.slow} "
                  f"({silent_closed} silent ones; trickling bodies stay: they move); "
                  f"it holds {sockets(service.pid)} TCP sockets", flush=True)  # fmt: skip
            for _, writer, _ in opened:
                writer.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slow", type=int, default=500)
    parser.add_argument("--photos", type=int, default=20)
    parser.add_argument("--size", type=int, default=3 * MiB)
    parser.add_argument("--intake", help="another command to serve with (e.g. older code)")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
