"""`intake serve` on embedded defaults as a real process, and commands run beside it."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import psutil
import pytest

from tests.conftest import ROOT

JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def wait_ready(base: str, proc: asyncio.subprocess.Process) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            if proc.returncode is not None:
                pytest.fail(f"intake serve exited with {proc.returncode}")
            try:
                async with http.get(f"{base}/readyz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    pytest.fail("intake serve did not become ready in 60 s")


@contextlib.asynccontextmanager
async def serving(tmp_path: Path, overrides: dict[str, str]) -> AsyncIterator[dict[str, Any]]:
    """``intake serve`` on embedded defaults, with ``INTAKE_*`` ``overrides``."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
    env.update(INTAKE_SERVER_PORT=str(port), INTAKE_SERVER_DATA_DIR=str(tmp_path / "var"),
               INTAKE_OPERATIONS_METRICS_LISTEN="")  # fmt: skip
    env.update(overrides)
    log = (tmp_path / "serve.log").open("wb")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "intake", "serve", cwd=ROOT, env=env, stdout=log, stderr=log
    )
    try:
        await wait_ready(f"http://127.0.0.1:{port}", proc)
        weed = [c for c in psutil.Process(proc.pid).children() if c.name() == "weed"]
        yield {"base": f"http://127.0.0.1:{port}", "proc": proc, "weed": weed, "env": env,
               "data": tmp_path / "var", "log": tmp_path / "serve.log"}  # fmt: skip
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(proc.wait(), 30)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        log.close()


def weeds_on(data: Path) -> list[psutil.Process]:
    """Every SeaweedFS process with its data under ``data``."""
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if proc.info["name"] == "weed" and any(str(data) in arg for arg in cmdline):
            found.append(proc)
    return found


async def intake(served: dict[str, Any], *args: str, stdin: bytes = b"") -> tuple[int, str, str]:
    """Run another ``intake`` command on the serve's data directory and settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
    env.update(INTAKE_SERVER_DATA_DIR=str(served["data"]))
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "intake", *args, cwd=ROOT, env=env,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(stdin), 120)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()
