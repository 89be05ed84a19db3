"""The ports of the safeguards: stored first answers and rate counters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import Enum
from typing import Protocol

from intake.safeguards.records import StoredAnswer


class InProgress(Enum):
    IN_PROGRESS = "in_progress"


class IdempotencyRepository(Protocol):
    """First answers to requests that carried an ``Idempotency-Key``.

    Keys are stored as hashes; answers are sealed by the service with the key itself.
    """

    async def reserve(
        self, scope: str, key_hash: str, now: dt.datetime, expires_at: dt.datetime
    ) -> StoredAnswer | InProgress | None:
        """Claim the key (``None``), or say it is taken: by a request still running
        (``IN_PROGRESS``) or by an answer (the :class:`StoredAnswer`). Expired keys are free."""

    async def complete(self, scope: str, key_hash: str, answer: StoredAnswer) -> None:
        """Store the answer of the request that reserved the key."""

    async def forget(self, scope: str, key_hash: str) -> None:
        """Free a key whose request failed, so that a retry runs again."""

    async def purge(self, now: dt.datetime) -> int:
        """Delete expired keys; return how many."""


class RateCounter(Protocol):
    """Requests counted per key and fixed time window, across every instance."""

    async def hit(self, keys: Sequence[str], window_start: dt.datetime) -> list[int]:
        """Count one more request in this window under each of ``keys`` (distinct), all
        at once; return each count so far, in the order of ``keys``."""

    async def refund(self, key: str, window_start: dt.datetime) -> None:
        """Take one request back from this window's count (one that was not accepted)."""

    async def purge(self, before: dt.datetime) -> int:
        """Forget windows that started before ``before``."""
