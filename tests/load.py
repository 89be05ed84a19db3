"""Uploads under way when something fails: each sends half its body, waits at a gate
(so that all are mid-body when the test breaks a dependency or a node), then the rest.
What each got back is kept for the test to hold against the bucket and the database."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from intake.core.object_store import ObjectStore
from intake.core.settings.loading import load_settings
from intake.wiring.database import open_database, repositories
from intake.wiring.keys import key_ring, sealing

JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
CHUNK = 256 * 1024


@dataclass
class Sent:
    data: bytes
    status: int = 0
    body: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    error: str = ""

    @property
    def acknowledged(self) -> bool:
        return self.status == 201


class Load:
    """``count`` multipart uploads of ``size`` bytes each; upload ``i`` waits at ``gates[i %
    groups]`` once it has sent the fraction ``at`` of its body."""

    def __init__(self, count: int, size: int, groups: int = 1, at: float = 0.5) -> None:
        self.sent = [Sent(JPEG_HEAD + os.urandom(size - len(JPEG_HEAD))) for _ in range(count)]
        self.gates = [asyncio.Event() for _ in range(groups)]
        self._at = at
        self._halfway = 0
        self.all_halfway = asyncio.Event()

    @property
    def gate(self) -> asyncio.Event:
        return self.gates[0]

    async def _body(self, data: bytes, gate: asyncio.Event) -> AsyncIterator[bytes]:
        half = int(len(data) * self._at)
        for start in range(0, half, CHUNK):
            yield data[start : min(start + CHUNK, half)]
        self._halfway += 1
        if self._halfway == len(self.sent):
            self.all_halfway.set()
        await gate.wait()
        for start in range(half, len(data), CHUNK):
            yield data[start : start + CHUNK]

    async def _send(self, http: aiohttp.ClientSession, base: str, index: int) -> None:
        sent = self.sent[index]
        gate = self.gates[index % len(self.gates)]
        form = aiohttp.FormData()
        form.add_field("consent_terms", "true")
        form.add_field("story", "The bridge flooded")
        form.add_field("files", self._body(sent.data, gate), filename="p.jpg",
                       content_type="image/jpeg")  # fmt: skip
        try:
            async with http.post(base + "/api/v1/submissions", data=form) as response:
                sent.status, sent.headers = response.status, dict(response.headers)
                if response.content_type.endswith("json"):
                    sent.body = await response.json()
        except (aiohttp.ClientError, ConnectionError) as exc:
            sent.error = type(exc).__name__
        finally:
            if not self.all_halfway.is_set():  # failed before halfway: do not hold the rest
                self._halfway += 1
                if self._halfway >= len(self.sent):
                    self.all_halfway.set()

    def start(self, http: aiohttp.ClientSession, base: str) -> list[asyncio.Task[None]]:
        """One task per upload, in order."""
        return [asyncio.create_task(self._send(http, base, i)) for i in range(len(self.sent))]

    async def run(self, http: aiohttp.ClientSession, base: str) -> None:
        await asyncio.gather(*self.start(http, base))

    def acknowledged(self) -> list[Sent]:
        return [s for s in self.sent if s.acknowledged]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@contextlib.asynccontextmanager
async def as_intake_reads(env: dict[str, str], store: ObjectStore) -> AsyncIterator[ObjectStore]:
    """``store`` read as intake reads it (objects are sealed with their submission's key,
    which is in the database named by ``env``)."""
    settings = load_settings(None, env)
    async with open_database(settings) as database:
        repos = repositories(database, settings)
        with sealing(settings, store, key_ring(settings, repos)) as sealed:
            yield sealed
