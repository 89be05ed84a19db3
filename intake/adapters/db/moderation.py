""":class:`intake.moderation.ports.ModerationQueue` on SQLAlchemy Core.

A claim is one statement: ``UPDATE submissions SET <lease> WHERE id = (SELECT id ...
ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED) AND state = <queue> RETURNING *``.
PostgreSQL lets concurrent claimers skip each other's rows; SQLite ignores the locking
clause, and is just as safe because its writers take turns (see ``transactions``) and the
outer ``state`` condition re-checks the row. Lapsed leases are returned to their queue
(with an audit entry each) in the same transaction, before the claim.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from intake.adapters.db.audit import audit_row
from intake.adapters.db.outbox import write_event
from intake.adapters.db.schema import audit_log, files, submissions
from intake.adapters.db.submissions import submission_from
from intake.adapters.db.transactions import Database
from intake.moderation.ports import QueueFilter
from intake.submissions.records import AuditEntry, Submission, SubmissionState
from intake.webhooks.records import OutboxEvent

IN_REVIEW = SubmissionState.IN_REVIEW.value
SWEEP_BATCH = 100
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
        async with self._db.transaction() as conn:
            await return_lapsed(conn, now)
            row = (await conn.execute(statement)).first()
            if row is None:
                return None
            claimed = submission_from(row)
            entry = AuditEntry(
                claimed.id,
                now,
                actor,
                "claimed",
                queue,
                SubmissionState.IN_REVIEW,
                {"lease_expires_at": until.isoformat()},
            )
            await conn.execute(insert(audit_log), [audit_row(entry)])  # fmt: skip
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
        async with self._db.transaction() as conn:
            result = await conn.execute(
                update(submissions).where(_held_by(submission_id, holder, now)).values(**values)
            )
            if result.rowcount != 1:
                return False
            await conn.execute(insert(audit_log), [audit_row(audit)])
            if event is not None:
                await write_event(conn, event, self._urls)
        return True
