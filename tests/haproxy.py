"""Debian's HAProxy on loopback: deploy/haproxy.cfg round-robin in front of two intake
nodes, or a configuration of a test's own."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
from collections.abc import AsyncIterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextlib.asynccontextmanager
async def haproxy(config: Path, env: dict[str, str], log: Path) -> AsyncIterator[str]:
    """HAProxy with ``config`` (which binds ``${LISTEN}``) and ``env``: its base URL."""
    binary = shutil.which("haproxy") or "/usr/sbin/haproxy"
    port = _free_port()
    with log.open("ab") as out:
        proc = await asyncio.create_subprocess_exec(
            binary, "-db", "-f", str(config),
            env={**os.environ, **env, "LISTEN": f"127.0.0.1:{port}"}, stdout=out, stderr=out,
        )  # fmt: skip
    try:
        for _ in range(200):
            if proc.returncode is not None:
                raise RuntimeError(f"haproxy exited: {log.read_text()[-2000:]}")
            with contextlib.suppress(OSError):
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                break
            await asyncio.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        if proc.returncode is None:
            proc.terminate()
            await proc.wait()


@contextlib.asynccontextmanager
async def round_robin(node1: str, node2: str, log: Path) -> AsyncIterator[str]:
    """The proxy's base URL, in front of ``node1`` and ``node2`` (``host:port``)."""
    config = ROOT / "deploy" / "haproxy.cfg"
    async with haproxy(config, {"NODE1": node1, "NODE2": node2}, log) as url:
        yield url
