"""What the safeguards keep: first answers to idempotent requests."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StoredAnswer:
    """The first answer to an idempotent request, sealed with the client's key."""

    fingerprint: str
    status: int
    sealed_body: bytes
    location: str
