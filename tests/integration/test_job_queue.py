"""The job queue on SQLite and PostgreSQL: claims, leases, retries, dead jobs."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from intake.adapters.db.jobs import SqlJobQueue
from intake.adapters.db.transactions import Database
from intake.jobs.records import Job, JobState
from intake.jobs.worker import JobRules, Worker, new_job

T0 = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
SECOND = dt.timedelta(seconds=1)


def queue_on(engine: AsyncEngine) -> SqlJobQueue:
    return SqlJobQueue(Database(engine))


async def test_a_job_is_claimed_once_then_done(engine: AsyncEngine) -> None:
    queue = queue_on(engine)
    assert await queue.claim("a", now=T0, until=T0 + SECOND) is None
    job = new_job("inspect_submission", {"submission_id": "s1"}, T0)
    await queue.add(job)
    claimed = await queue.claim("a", now=T0, until=T0 + 60 * SECOND)
    assert claimed is not None
    assert (claimed.id, claimed.state, claimed.attempts, claimed.lease_id) == (
        job.id, JobState.RUNNING, 1, "a",
    )  # fmt: skip
    assert await queue.claim("b", now=T0, until=T0 + SECOND) is None
    assert await queue.renew(job.id, "a", T0 + 120 * SECOND)
    assert not await queue.complete(job.id, "b", T0)
    assert await queue.complete(job.id, "a", T0)
    assert (await queue.get(job.id)).state is JobState.DONE  # type: ignore[union-attr]
    assert [j.id for j in await queue.jobs_for("s1")] == [job.id]
    assert await queue.purge(T0 + SECOND) == 1


async def test_an_expired_lease_lets_another_worker_take_the_job(engine: AsyncEngine) -> None:
    queue = queue_on(engine)
    job = new_job("k", {}, T0)
    await queue.add(job)
    await queue.claim("dead", now=T0, until=T0 + 10 * SECOND)
    assert await queue.claim("b", now=T0 + 5 * SECOND, until=T0 + 60 * SECOND) is None
    again = await queue.claim("b", now=T0 + 11 * SECOND, until=T0 + 60 * SECOND)
    assert again is not None and again.attempts == 2
    assert not await queue.renew(job.id, "dead", T0 + 100 * SECOND)
    assert not await queue.complete(job.id, "dead", T0)


async def test_a_retried_job_waits_for_its_time(engine: AsyncEngine) -> None:
    queue = queue_on(engine)
    job = new_job("k", {}, T0)
    await queue.add(job)
    await queue.claim("a", now=T0, until=T0 + 60 * SECOND)
    assert await queue.retry(job.id, "a", error="boom", run_after=T0 + 30 * SECOND, now=T0)
    assert await queue.claim("b", now=T0 + 29 * SECOND, until=T0 + 60 * SECOND) is None
    later = await queue.claim("b", now=T0 + 30 * SECOND, until=T0 + 90 * SECOND)
    assert later is not None and later.last_error == "boom"


async def test_concurrent_claims_never_share_a_job(engine: AsyncEngine) -> None:
    queue = queue_on(engine)
    for i in range(12):
        await queue.add(new_job("k", {"n": i}, T0))

    async def claimer(name: str) -> list[str]:
        mine = []
        while job := await queue.claim(name, now=T0, until=T0 + 60 * SECOND):
            mine.append(job.id)
        return mine

    taken = await asyncio.gather(*(claimer(f"w{i}") for i in range(4)))
    ids = [j for batch in taken for j in batch]
    assert len(ids) == len(set(ids)) == 12


class Flaky:
    """Fails ``failures`` times, then succeeds; remembers what happened."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.runs = 0
        self.given_up: list[str] = []

    async def run(self, job: Job) -> None:
        self.runs += 1
        if self.runs <= self.failures:
            raise RuntimeError(f"failure {self.runs}")

    async def gave_up(self, job: Job, error: str) -> None:
        self.given_up.append(error)


def rules(max_attempts: int) -> JobRules:
    return JobRules(lease=60 * SECOND, max_attempts=max_attempts, retry_base=10 * SECOND,
                    retry_max=15 * SECOND)  # fmt: skip


async def test_a_failing_job_backs_off_then_succeeds(engine: AsyncEngine) -> None:
    queue = queue_on(engine)
    clock = [T0]
    handler = Flaky(failures=2)
    worker = Worker(queue, {"k": handler}, rules(5), clock=lambda: clock[0])
    job = new_job("k", {}, T0)
    await queue.add(job)
    await worker.run_one()
    stored = await queue.get(job.id)
    assert stored is not None
    assert (stored.state, stored.last_error) == (JobState.QUEUED, "RuntimeError: failure 1")
    assert stored.run_after == T0 + 10 * SECOND
    assert await worker.run_one() is None  # not due yet
    clock[0] = T0 + 10 * SECOND
    await worker.run_one()
    assert (await queue.get(job.id)).run_after == T0 + 25 * SECOND  # type: ignore[union-attr]
    clock[0] = T0 + 25 * SECOND
    await worker.run_one()
    assert (await queue.get(job.id)).state is JobState.DONE  # type: ignore[union-attr]
    assert handler.runs == 3 and handler.given_up == []


async def test_a_job_that_keeps_failing_is_parked_dead_with_its_last_error(
    engine: AsyncEngine,
) -> None:
    queue = queue_on(engine)
    handler = Flaky(failures=99)
    clock = [T0]
    worker = Worker(queue, {"k": handler}, rules(2), clock=lambda: clock[0])
    job = new_job("k", {}, T0)
    await queue.add(job)
    await worker.run_one()
    clock[0] = T0 + 60 * SECOND
    await worker.run_one()
    dead = await queue.get(job.id)
    assert dead is not None
    assert (dead.state, dead.attempts, dead.last_error) == (
        JobState.DEAD, 2, "RuntimeError: failure 2",
    )  # fmt: skip
    assert handler.given_up == ["RuntimeError: failure 2"]
    clock[0] = T0 + 3600 * SECOND
    assert await worker.run_one() is None


async def test_a_job_whose_workers_keep_dying_is_parked_dead(engine: AsyncEngine) -> None:
    queue = queue_on(engine)
    handler = Flaky(failures=0)
    job = new_job("k", {}, T0)
    await queue.add(job)
    for attempt in range(2):  # two workers die holding it
        at = T0 + attempt * 100 * SECOND
        assert await queue.claim("dying", now=at, until=at + 10 * SECOND)
    worker = Worker(queue, {"k": handler}, rules(2), clock=lambda: T0 + 300 * SECOND)
    await worker.run_one()
    dead = await queue.get(job.id)
    assert dead is not None and dead.state is JobState.DEAD
    assert "its worker stopped" in dead.last_error
    assert handler.runs == 0 and len(handler.given_up) == 1


class Slow:
    """Runs until cancelled; ``lose_lease`` makes the job look taken by another."""

    def __init__(self, queue: SqlJobQueue, lose_lease: bool) -> None:
        self.queue, self.lose_lease = queue, lose_lease
        self.started = asyncio.Event()
        self.cancelled = False

    async def run(self, job: Job) -> None:
        if self.lose_lease:
            await self.queue.retry(job.id, job.lease_id, error="", run_after=T0, now=T0)
        self.started.set()
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            self.cancelled = True
            raise

    async def gave_up(self, job: Job, error: str) -> None:
        raise AssertionError("not expected")


def quick_lease() -> JobRules:
    return JobRules(lease=dt.timedelta(seconds=0.3), max_attempts=3, retry_base=SECOND,
                    retry_max=SECOND)  # fmt: skip


async def test_a_job_whose_lease_is_lost_is_abandoned_by_its_worker(engine: AsyncEngine) -> None:
    queue = queue_on(engine)
    handler = Slow(queue, lose_lease=True)
    await queue.add(new_job("k", {}, T0))
    worker = Worker(queue, {"k": handler}, quick_lease())
    assert await asyncio.wait_for(worker.run_one(), 5) is not None
    assert handler.cancelled


class Renewals:
    """The queue, telling when a lease was renewed."""

    def __init__(self, queue: SqlJobQueue) -> None:
        self._queue = queue
        self.renewed = asyncio.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._queue, name)

    async def renew(self, job_id: str, lease_id: str, until: dt.datetime) -> bool:
        held = await self._queue.renew(job_id, lease_id, until)
        self.renewed.set()
        return held


async def test_a_stopping_worker_hands_its_job_back_at_once(engine: AsyncEngine) -> None:
    queue = queue_on(engine)
    handler = Slow(queue, lose_lease=False)
    job = new_job("k", {}, T0)
    await queue.add(job)
    renewals: Any = Renewals(queue)
    worker = Worker(renewals, {"k": handler}, quick_lease())
    running = asyncio.create_task(worker.run_one())
    await asyncio.wait_for(handler.started.wait(), 5)
    await asyncio.wait_for(renewals.renewed.wait(), 5)  # held, and renewed meanwhile
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    handed_back = await queue.get(job.id)
    assert handed_back is not None
    assert (handed_back.state, handed_back.last_error) == (JobState.QUEUED, "its worker stopped")
    now = dt.datetime.now(dt.UTC)
    assert await queue.claim("next", now=now, until=now + SECOND) is not None


class Ending:
    """A handler whose worker is told to stop just as the job ends: while the worker waits
    for its lease keeper to stop (two turns of the event loop after the handler returns)."""

    def __init__(self) -> None:
        self.worker: asyncio.Task[Any] | None = None

    async def run(self, job: Job) -> None:
        assert self.worker is not None
        loop = asyncio.get_running_loop()
        loop.call_soon(loop.call_soon, self.worker.cancel)

    async def gave_up(self, job: Job, error: str) -> None:
        raise AssertionError("not expected")


async def test_a_worker_stopped_as_its_job_ends_stops(engine: AsyncEngine) -> None:
    """The stop reached the worker while it waited for its lease keeper, whose own
    cancellation it used to take for the stop's and swallow: the worker polled on and the
    node never stopped."""
    queue = queue_on(engine)
    handler = Ending()
    await queue.add(new_job("k", {}, T0))
    worker = Worker(queue, {"k": handler}, rules(3))
    running = handler.worker = asyncio.create_task(worker.run_one())
    with pytest.raises(asyncio.CancelledError):
        await running
