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
import functools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import BindParameter, Update, and_, bindparam, exists, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from intake.adapters.db.audit import audit_row
from intake.adapters.db.logged_change import CHANGED_ID, LoggedChanges
from intake.adapters.db.moderation_views import verification_filters
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


def _claim_change(
    queue: str, by_locale: bool, by_kind: bool, by_skip: bool, flag: str, credentials: str
) -> Update:
    """Claim the oldest submission waiting in ``queue`` (parameters ``c_holder``,
    ``c_until``, ``c_now``, and ``c_locale``/``c_kind``/``c_skip`` when filtered by them);
    ``flag`` and ``credentials`` (from fixed sets) are part of the statement."""
    s = submissions.c
    oldest = select(s.id).where(s.state == queue)
    if by_locale:
        oldest = oldest.where(s.locale == bindparam("c_locale"))
    if by_kind:
        oldest = oldest.where(
            exists().where(files.c.submission_id == s.id, files.c.kind == bindparam("c_kind"))
        )
    if by_skip:
        oldest = oldest.where(s.id.not_in(bindparam("c_skip", expanding=True)))
    oldest = oldest.where(*verification_filters(flag, credentials))
    oldest = (
        oldest.order_by(s.created_at).limit(1).with_for_update(skip_locked=True, of=submissions)
    )
    return (
        update(submissions)
        .where(s.id == oldest.scalar_subquery(), s.state == queue)
        .values(state=IN_REVIEW, lease_holder=bindparam("c_holder", type_=s.lease_holder.type),
                lease_expires_at=bindparam("c_until", type_=s.lease_expires_at.type),
                claimed_from=queue, updated_at=bindparam("c_now", type_=s.updated_at.type))
        .returning(*submissions.c)
    )  # fmt: skip


def _held_change(values: dict[str, Any]) -> Update:
    """Change a submission while ``c_holder``'s lease on it runs (parameters ``c_id``,
    ``c_holder``, ``c_now``, and those of ``values``)."""
    s = submissions.c
    held = and_(s.id == bindparam("c_id"), s.state == IN_REVIEW,
                s.lease_holder == bindparam("c_holder"),
                s.lease_expires_at > bindparam("c_now"))  # fmt: skip
    return update(submissions).where(held).values(**values).returning(s.id)


def _at(column: str) -> BindParameter[Any]:
    return bindparam(f"c_{column}", type_=submissions.c[column].type)


_HELD_VALUES: dict[str, dict[str, Any]] = {
    "renew": {"lease_expires_at": _at("lease_expires_at")},
    "release": {"state": submissions.c.claimed_from, "updated_at": _at("updated_at"), **_FREE},
    "decide": {"state": _at("state"), "updated_at": _at("updated_at"), **_FREE},
}


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
        self._statements = LoggedChanges()

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
        shape = (queue.value, bool(filters.locale), bool(filters.kind), bool(filters.skip),
                 filters.flag, filters.credentials)  # fmt: skip
        build = functools.partial(_claim_change, *shape)
        params = {"c_holder": holder, "c_until": until, "c_now": now, "c_locale": filters.locale,
                  "c_kind": filters.kind, "c_skip": list(filters.skip)}  # fmt: skip
        entry = AuditEntry("", now, actor, "claimed", queue, SubmissionState.IN_REVIEW,
                           {"lease_expires_at": until.isoformat()})  # fmt: skip
        if self._db.postgres:
            if self._sweep_due(now):
                await self.return_lapsed(now)
            audit = {**audit_row(entry), "submission_id": CHANGED_ID}
            statement, written = self._statements.logged(shape, build, [(audit_log, audit)])
            async with self._db.statement() as conn:
                row = (await conn.execute(statement, {**params, **written})).first()
            return submission_from(row) if row is not None else None
        async with self._db.transaction() as conn:
            if self._sweep_due(now):
                await return_lapsed(conn, now)
            row = (await conn.execute(self._statements.change(shape, build), params)).first()
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
            "renew", submission_id, holder, now, audit, None, {"c_lease_expires_at": until}
        )

    async def release(
        self, submission_id: str, holder: str, *, now: dt.datetime, audit: AuditEntry
    ) -> bool:
        values = {"c_updated_at": now}
        return await self._change_held("release", submission_id, holder, now, audit, None, values)

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
        values = {"c_state": audit.to_state.value, "c_updated_at": now}
        return await self._change_held("decide", submission_id, holder, now, audit, event, values)

    async def record(self, audit: AuditEntry) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(insert(audit_log), [audit_row(audit)])

    async def _change_held(
        self,
        kind: str,
        submission_id: str,
        holder: str,
        now: dt.datetime,
        audit: AuditEntry,
        event: OutboxEvent | None,
        values: dict[str, Any],
    ) -> bool:
        """Change a submission (``kind`` of :data:`_HELD_VALUES`, with ``values`` for its
        parameters) only while ``holder``'s lease on it runs, with its audit entry (and
        event) in the same transaction; ``False`` when the lease is not held."""
        build = functools.partial(_held_change, _HELD_VALUES[kind])
        params = {"c_id": submission_id, "c_holder": holder, "c_now": now, **values}
        if self._db.postgres:
            writes = [(audit_log, audit_row(audit))]
            if event is not None:
                writes.extend(event_rows(event, self._urls))
            statement, written = self._statements.logged(kind, build, writes)
            async with self._db.statement() as conn:
                return (await conn.execute(statement, {**params, **written})).first() is not None
        async with self._db.transaction() as conn:
            if (await conn.execute(self._statements.change(kind, build), params)).first() is None:
                return False
            await conn.execute(insert(audit_log), [audit_row(audit)])
            if event is not None:
                await write_event(conn, event, self._urls)
        return True
