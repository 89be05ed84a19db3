"""A real clamd for the tests, on a unix socket in a temp dir, with a signature
database of our own (the EICAR test signature): no signature download needed."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
SIGNATURE = "Eicar-Test-Signature"


def clamd_binary() -> str:
    """The clamd program; skips the test where it is missing, except in CI."""
    found = shutil.which("clamd") or ("/usr/sbin/clamd" if Path("/usr/sbin/clamd").exists() else "")
    if not found:
        reason = "clamd not installed (Debian package clamav-daemon; make test installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return found


def write_config(root: Path, stream_max: str = "50M") -> Path:
    database = root / "db"
    database.mkdir()
    # An extended signature: any file type (0), anywhere (*), these bytes.
    (database / "intake-test.ndb").write_text(f"{SIGNATURE}:0:*:{EICAR.hex()}\n")
    config = root / "clamd.conf"
    config.write_text(
        f"LocalSocket {root / 'clamd.sock'}\n"
        f"DatabaseDirectory {database}\n"
        f"LogFile {root / 'clamd.log'}\n"
        f"PidFile {root / 'clamd.pid'}\n"
        f"TemporaryDirectory {root}\n"
        "Foreground yes\n"
        f"StreamMaxLength {stream_max}\n"
        "MaxThreads 2\n"
    )
    return config


async def _pong(socket: Path) -> bool:
    try:
        reader, writer = await asyncio.open_unix_connection(str(socket))
    except OSError:
        return False
    writer.write(b"zPING\0")
    await writer.drain()
    answer = await reader.read(16)
    writer.close()
    return answer.startswith(b"PONG")


@asynccontextmanager
async def running_clamd(root: Path, stream_max: str = "50M") -> AsyncIterator[Path]:
    """clamd started on ``root``; yields its socket path; stopped (by pid) after."""
    binary = clamd_binary()
    config = write_config(root, stream_max)
    log = (root / "clamd.out").open("wb")
    proc = await asyncio.create_subprocess_exec(binary, "-c", str(config), stdout=log, stderr=log)
    socket = root / "clamd.sock"
    try:
        for _ in range(600):
            if proc.returncode is not None:
                raise RuntimeError(f"clamd exited: {(root / 'clamd.out').read_text()[-2000:]}")
            if socket.exists() and await _pong(socket):
                break
            await asyncio.sleep(0.1)
        else:
            raise RuntimeError("clamd did not answer PING within 60 s")
        yield socket
    finally:
        if proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 10)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        log.close()
