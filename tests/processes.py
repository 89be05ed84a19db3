"""`intake serve` as a real process on a free loopback port, for multi-instance tests."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from intake.adapters.embedded.seaweedfs import EmbeddedS3
from tests.conftest import TEST_MASTER_KEY

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class ServeProcess:
    proc: asyncio.subprocess.Process
    base: str
    env: dict[str, str]
    log: Path

    async def stop(self, sig: int = signal.SIGINT) -> None:
        if self.proc.returncode is None:
            self.proc.send_signal(sig)
            try:
                await asyncio.wait_for(self.proc.wait(), 30)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()


def shared_env(
    seaweedfs: EmbeddedS3, bucket: str, database_url: str, **extra: str
) -> dict[str, str]:
    """Settings for instances that share one bucket and one database."""
    env = {
        "INTAKE_S3_ENDPOINT": seaweedfs.endpoint,
        "INTAKE_S3_ACCESS_KEY_ID": seaweedfs.access_key_id,
        "INTAKE_S3_SECRET_ACCESS_KEY": seaweedfs.secret_access_key,
        "INTAKE_S3_BUCKET": bucket,
        "INTAKE_DATABASE_URL": database_url,
        "INTAKE_SERVER_STORAGE_DIR": str(ROOT / "storage"),
        "INTAKE_SERVER_LOG_LEVEL": "warning",
        "INTAKE_SERVER_ADDRESS_SECRET": "the instances' shared address secret",
        "INTAKE_KEYS_MASTER_KEY": TEST_MASTER_KEY,  # the same as the tests' own app
        "INTAKE_WORKERS_IN_PROCESS": "false",  # the tests that want workers start them
        "INTAKE_OPERATIONS_METRICS_LISTEN": "",  # nodes side by side would share its port
    }
    env.update({f"INTAKE_{k.upper()}": v for k, v in extra.items()})
    return env


async def start_intake(env: dict[str, str], workdir: Path) -> ServeProcess:
    port = free_port()
    full = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
    full.update(env)
    full.update(INTAKE_SERVER_PORT=str(port), INTAKE_SERVER_DATA_DIR=str(workdir / f"var-{port}"))
    log = workdir / f"serve-{port}.log"
    with log.open("wb") as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "intake", "serve", cwd=ROOT, env=full, stdout=out, stderr=out
        )
    served = ServeProcess(proc, f"http://127.0.0.1:{port}", full, log)
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            if proc.returncode is not None:
                raise RuntimeError(f"intake serve exited: {log.read_text()[-2000:]}")
            try:
                async with http.get(served.base + "/readyz") as response:
                    if response.status == 200:
                        return served
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    await served.stop(signal.SIGKILL)
    raise RuntimeError("intake serve did not become ready")
