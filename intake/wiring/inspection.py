"""Job workers: the inspection service, its decoder processes and the scanner."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass

from intake.adapters.clamd import ClamdScanner
from intake.core.clock import Clock, utcnow
from intake.core.object_store import ObjectStore
from intake.core.settings import Settings
from intake.inspection.decoder_process import ProcessLimits
from intake.inspection.decoders import DecoderPool
from intake.inspection.service import InspectionRules, InspectionService
from intake.jobs.worker import JobRules, Worker
from intake.submissions.acceptance import INSPECT_SUBMISSION
from intake.wiring.database import Repositories
from intake.wiring.keys import key_ring, sealing


def job_rules(settings: Settings) -> JobRules:
    w = settings.workers
    return JobRules(
        lease=dt.timedelta(seconds=w.lease_seconds),
        max_attempts=w.max_attempts,
        retry_base=dt.timedelta(seconds=w.retry_base_seconds),
        retry_max=dt.timedelta(seconds=w.retry_max_seconds),
        poll_seconds=w.poll_seconds,
    )


@dataclass(frozen=True)
class Inspection:
    service: InspectionService
    worker: Worker
    decoders: DecoderPool


@contextlib.asynccontextmanager
async def open_worker(
    settings: Settings, bucket: ObjectStore, repos: Repositories, clock: Clock = utcnow
) -> AsyncIterator[Inspection]:
    """A worker for every kind of job, with the decoder processes it needs (started on
    first use, stopped on the way out); it reads and writes ``bucket`` sealed."""
    with sealing(settings, bucket, key_ring(settings, repos, clock)) as store:
        async with _open_worker(settings, store, repos, clock) as inspection:
            yield inspection


@contextlib.asynccontextmanager
async def _open_worker(
    settings: Settings, store: ObjectStore, repos: Repositories, clock: Clock
) -> AsyncIterator[Inspection]:
    scan = settings.scan
    scanner = (
        ClamdScanner(scan.clamd_address, timeout=scan.timeout_seconds, chunk_size=scan.chunk_size)
        if scan.clamd_address
        else None
    )
    i = settings.inspection
    decoders = DecoderPool(
        i.processes,
        i.timeout_seconds,
        ProcessLimits(memory_bytes=i.decoder_memory, cpu_seconds=i.decoder_cpu_seconds),
    )
    rules = InspectionRules.from_settings(settings)
    service = InspectionService(
        store, repos.submissions, decoders, scanner, rules, clock, hashes=repos.hashes
    )
    worker = Worker(repos.jobs, {INSPECT_SUBMISSION: service}, job_rules(settings), clock)
    try:
        yield Inspection(service, worker, decoders)
    finally:
        await asyncio.get_running_loop().run_in_executor(None, decoders.close)
