""":class:`intake.moderation.ports.ModerationViews` on SQLAlchemy Core: the queue as moderators look
at it. A submission whose lease ran out counts as waiting in the queue it came from."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, not_, or_, select

from intake.adapters.db.audit import audit_from
from intake.adapters.db.schema import audit_log, files, submissions
from intake.adapters.db.submissions import file_from, submission_from
from intake.adapters.db.transactions import Database
from intake.moderation.ports import QueueStats, SubmissionQuery
from intake.submissions.records import (
    AuditEntry,
    FileState,
    StoredFile,
    Submission,
    SubmissionState,
)

WAITING = (SubmissionState.PENDING_REVIEW.value, SubmissionState.ESCALATED.value)


def waiting_state(now: dt.datetime) -> ColumnElement[Any]:
    s = submissions.c
    lapsed = and_(s.state == SubmissionState.IN_REVIEW.value, s.lease_expires_at <= now)
    return case((lapsed, s.claimed_from), else_=s.state)


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def not_escalated() -> ColumnElement[bool]:
    """Neither escalated nor claimed from the senior queue (whose lease may have lapsed)."""
    s = submissions.c
    escalated = SubmissionState.ESCALATED.value
    claimed_from_seniors = and_(
        s.state == SubmissionState.IN_REVIEW.value, s.claimed_from == escalated
    )
    return and_(s.state != escalated, not_(claimed_from_seniors))


def verification_filters(flag: str, credentials: str) -> list[ColumnElement[bool]]:
    """A file of the submission flagged ``flag``; one whose credentials are so."""
    s, f = submissions.c, files.c
    where: list[ColumnElement[bool]] = []
    if flag:
        where.append(exists().where(f.submission_id == s.id, f.flag_kinds.contains(f" {flag} ")))
    if credentials:
        status = "" if credentials == "none" else credentials
        inspected = f.state == FileState.INSPECTED.value
        where.append(exists().where(f.submission_id == s.id, f.credentials == status, inspected))
    return where


def _filters(query: SubmissionQuery, now: dt.datetime) -> list[ColumnElement[bool]]:
    s = submissions.c
    where: list[ColumnElement[bool]] = [not_escalated()] if query.hide_escalated else []
    if query.states:
        where.append(waiting_state(now).in_([state.value for state in query.states]))
    if query.kind:
        where.append(exists().where(files.c.submission_id == s.id, files.c.kind == query.kind))
    where += verification_filters(query.flag, query.credentials)
    if query.locale:
        where.append(s.locale == query.locale)
    if query.created_from is not None:
        where.append(s.created_at >= query.created_from)
    if query.created_to is not None:
        where.append(s.created_at < query.created_to)
    if query.text:
        pattern = _like(query.text)
        where.append(
            or_(*(func.lower(column).like(pattern, escape="\\")
                  for column in (s.reference, s.title, s.story, s.name, s.location)))
        )  # fmt: skip
    if query.after is not None:
        at, submission_id = query.after
        where.append(or_(s.created_at < at, and_(s.created_at == at, s.id < submission_id)))
    return where


class SqlModerationViews:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def search(self, query: SubmissionQuery, now: dt.datetime) -> list[Submission]:
        s = submissions.c
        statement = (
            select(submissions)
            .where(*_filters(query, now))
            .order_by(s.created_at.desc(), s.id.desc())
            .limit(query.limit)
        )
        async with self._db.read() as conn:
            return [submission_from(r) for r in await conn.execute(statement)]

    async def contents(self, submission_id: str) -> tuple[list[StoredFile], list[AuditEntry]]:
        files_query = (
            select(files).where(files.c.submission_id == submission_id).order_by(files.c.position)
        )
        audit_query = (
            select(audit_log)
            .where(audit_log.c.submission_id == submission_id)
            .order_by(audit_log.c.id)
        )
        async with self._db.read() as conn:
            found = [file_from(r) for r in await conn.execute(files_query)]
            trail = [audit_from(r) for r in await conn.execute(audit_query)]
        return found, trail

    async def decisions_by(
        self, actor: str, limit: int, *, hide_escalated: bool = False
    ) -> list[tuple[AuditEntry, Submission]]:
        a = audit_log.c
        statement = (
            select(*(c for c in audit_log.c if c.name != "id"), submissions)
            .join_from(audit_log, submissions, a.submission_id == submissions.c.id)
            .where(a.action == "decided", a.actor == actor,
                   *([not_escalated()] if hide_escalated else []))
            .order_by(a.id.desc())
            .limit(limit)
        )  # fmt: skip
        async with self._db.read() as conn:
            rows: Any = (await conn.execute(statement)).all()
        return [(audit_from(r), submission_from(r)) for r in rows]

    async def stats(
        self, now: dt.datetime, since: dt.datetime, *, hide_escalated: bool = False
    ) -> QueueStats:
        s = submissions.c
        state = waiting_state(now).label("waiting_state")
        shown = [not_escalated()] if hide_escalated else []
        depth_query = select(state, func.count()).where(*shown).group_by(state)
        oldest_query = (
            select(state, func.min(s.created_at)).where(state.in_(WAITING), *shown).group_by(state)
        )
        decided = (
            select(audit_log.c.at, audit_log.c.actor, audit_log.c.to_state)
            .where(audit_log.c.action == "decided", audit_log.c.at >= since)
            .order_by(audit_log.c.id)
        )
        async with self._db.read() as conn:
            depth = {row[0]: int(row[1]) for row in await conn.execute(depth_query)}
            oldest = {row[0]: row[1] for row in await conn.execute(oldest_query)}
            decisions = [(r.at, r.actor, r.to_state) for r in await conn.execute(decided)]
        return QueueStats(
            depth={SubmissionState(k): v for k, v in depth.items()},
            oldest_waiting={SubmissionState(k): v for k, v in oldest.items()},
            decisions=decisions,
        )
