"""A PostgreSQL server of the test's own (initdb in a temporary directory, a free loopback
port), so that a test may stop, kill or restart it without touching anyone else's."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path

BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), Path("/usr/lib/postgresql"))
OWNER = "postgres"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def _run(*args: str, check: bool = True) -> None:
    """Run a PostgreSQL program as its owner (the server refuses to run as root)."""
    command = list(args)
    if os.geteuid() == 0:
        command = ["runuser", "-u", OWNER, "--", *command]
    proc = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await proc.communicate()
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: {out.decode()[-2000:]}")


@dataclass
class PostgresCluster:
    directory: Path
    port: int

    @property
    def data(self) -> Path:
        return self.directory / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+asyncpg://{OWNER}@127.0.0.1:{self.port}/{database}"

    async def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        await _run(str(BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.directory / "log"),
                   "-o", options, "-w", "-t", "60", "start")  # fmt: skip

    async def stop(self, mode: str = "fast") -> None:
        await _run(str(BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop",
                   check=False)  # fmt: skip

    async def restart(self) -> None:
        await self.stop("immediate")
        await self.start()


async def new_cluster() -> PostgresCluster:
    """An initialised, started cluster with trust auth on loopback, in a directory of its
    own under the system's temporary directory (the server's owner must reach it; a
    test's own temporary directory is private to root). :func:`remove` takes it away."""
    if not (BIN / "initdb").exists():
        raise RuntimeError(f"PostgreSQL's programs are not at {BIN}")
    directory = Path(tempfile.mkdtemp(prefix="intake-pg-"))
    if os.geteuid() == 0:
        shutil.chown(directory, OWNER, OWNER)
    cluster = PostgresCluster(directory, _free_port())
    await _run(str(BIN / "initdb"), "-D", str(cluster.data), "-A", "trust", "-U", OWNER,
               "--no-sync", "-E", "UTF8")  # fmt: skip
    await cluster.start()
    return cluster


async def remove(cluster: PostgresCluster) -> None:
    await cluster.stop("immediate")
    shutil.rmtree(cluster.directory, ignore_errors=True)
