"""Peers run beside intake in the upload benchmark, on the same SeaweedFS and bucket.

``@tus/server`` with ``@tus/s3-store`` (npm, pinned in ``bench/peers/package-lock.json``,
installed by ``make bench-peers`` into ``bench/peers/node_modules``) serves tus 1.0 at
``/files``: the same creation and PATCHes as intake's tus door, without intake's draft,
sniffing, hashing, database or submit.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp

PEERS = Path(__file__).resolve().parent / "peers"


@dataclass(frozen=True)
class Peer:
    name: str
    base: str
    """The tus creation URL."""
    pid: int


def peers_installed() -> bool:
    return shutil.which("node") is not None and (PEERS / "node_modules" / "@tus").is_dir()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextlib.asynccontextmanager
async def tus_node_peer(
    endpoint: str, bucket: str, key_id: str, secret: str, part_size: int, log: Path
) -> AsyncIterator[Peer]:
    """``@tus/server`` + ``@tus/s3-store`` on a free loopback port until the block ends."""
    port = _free_port()
    env = {**os.environ, "PEER_PORT": str(port), "S3_ENDPOINT": endpoint, "S3_BUCKET": bucket,
           "S3_ACCESS_KEY_ID": key_id, "S3_SECRET_ACCESS_KEY": secret,
           "PART_SIZE": str(part_size)}  # fmt: skip
    with log.open("ab") as out:
        proc = await asyncio.create_subprocess_exec(
            "node", str(PEERS / "tus_server.mjs"), cwd=PEERS, env=env, stdout=out, stderr=out
        )
    base = f"http://127.0.0.1:{port}/files"
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(200):
                if proc.returncode is not None:
                    raise RuntimeError(f"the tus peer exited: {log.read_text()[-2000:]}")
                with contextlib.suppress(aiohttp.ClientError):
                    async with http.options(base) as answer:
                        if answer.status < 500:
                            break
                await asyncio.sleep(0.05)
        yield Peer("@tus/server + @tus/s3-store", base, proc.pid)
    finally:
        if proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 10)
            except TimeoutError:
                proc.kill()
                await proc.wait()
