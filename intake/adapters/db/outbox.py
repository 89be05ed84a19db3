""":class:`intake.webhooks.ports.Outbox` on SQLAlchemy Core: events written beside the change they
announce, and their webhook deliveries held by one dispatcher at a time (a lease)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, and_, delete, exists, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from intake.adapters.db.schema import outbox_events, webhook_deliveries
from intake.adapters.db.transactions import Database
from intake.webhooks.records import Delivery, OutboxEvent


def event_rows(event: OutboxEvent, urls: Sequence[str]) -> list[tuple[Table, dict[str, Any]]]:
    """The rows that record ``event``: the event, and one pending delivery per URL."""
    rows: list[tuple[Table, dict[str, Any]]] = [(outbox_events, {
        "id": event.id, "type": event.type, "submission_id": event.submission_id,
        "created_at": event.created_at, "data": event.data})]  # fmt: skip
    rows.extend(
        (webhook_deliveries, {"event_id": event.id, "url": url, "attempts": 0,
                              "next_attempt_at": event.created_at, "lease_holder": "",
                              "lease_expires_at": None, "delivered_at": None,
                              "last_error": ""})
        for url in urls
    )  # fmt: skip
    return rows


async def write_event(conn: AsyncConnection, event: OutboxEvent, urls: Sequence[str]) -> None:
    """Insert ``event`` and one pending delivery per URL, inside the caller's transaction."""
    for table, row in event_rows(event, urls):
        await conn.execute(insert(table), [row])


def _event_from(m: Any) -> OutboxEvent:
    return OutboxEvent(m["event_id"], m["type"], m["submission_id"], m["created_at"], m["data"])


class SqlOutbox:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def take_due(
        self, holder: str, now: dt.datetime, until: dt.datetime, limit: int = 20
    ) -> list[Delivery]:
        d = webhook_deliveries
        due = (
            select(d.c.id)
            .where(
                d.c.delivered_at.is_(None),
                d.c.next_attempt_at <= now,
                or_(d.c.lease_expires_at.is_(None), d.c.lease_expires_at <= now),
            )
            .order_by(d.c.next_attempt_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        async with self._db.transaction() as conn:
            ids = [row.id for row in await conn.execute(due)]
            if not ids:
                return []
            await conn.execute(
                update(d)
                .where(d.c.id.in_(ids), d.c.delivered_at.is_(None))
                .values(lease_holder=holder, lease_expires_at=until)
            )
            rows = await conn.execute(
                select(d.c.id, d.c.url, d.c.attempts, outbox_events.c.type,
                       outbox_events.c.submission_id, outbox_events.c.created_at,
                       outbox_events.c.data, d.c.event_id)
                .join_from(d, outbox_events, d.c.event_id == outbox_events.c.id)
                .where(d.c.id.in_(ids))
                .order_by(outbox_events.c.created_at, d.c.id)
            )  # fmt: skip
            return [Delivery(r.id, _event_from(r._mapping), r.url, r.attempts) for r in rows]

    def _held(self, delivery_id: int, holder: str) -> Any:
        d = webhook_deliveries
        return and_(d.c.id == delivery_id, d.c.lease_holder == holder, d.c.delivered_at.is_(None))

    async def purge(self, before: dt.datetime) -> int:
        d, e = webhook_deliveries.c, outbox_events.c
        async with self._db.transaction() as conn:
            await conn.execute(delete(webhook_deliveries).where(d.delivered_at < before))
            events = await conn.execute(
                delete(outbox_events).where(
                    e.created_at < before,
                    ~exists().where(d.event_id == e.id),
                )
            )
        return int(events.rowcount)

    async def delivered(self, delivery_id: int, holder: str, now: dt.datetime) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                update(webhook_deliveries)
                .where(self._held(delivery_id, holder))
                .values(delivered_at=now, attempts=webhook_deliveries.c.attempts + 1,
                        lease_holder="", lease_expires_at=None, last_error="")
            )  # fmt: skip

    async def failed(
        self, delivery_id: int, holder: str, retry_at: dt.datetime, error: str
    ) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                update(webhook_deliveries)
                .where(self._held(delivery_id, holder))
                .values(next_attempt_at=retry_at, attempts=webhook_deliveries.c.attempts + 1,
                        lease_holder="", lease_expires_at=None, last_error=error[:500])
            )  # fmt: skip

    async def events_of(self, submission_id: str) -> list[OutboxEvent]:
        e = outbox_events
        query = select(e).where(e.c.submission_id == submission_id).order_by(e.c.created_at)
        async with self._db.read() as conn:
            return [
                OutboxEvent(r.id, r.type, r.submission_id, r.created_at, r.data)
                for r in await conn.execute(query)
            ]

    async def pending_count(self) -> int:
        d = webhook_deliveries
        async with self._db.read() as conn:
            query = select(func.count()).select_from(d).where(d.c.delivered_at.is_(None))
            return int((await conn.execute(query)).scalar_one())
