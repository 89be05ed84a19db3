"""The ports of webhooks: the event outbox and the sender.

Each is a ``typing.Protocol`` whose docstrings state the contract."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Protocol

from intake.webhooks.records import Delivery


class Outbox(Protocol):
    """Webhook deliveries of outbox events, each held by one dispatcher while it sends."""

    async def take_due(
        self, holder: str, now: dt.datetime, until: dt.datetime, limit: int = 20
    ) -> list[Delivery]:
        """Lease up to ``limit`` undelivered, due deliveries to ``holder`` until ``until``."""

    async def purge(self, before: dt.datetime) -> int:
        """Forget deliveries acknowledged before ``before`` and events older than that with
        none left to deliver; returns how many events went."""
        ...

    async def delivered(self, delivery_id: int, holder: str, now: dt.datetime) -> None:
        """Mark a held delivery done (no-op when the lease was lost)."""

    async def failed(
        self, delivery_id: int, holder: str, retry_at: dt.datetime, error: str
    ) -> None:
        """Give a held delivery up until ``retry_at``."""


class WebhookSender(Protocol):
    """Sends one webhook request."""

    async def send(self, url: str, body: bytes, headers: Mapping[str, str]) -> str | None:
        """POST ``body``; ``None`` when the receiver answered 2xx, else what went wrong."""
