""":class:`intake.jobs.ports.JobQueue` on SQLAlchemy Core (SQLite and PostgreSQL).

A claim is one statement: ``UPDATE … WHERE id = (SELECT … LIMIT 1 FOR UPDATE SKIP
LOCKED) RETURNING …``. On PostgreSQL, concurrent workers skip the rows another one is
claiming; SQLite ignores ``FOR UPDATE`` and runs one writer at a time (the
:class:`~intake.adapters.db.transactions.Database` writer turn within a process, the
database lock across processes), so the statement is atomic there too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, and_, delete, insert, or_, select, update

from intake.adapters.db.schema import jobs
from intake.adapters.db.transactions import Database, Step
from intake.jobs.records import Job, JobState


def job_row(job: Job) -> dict[str, Any]:
    return {
        "id": job.id, "kind": job.kind, "payload": job.payload,
        "submission_id": job.payload.get("submission_id"), "state": job.state.value,
        "attempts": job.attempts, "last_error": job.last_error, "lease_id": job.lease_id,
        "lease_expires_at": job.lease_expires_at, "run_after": job.run_after,
        "created_at": job.created_at, "updated_at": job.updated_at or job.created_at,
    }  # fmt: skip


def job_from(row: Row[Any]) -> Job:
    m = row._mapping
    return Job(
        id=m["id"],
        kind=m["kind"],
        payload=dict(m["payload"]),
        state=JobState(m["state"]),
        created_at=m["created_at"],
        run_after=m["run_after"],
        attempts=m["attempts"],
        last_error=m["last_error"],
        lease_id=m["lease_id"],
        lease_expires_at=m["lease_expires_at"],
        updated_at=m["updated_at"],
    )


def jobs_inserted(new_jobs: Sequence[Job]) -> list[Step]:
    """The statement that queues ``new_jobs`` with its parameters (none for no job), for
    the caller's transaction (with the rows they follow up)."""
    return [(insert(jobs), [job_row(j) for j in new_jobs])] if new_jobs else []


class SqlJobQueue:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def add(self, job: Job) -> None:
        async with self._db.transaction() as conn:
            await self._db.finish(conn, jobs_inserted([job]))

    async def claim(self, lease_id: str, *, now: dt.datetime, until: dt.datetime) -> Job | None:
        due = or_(
            and_(jobs.c.state == JobState.QUEUED.value, jobs.c.run_after <= now),
            and_(jobs.c.state == JobState.RUNNING.value, jobs.c.lease_expires_at < now),
        )
        next_id = (
            select(jobs.c.id)
            .where(due)
            .order_by(jobs.c.run_after, jobs.c.id)
            .limit(1)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        statement = (
            update(jobs)
            .where(and_(jobs.c.id == next_id, due))
            .values(
                state=JobState.RUNNING.value,
                lease_id=lease_id,
                lease_expires_at=until,
                attempts=jobs.c.attempts + 1,
                updated_at=now,
            )
            .returning(*jobs.c)
        )
        async with self._db.transaction() as conn:
            row = (await conn.execute(statement)).first()
        return job_from(row) if row else None

    async def _leased(self, job_id: str, held_by: str, **values: Any) -> bool:
        statement = (
            update(jobs)
            .where(
                and_(
                    jobs.c.id == job_id,
                    jobs.c.lease_id == held_by,
                    jobs.c.state == JobState.RUNNING.value,
                )
            )
            .values(**values)
        )
        async with self._db.transaction() as conn:
            return bool((await conn.execute(statement)).rowcount == 1)

    async def renew(self, job_id: str, lease_id: str, until: dt.datetime) -> bool:
        return await self._leased(job_id, lease_id, lease_expires_at=until)

    async def complete(self, job_id: str, lease_id: str, now: dt.datetime) -> bool:
        return await self._leased(
            job_id, lease_id, state=JobState.DONE.value, lease_id="", lease_expires_at=None,
            updated_at=now,
        )  # fmt: skip

    async def retry(
        self, job_id: str, lease_id: str, *, error: str, run_after: dt.datetime, now: dt.datetime
    ) -> bool:
        return await self._leased(
            job_id, lease_id, state=JobState.QUEUED.value, lease_id="", lease_expires_at=None,
            last_error=error, run_after=run_after, updated_at=now,
        )  # fmt: skip

    async def bury(self, job_id: str, lease_id: str, *, error: str, now: dt.datetime) -> bool:
        return await self._leased(
            job_id, lease_id, state=JobState.DEAD.value, lease_id="", lease_expires_at=None,
            last_error=error, updated_at=now,
        )  # fmt: skip

    async def get(self, job_id: str) -> Job | None:
        async with self._db.read() as conn:
            row = (await conn.execute(select(jobs).where(jobs.c.id == job_id))).first()
        return job_from(row) if row else None

    async def jobs_for(self, submission_id: str) -> list[Job]:
        query = (
            select(jobs)
            .where(jobs.c.submission_id == submission_id)
            .order_by(jobs.c.created_at, jobs.c.id)
        )
        async with self._db.read() as conn:
            return [job_from(r) for r in await conn.execute(query)]

    async def purge(self, before: dt.datetime) -> int:
        statement = delete(jobs).where(
            and_(jobs.c.state == JobState.DONE.value, jobs.c.updated_at < before)
        )
        async with self._db.transaction() as conn:
            return int((await conn.execute(statement)).rowcount)
