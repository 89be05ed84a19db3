""":class:`intake.moderation.ports.ModerationQueue` on SQLAlchemy Core.

A claim is one statement: ``UPDATE submissions SET <lease> WHERE id = (SELECT id ...
ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED) AND state = <queue> RETURNING *``.
PostgreSQL lets concurrent claimers skip each other's rows; SQLite ignores the locking
clause, and is just as safe because its writers take turns (see ``transactions``) and the
outer ``state`` condition re-checks the row. On PostgreSQL the claim, and each change of
a held submission, is written together with its audit entry (and event) as one
autocommit statement (:mod:`.logged_change`): one round trip each. Lapsed leases are
returned to their queue (with an audit entry each) before a claim, at most once a second.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from intake.adapters.db.audit import audit_row
from intake.adapters.db.logged_change import CHANGED_ID, logged_change
from intake.adapters.db.outbox import event_rows, write_event
from intake.adapters.db.schema import audit_log, files, submissions
from intake.adapters.db.submissions import submission_from
from intake.adapters.db.transactions import Database
from intake.moderation.ports import QueueFilter
from intake.submissions.records import AuditEntry, Submission, SubmissionState
from intake.webhooks.records import OutboxEvent

IN_REVIEW = SubmissionState.IN_REVIEW.value
SWEEP_BATCH = 100
SWEEP_EVERY = dt.timedelta(seconds=1)
"""Claims look for lapsed leases to return at most this often (per process): a lapsed
submission waits up to this long more, and most claims save the sweep's round trip."""
_FREE = {"lease_holder": "", "lease_expires_at": None, "claimed_from": None}


def _held_by(submission_id: str, holder: str, now: dt.datetime) -> ColumnElement[bool]:
    s = submissions.c
    return and_(s.id == submission_id, s.state == IN_REVIEW, s.lease_holder == holder,
                s.lease_expires_at > now)  # fmt: skip


async def return_lapsed(conn: AsyncConnection, now: dt.datetime) -> int:
    """Put submissions whose lease ran out back in their queue, each with an audit entry."""
    s = submissions.c
    lapsed = (
        select(s.id, s.lease_holder, s.claimed_from)
        .where(s.state == IN_REVIEW, s.lease_expires_at <= now)
        .limit(SWEEP_BATCH)
        .with_for_update(skip_locked=True, of=submissions)
    )
    rows = (await conn.execute(lapsed)).all()
    entries = []
    for row in rows:
        back_to = row.claimed_from or SubmissionState.PENDING_REVIEW.value
        done = await conn.execute(
            update(submissions)
            .where(s.id == row.id, s.state == IN_REVIEW, s.lease_expires_at <= now)
            .values(state=back_to, updated_at=now, **_FREE)
        )
        if done.rowcount == 1:
            entries.append(
                AuditEntry(row.id, now, "system", "lease_expired", SubmissionState.IN_REVIEW,
                           SubmissionState(back_to), {"holder": row.lease_holder})
            )  # fmt: skip
    if entries:
        await conn.execute(insert(audit_log), [audit_row(a) for a in entries])
    return len(entries)


class SqlModerationQueue:
    def __init__(self, database: Database, webhook_urls: Sequence[str] = ()) -> None:
        self._db = database
        self._urls = tuple(webhook_urls)
        self._swept_at: dt.datetime | None = None

    def _sweep_due(self, now: dt.datetime) -> bool:
        last = self._swept_at
        if last is None or now - last >= SWEEP_EVERY or now < last:
            self._swept_at = now
            return True
        return False

    async def return_lapsed(self, now: dt.datetime) -> int:
        async with self._db.transaction() as conn:
            return await return_lapsed(conn, now)

    async def claim(
        self,
        queue: SubmissionState,
        holder: str,
        actor: str,
        *,
        until: dt.datetime,
        now: dt.datetime,
        filters: QueueFilter,
    ) -> Submission | None:
        s = submissions.c
        oldest = select(s.id).where(s.state == queue.value)
        if filters.locale:
            oldest = oldest.where(s.locale == filters.locale)
        if filters.kind:
            oldest = oldest.where(
                exists().where(files.c.submission_id == s.id, files.c.kind == filters.kind)
            )
        if filters.skip:
            oldest = oldest.where(s.id.not_in(filters.skip))
        oldest = (
            oldest.order_by(s.created_at).limit(1).with_for_update(skip_locked=True, of=submissions)
        )
        statement = (
            update(submissions)
            .where(s.id == oldest.scalar_subquery(), s.state == queue.value)
            .values(state=IN_REVIEW, lease_holder=holder, lease_expires_at=until,
                    claimed_from=queue.value, updated_at=now)
            .returning(*submissions.c)
        )  # fmt: skip
        entry = AuditEntry("", now, actor, "claimed", queue, SubmissionState.IN_REVIEW,
                           {"lease_expires_at": until.isoformat()})  # fmt: skip
        if self._db.postgres:
            if self._sweep_due(now):
                await self.return_lapsed(now)
            audit = {**audit_row(entry), "submission_id": CHANGED_ID}
            async with self._db.statement() as conn:
                row = (await conn.execute(logged_change(statement, [(audit_log, audit)]))).first()
            return submission_from(row) if row is not None else None
        async with self._db.transaction() as conn:
            if self._sweep_due(now):
                await return_lapsed(conn, now)
            row = (await conn.execute(statement)).first()
            if row is None:
                return None
            claimed = submission_from(row)
            entry = dataclasses.replace(entry, submission_id=claimed.id)
            await conn.execute(insert(audit_log), [audit_row(entry)])
        return claimed

    async def renew(
        self,
        submission_id: str,
        holder: str,
        *,
        until: dt.datetime,
        now: dt.datetime,
        audit: AuditEntry,
    ) -> bool:
        return await self._change_held(
            submission_id, holder, now, audit, None, {"lease_expires_at": until}
        )

    async def release(
        self, submission_id: str, holder: str, *, now: dt.datetime, audit: AuditEntry
    ) -> bool:
        values = {"state": submissions.c.claimed_from, "updated_at": now, **_FREE}
        return await self._change_held(submission_id, holder, now, audit, None, values)

    async def decide(
        self,
        submission_id: str,
        holder: str,
        *,
        now: dt.datetime,
        audit: AuditEntry,
        event: OutboxEvent,
    ) -> bool:
        assert audit.to_state is not None
        values = {"state": audit.to_state.value, "updated_at": now, **_FREE}
        return await self._change_held(submission_id, holder, now, audit, event, values)

    async def record(self, audit: AuditEntry) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(insert(audit_log), [audit_row(audit)])

    async def _change_held(
        self,
        submission_id: str,
        holder: str,
        now: dt.datetime,
        audit: AuditEntry,
        event: OutboxEvent | None,
        values: dict[str, Any],
    ) -> bool:
        """Change a submission only while ``holder``'s lease on it runs, with its audit
        entry (and event) in the same transaction; ``False`` when the lease is not held."""
        change = update(submissions).where(_held_by(submission_id, holder, now)).values(**values)
        if self._db.postgres:
            writes = [(audit_log, audit_row(audit))]
            if event is not None:
                writes.extend(event_rows(event, self._urls))
            statement = logged_change(change.returning(submissions.c.id), writes)
            async with self._db.statement() as conn:
                return (await conn.execute(statement)).first() is not None
        async with self._db.transaction() as conn:
            if (await conn.execute(change)).rowcount != 1:
                return False
            await conn.execute(insert(audit_log), [audit_row(audit)])
            if event is not None:
                await write_event(conn, event, self._urls)
        return True
