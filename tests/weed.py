"""A SeaweedFS server of the test's own that can be killed and started again on the same
ports and data, so that a running ``intake serve`` sees its storage go and come back."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from intake.adapters.embedded import seaweedfs as embedded
from intake.adapters.embedded.security import weed_environment

ROOT = Path(__file__).resolve().parents[1]
IDENTITY = ROOT / "storage" / "seaweedfs-s3.json"


@dataclass
class Weed:
    directory: Path
    ports: dict[str, int]
    access_key_id: str = ""
    secret_access_key: str = ""
    proc: asyncio.subprocess.Process | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports['s3.port']}"

    async def start(self) -> None:
        data, self.access_key_id, self.secret_access_key = await asyncio.to_thread(
            embedded._prepare, self.directory, IDENTITY
        )
        args = embedded.weed_arguments(data / "data", data / "s3-identity.json", self.ports)
        with (data / "weed.log").open("ab") as log:
            self.proc = await asyncio.create_subprocess_exec(
                embedded.find_weed(), *args, stdin=asyncio.subprocess.DEVNULL, stdout=log,
                stderr=log, cwd=data, env=weed_environment(),
            )  # fmt: skip
        await embedded._wait_until_answering(self.endpoint, self.proc, 60)

    async def kill(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()


@contextlib.asynccontextmanager
async def own_weed(directory: Path) -> AsyncIterator[Weed]:
    names = embedded._PORT_NAMES
    weed = Weed(directory, dict(zip(names, embedded.free_ports(len(names)), strict=True)))
    await weed.start()
    try:
        yield weed
    finally:
        await weed.kill()
