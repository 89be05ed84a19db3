""":class:`intake.submissions.ports.SubmissionRepository` on SQLAlchemy Core (SQLite and
PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

from sqlalchemy import Row, and_, bindparam, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from intake.adapters.db import erasure
from intake.adapters.db.audit import audit_from, audit_row
from intake.adapters.db.data_keys import key_row
from intake.adapters.db.jobs import jobs_inserted
from intake.adapters.db.outbox import write_event
from intake.adapters.db.schema import audit_log, data_keys, files, submissions
from intake.adapters.db.transactions import Database, Step
from intake.jobs.records import Job
from intake.keys.ports import WrappedKey
from intake.submissions.records import (
    AuditEntry,
    FileFlag,
    FileState,
    FlagKind,
    StoredFile,
    Submission,
    SubmissionState,
    SubmitterDetails,
)
from intake.webhooks.records import OutboxEvent

_DETAIL_COLUMNS = (
    "name", "email", "phone", "title", "story", "location",
    "occurred_at", "locale", "consent_terms", "consent_contact",
)  # fmt: skip


_BY_ID = select(submissions).where(submissions.c.id == bindparam("p_id"))
_DRAFT_SUBMITTED = (
    update(submissions)
    .where(
        submissions.c.id == bindparam("p_id"),
        submissions.c.state == SubmissionState.DRAFT.value,
    )
    .values(
        state=bindparam("p_state"),
        updated_at=bindparam("p_updated_at", type_=submissions.c.updated_at.type),
        file_count=bindparam("p_file_count"),
        total_bytes=bindparam("p_total_bytes"),
    )
)


def submission_row(s: Submission) -> dict[str, Any]:
    row = {column: getattr(s.details, column) for column in _DETAIL_COLUMNS}
    row.update(
        id=s.id, reference=s.reference, state=s.state.value, created_at=s.created_at,
        updated_at=s.updated_at, terms_version=s.terms_version, token_hash=s.token_hash,
        prefix=s.prefix, file_count=s.file_count, total_bytes=s.total_bytes,
        lease_holder=s.lease_holder, lease_expires_at=s.lease_expires_at,
        claimed_from=s.claimed_from.value if s.claimed_from else None,
    )  # fmt: skip
    return row


def submission_from(row: Row[Any]) -> Submission:
    m = row._mapping
    return Submission(
        id=m["id"],
        reference=m["reference"],
        state=SubmissionState(m["state"]),
        created_at=m["created_at"],
        updated_at=m["updated_at"],
        details=SubmitterDetails(**{c: m[c] for c in _DETAIL_COLUMNS}),
        terms_version=m["terms_version"],
        token_hash=m["token_hash"],
        prefix=m["prefix"],
        file_count=m["file_count"],
        total_bytes=m["total_bytes"],
        lease_holder=m["lease_holder"],
        lease_expires_at=m["lease_expires_at"],
        claimed_from=SubmissionState(m["claimed_from"]) if m["claimed_from"] else None,
    )


def file_row(f: StoredFile) -> dict[str, Any]:
    return {
        "id": f.id, "submission_id": f.submission_id, "position": f.position,
        "original_filename": f.original_filename, "media_type": f.media_type, "kind": f.kind,
        "size": f.size, "sha256": f.sha256, "object_key": f.object_key,
        "state": f.state.value, "created_at": f.created_at,
        "extracted": f.extracted, "flags": [flag_json(x) for x in f.flags],
        "reject_reason": f.reject_reason, "public_key": f.public_key,
        "thumbnail_key": f.thumbnail_key, "phash": f.phash, "inspected_at": f.inspected_at,
    }  # fmt: skip


def verification_columns(f: StoredFile) -> dict[str, str]:
    """What the queue filters on (written with the inspection): the kinds of the file's
    flags (space-separated, a space at each end) and the status of its content
    credentials (empty when none)."""
    kinds = sorted({flag.kind.value for flag in f.flags})
    credentials = f.extracted.get("credentials") or {}
    return {
        "flag_kinds": f" {' '.join(kinds)} " if kinds else "",
        "credentials": str(credentials.get("status", "")),
    }


def flag_json(flag: FileFlag) -> dict[str, Any]:
    return {
        "kind": flag.kind.value,
        "submission_id": flag.submission_id,
        "file_id": flag.file_id,
        "distance": flag.distance,
        "evidence": flag.evidence,
    }


def flag_from(data: dict[str, Any]) -> FileFlag:
    return FileFlag(
        kind=FlagKind(data["kind"]),
        submission_id=data.get("submission_id", ""),
        file_id=data.get("file_id", ""),
        distance=data.get("distance"),
        evidence=data.get("evidence") or {},
    )


def file_from(row: Row[Any]) -> StoredFile:
    m = dict(row._mapping)
    m["state"] = FileState(m["state"])
    m["flags"] = tuple(flag_from(x) for x in m["flags"])
    m.pop("flag_kinds", None)
    m.pop("credentials", None)
    return StoredFile(**m)


def _received(
    files_: Sequence[StoredFile], audit: Sequence[AuditEntry], jobs: Sequence[Job]
) -> list[Step]:
    """The statements that record a submission's files, audit entries and jobs."""
    steps: list[Step] = []
    if files_:
        steps.append((insert(files), [file_row(f) for f in files_]))
    if audit:
        steps.append((insert(audit_log), [audit_row(a) for a in audit]))
    return [*steps, *jobs_inserted(jobs)]


class SqlSubmissionRepository:
    def __init__(self, database: Database, webhook_urls: Sequence[str] = ()) -> None:
        self._db = database
        self._urls = tuple(webhook_urls)

    def _tx(self) -> AbstractAsyncContextManager[AsyncConnection]:
        return self._db.transaction()

    def _read(self) -> AbstractAsyncContextManager[AsyncConnection]:
        return self._db.read()

    async def ping(self) -> None:
        async with self._read() as conn:
            await conn.execute(text("SELECT 1"))

    async def add_submission(
        self,
        submission: Submission,
        files_: Sequence[StoredFile],
        audit: Sequence[AuditEntry],
        jobs: Sequence[Job] = (),
        data_key: WrappedKey | None = None,
    ) -> None:
        steps: list[Step] = [(insert(submissions), [submission_row(submission)])]
        if data_key is not None:
            steps.append((insert(data_keys), [key_row(data_key, submission.created_at)]))
        async with self._tx() as conn:
            await self._db.finish(conn, [*steps, *_received(files_, audit, jobs)])

    async def get_submission(self, submission_id: str) -> Submission | None:
        async with self._db.statement(write=False) as conn:
            row = (await conn.execute(_BY_ID, {"p_id": submission_id})).first()
        return submission_from(row) if row else None

    async def states_of(self, submission_ids: Sequence[str]) -> dict[str, SubmissionState]:
        s = submissions
        async with self._db.statement(write=False) as conn:
            rows = await conn.execute(select(s.c.id, s.c.state).where(s.c.id.in_(submission_ids)))
            return {str(row.id): SubmissionState(row.state) for row in rows}

    async def get_by_reference(self, reference: str) -> Submission | None:
        async with self._read() as conn:
            row = (
                await conn.execute(select(submissions).where(submissions.c.reference == reference))
            ).first()
        return submission_from(row) if row else None

    async def files_of(self, submission_id: str) -> list[StoredFile]:
        query = (
            select(files).where(files.c.submission_id == submission_id).order_by(files.c.position)
        )
        async with self._read() as conn:
            return [file_from(r) for r in await conn.execute(query)]

    async def audit_trail(self, submission_id: str) -> list[AuditEntry]:
        query = (
            select(audit_log)
            .where(audit_log.c.submission_id == submission_id)
            .order_by(audit_log.c.id)
        )
        async with self._read() as conn:
            return [audit_from(r) for r in await conn.execute(query)]

    async def files_with_sha256(self, sha256: str) -> list[StoredFile]:
        query = select(files).where(files.c.sha256 == sha256).order_by(files.c.created_at)
        async with self._read() as conn:
            return [file_from(r) for r in await conn.execute(query)]

    async def submit_draft(
        self,
        submission: Submission,
        files_: Sequence[StoredFile],
        audit: Sequence[AuditEntry],
        jobs: Sequence[Job] = (),
    ) -> bool:
        params = {"p_id": submission.id, "p_state": submission.state.value,
                  "p_updated_at": submission.updated_at, "p_file_count": submission.file_count,
                  "p_total_bytes": submission.total_bytes}  # fmt: skip
        async with self._tx() as conn:
            return await self._db.finish_if_one(
                conn, (_DRAFT_SUBMITTED, params), _received(files_, audit, jobs)
            )

    async def withdraw(
        self, submission_id: str, audit: AuditEntry, event: OutboxEvent | None = None
    ) -> bool:
        async with self._tx() as conn:
            if not await erasure.erase(conn, submission_id, audit.at):
                return False
            await conn.execute(insert(audit_log), [audit_row(audit)])
            if event is not None:
                await write_event(conn, event, self._urls)
        return True

    async def forget(self, submission_id: str, audit: AuditEntry) -> bool:
        async with self._tx() as conn:
            if not await erasure.forget(conn, submission_id):
                return False
            await conn.execute(insert(audit_log), [audit_row(audit)])
        return True

    async def due_for_retention(
        self, cutoffs: Mapping[SubmissionState, dt.datetime], limit: int
    ) -> list[Submission]:
        if not cutoffs:
            return []
        async with self._read() as conn:
            return [submission_from(r) for r in await conn.execute(erasure.due(cutoffs, limit))]

    async def erase_audit_details(self, before: dt.datetime) -> int:
        async with self._tx() as conn:
            return await erasure.erase_details(conn, before)

    async def reclaim_erased(self, *, rewrite: bool = False) -> None:
        await self._db.reclaim(erasure.TOUCHED_TABLES, rewrite=rewrite)

    async def record_inspection(self, file: StoredFile) -> bool:
        processing = (
            select(submissions.c.id)
            .where(
                and_(
                    submissions.c.id == file.submission_id,
                    submissions.c.state == SubmissionState.PROCESSING.value,
                )
            )
            .exists()
        )
        statement = (
            update(files)
            .where(and_(files.c.id == file.id, files.c.state == FileState.STORED.value, processing))
            .values(
                state=file.state.value,
                extracted=file.extracted,
                flags=[flag_json(x) for x in file.flags],
                reject_reason=file.reject_reason,
                public_key=file.public_key,
                thumbnail_key=file.thumbnail_key,
                phash=file.phash,
                inspected_at=file.inspected_at,
                **verification_columns(file),
            )
        )
        async with self._tx() as conn:
            return bool((await conn.execute(statement)).rowcount == 1)

    async def finish_processing(
        self, submission_id: str, audit: AuditEntry
    ) -> SubmissionState | None:
        processing = and_(
            submissions.c.id == submission_id,
            submissions.c.state == SubmissionState.PROCESSING.value,
        )
        counts = (
            select(files.c.state, func.count())
            .where(files.c.submission_id == submission_id)
            .group_by(files.c.state)
        )
        async with self._tx() as conn:
            # A write first: it locks the submission row (PostgreSQL) or takes the write
            # lock (SQLite), so two workers finishing its last files see each other's.
            touch = update(submissions).where(processing).values(updated_at=audit.at)
            if (await conn.execute(touch)).rowcount != 1:
                return None
            by_state = {FileState(state): n for state, n in await conn.execute(counts)}
            if by_state.get(FileState.STORED, 0):
                return None
            accepted = by_state.get(FileState.INSPECTED, 0) > 0
            state = SubmissionState.PENDING_REVIEW if accepted else SubmissionState.FAILED
            await conn.execute(update(submissions).where(processing).values(state=state.value))
            entry = AuditEntry(
                audit.submission_id, audit.at, audit.actor, audit.action,
                SubmissionState.PROCESSING, state, audit.detail,
            )  # fmt: skip
            await conn.execute(insert(audit_log), [audit_row(entry)])
        return state
