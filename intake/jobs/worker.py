"""Jobs: work that follows an answer (inspection), done by workers on any node.

A worker claims the next due job with a lease, renews the lease while the job runs,
then marks it done; a job that raises is queued again after a growing delay (backoff),
and parked ``dead`` with its last error after ``max_attempts``. A worker that dies
mid-job leaves its lease to expire, and the job is claimed again: handlers must be
idempotent (deterministic object keys, conditional row updates).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from intake.core.background import cancel_and_wait
from intake.core.clock import Clock, utcnow
from intake.core.ids import new_id
from intake.jobs.ports import JobQueue
from intake.jobs.records import Job, JobState

log = logging.getLogger(__name__)
MAX_ERROR_CHARS = 2000


class JobHandler(Protocol):
    """Does one kind of job. ``run`` must be safe to repeat after a crash."""

    async def run(self, job: Job) -> None:
        """Do the job; raising queues it again (or parks it after the last attempt)."""

    async def gave_up(self, job: Job, error: str) -> None:
        """Called once when the job is parked dead: leave what it follows up settled."""


@dataclass(frozen=True)
class JobRules:
    lease: dt.timedelta
    max_attempts: int
    retry_base: dt.timedelta
    retry_max: dt.timedelta
    poll_seconds: float = 1.0

    def backoff(self, attempts: int) -> dt.timedelta:
        """The wait before attempt ``attempts + 1``: base, 2x base, 4x base... capped."""
        wait: dt.timedelta = self.retry_base * 2 ** max(attempts - 1, 0)
        return min(wait, self.retry_max)


def new_job(kind: str, payload: dict[str, Any], now: dt.datetime) -> Job:
    return Job(new_id(), kind, payload, JobState.QUEUED, created_at=now, run_after=now)


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS]


class Worker:
    """Claims and runs jobs from ``queue`` with the handler of their kind."""

    def __init__(
        self,
        queue: JobQueue,
        handlers: Mapping[str, JobHandler],
        rules: JobRules,
        clock: Clock = utcnow,
    ) -> None:
        self._queue = queue
        self._handlers = handlers
        self._rules = rules
        self._clock = clock

    async def run_one(self) -> Job | None:
        """Claim one due job and see it through; ``None`` when none was due."""
        lease_id = new_id()
        now = self._clock()
        job = await self._queue.claim(lease_id, now=now, until=now + self._rules.lease)
        if job is None:
            return None
        handler = self._handlers.get(job.kind)
        if handler is None:
            await self._bury(job, None, f"no handler for jobs of kind {job.kind!r}")
        elif job.attempts > self._rules.max_attempts:
            error = job.last_error or "its worker stopped before finishing it"
            await self._bury(job, handler, f"gave up after {job.attempts - 1} attempts: {error}")
        else:
            await self._attempt(job, handler)
        return job

    async def _attempt(self, job: Job, handler: JobHandler) -> None:
        task = asyncio.create_task(handler.run(job))
        renewer = asyncio.create_task(self._keep_lease(job, task))
        try:
            await task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                await asyncio.shield(self._hand_back(job))  # this worker is stopping
                raise
            log.warning("job %s lost its lease; left to the worker that took it", job.id)
            return
        except Exception as exc:
            await self._failed(job, handler, exc)
            return
        finally:
            await cancel_and_wait(renewer)
        if not await self._queue.complete(job.id, job.lease_id, self._clock()):
            log.warning("job %s finished after its lease was lost", job.id)

    async def _hand_back(self, job: Job) -> None:
        """Queue a job again at once when its worker stops (shutdown), so that another
        takes it without waiting for the lease to expire."""
        now = self._clock()
        try:
            await self._queue.retry(
                job.id, job.lease_id, error="its worker stopped", run_after=now, now=now
            )
        except Exception as exc:  # the lease will expire instead
            log.warning("job %s: could not hand it back: %s", job.id, describe(exc))

    async def _keep_lease(self, job: Job, task: asyncio.Task[None]) -> None:
        interval = self._rules.lease.total_seconds() / 3
        while True:
            await asyncio.sleep(interval)
            try:
                held = await self._queue.renew(
                    job.id, job.lease_id, self._clock() + self._rules.lease
                )
            except Exception as exc:  # the database blinked: try again next round
                log.warning("job %s: lease renewal failed: %s", job.id, describe(exc))
                continue
            if not held:
                task.cancel()
                return

    async def _failed(self, job: Job, handler: JobHandler, exc: Exception) -> None:
        error = describe(exc)
        if job.attempts >= self._rules.max_attempts:
            log.error("job %s (%s) failed for the last time: %s", job.id, job.kind, error)
            await self._bury(job, handler, error)
            return
        now = self._clock()
        wait = self._rules.backoff(job.attempts)
        log.warning("job %s (%s) failed, retry in %s: %s", job.id, job.kind, wait, error)
        await self._queue.retry(job.id, job.lease_id, error=error, run_after=now + wait, now=now)

    async def _bury(self, job: Job, handler: JobHandler | None, error: str) -> None:
        if handler is not None:
            try:
                await handler.gave_up(job, error)
            except Exception as exc:
                log.error("job %s: settling a dead job failed: %s", job.id, describe(exc))
        await self._queue.bury(job.id, job.lease_id, error=error, now=self._clock())

    async def run_until_idle(self, limit: int = 1000) -> int:
        """Run due jobs until none is left (or ``limit``); return how many ran."""
        done = 0
        while done < limit and await self.run_one() is not None:
            done += 1
        return done
