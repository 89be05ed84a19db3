"""The port of the job queue."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from intake.jobs.records import Job


class JobQueue(Protocol):
    """Jobs in the database, taken by workers on any node.

    ``claim`` is atomic: two workers never hold one job. Every change to a claimed
    job is conditional on still holding its lease (``lease_id``); a job whose lease
    expired may be claimed again, so job handlers must be idempotent.
    """

    async def add(self, job: Job) -> None:
        """Queue a job (services usually queue theirs with the rows they follow up)."""

    async def claim(self, lease_id: str, *, now: dt.datetime, until: dt.datetime) -> Job | None:
        """Take the next due job (queued and due, or running with an expired lease),
        counting one more attempt; ``None`` when there is none."""

    async def renew(self, job_id: str, lease_id: str, until: dt.datetime) -> bool:
        """Extend the lease; ``False`` when it was lost."""

    async def complete(self, job_id: str, lease_id: str, now: dt.datetime) -> bool:
        """Mark the job done; ``False`` when the lease was lost."""

    async def retry(
        self, job_id: str, lease_id: str, *, error: str, run_after: dt.datetime, now: dt.datetime
    ) -> bool:
        """Queue the job again for ``run_after``, keeping ``error``."""

    async def bury(self, job_id: str, lease_id: str, *, error: str, now: dt.datetime) -> bool:
        """Park the job as dead with its last error (no more attempts)."""

    async def get(self, job_id: str) -> Job | None:
        """The job with this id, or ``None``."""

    async def jobs_for(self, submission_id: str) -> list[Job]:
        """Jobs whose payload names this submission, oldest first."""

    async def purge(self, before: dt.datetime) -> int:
        """Delete jobs done before ``before``; return how many."""
