"""Idempotent requests: a retry with the same ``Idempotency-Key`` gets the first answer.

A key is reserved before the request runs, so two requests with one key never both
run (the second is told to retry). The first answer is kept for a day, encrypted with
a key derived from the Idempotency-Key itself, which the database stores only as a
hash: the answer holds the submitter token, and nobody who reads the database can
recover it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from intake.core.clock import Clock, utcnow
from intake.core.errors import Conflict
from intake.safeguards.ports import IdempotencyRepository, InProgress
from intake.safeguards.records import StoredAnswer

_NONCE = 12


def fingerprint(fields: Mapping[str, str], files: Sequence[tuple[str, str]] = ()) -> str:
    """What makes two requests the same: their fields and their files' names and bytes."""
    canonical = json.dumps({"fields": dict(sorted(fields.items())), "files": list(files)},
                           ensure_ascii=False, separators=(",", ":"))  # fmt: skip
    return hashlib.sha256(canonical.encode()).hexdigest()


def _cipher(scope: str, key: str) -> AESGCM:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=scope.encode(), info=b"intake idempotency"
    ).derive(key.encode())
    return AESGCM(derived)


def _key_hash(scope: str, key: str) -> str:
    return hashlib.sha256(f"{scope}\0{key}".encode()).hexdigest()


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    location: str


class Idempotency:
    def __init__(
        self, repository: IdempotencyRepository, ttl: dt.timedelta, clock: Clock = utcnow
    ) -> None:
        self._repository = repository
        self._ttl = ttl
        self._clock = clock

    async def begin(self, scope: str, key: str) -> StoredAnswer | None:
        """Reserve the key (``None``: run the request) or return the stored answer."""
        now = self._clock()
        found = await self._repository.reserve(scope, _key_hash(scope, key), now, now + self._ttl)
        if found is InProgress.IN_PROGRESS:
            raise Conflict(
                "A request with this Idempotency-Key is still running; retry in a moment.",
                retry_after_seconds=2,
            )
        return found

    def open(self, scope: str, key: str, stored: StoredAnswer) -> Answer:
        sealed = stored.sealed_body
        body = _cipher(scope, key).decrypt(sealed[:_NONCE], sealed[_NONCE:], None)
        return Answer(stored.status, body, stored.location)

    async def finish(self, scope: str, key: str, print_: str, answer: Answer) -> None:
        nonce = os.urandom(_NONCE)
        sealed = nonce + _cipher(scope, key).encrypt(nonce, answer.body, None)
        stored = StoredAnswer(print_, answer.status, sealed, answer.location)
        await self._repository.complete(scope, _key_hash(scope, key), stored)

    async def forget(self, scope: str, key: str) -> None:
        await self._repository.forget(scope, _key_hash(scope, key))

    async def purge(self) -> int:
        return await self._repository.purge(self._clock())
