"""`intake serve` on embedded defaults: it runs SeaweedFS itself and stops it on exit."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import stat
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


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[dict[str, Any]]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
    env.update(INTAKE_SERVER_PORT=str(port), INTAKE_SERVER_DATA_DIR=str(tmp_path / "var"))
    log = (tmp_path / "serve.log").open("wb")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "intake", "serve", cwd=ROOT, env=env, stdout=log, stderr=log
    )
    try:
        await wait_ready(f"http://127.0.0.1:{port}", proc)
        weed = [c for c in psutil.Process(proc.pid).children() if c.name() == "weed"]
        yield {"base": f"http://127.0.0.1:{port}", "proc": proc, "weed": weed,
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


async def test_serve_runs_embedded_storage_end_to_end(served: dict[str, Any]) -> None:
    base = served["base"]
    (weed,) = served["weed"]
    assert all(
        c.laddr.ip == "127.0.0.1" for c in weed.net_connections("tcp") if c.status == "LISTEN"
    )
    async with aiohttp.ClientSession() as http:
        async with http.get(base + "/") as page:
            assert page.status == 200
        form = aiohttp.FormData()
        form.add_field("consent_terms", "true")
        form.add_field("files", JPEG_HEAD + os.urandom(5000), filename="p.jpg")
        async with http.post(base + "/submit", data=form, allow_redirects=False) as response:
            assert response.status == 200
            receipt = await response.text()
        reference = re.search(r'data-slot="reference">([0-9A-Z-]+)<', receipt)
        key = re.search(r'data-slot="key">([^<]+)<', receipt)
        assert reference and key
        async with http.get(f"{base}/en/receipt/{reference[1]}") as page:
            assert page.status == 200

    data: Path = served["data"]
    assert (data / "intake.db").is_file()
    credentials = data / "seaweedfs" / "credentials.json"
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    secret = json.loads(credentials.read_text())["secret_access_key"]

    served["proc"].send_signal(signal.SIGINT)
    assert await asyncio.wait_for(served["proc"].wait(), 30) == 0
    assert not weed.is_running() or weed.status() == psutil.STATUS_ZOMBIE
    assert secret not in served["log"].read_text(), "no credential in the logs"
    assert key[1] not in served["log"].read_text(), "no submitter key in the logs"


async def test_a_bad_setting_stops_start_up_naming_the_key(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
    env["INTAKE_LIMITS_PHOTO_MAX_BYTES"] = "lots"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "intake", "serve", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 2
    assert b"limits.photo_max_bytes" in err
