"""The application, wired in one place: ``create_app(settings, ...)``.

Resources are opened and closed by cleanup contexts, in order: object store (the
embedded SeaweedFS when no endpoint is set), database (migrated), services, the
janitor, and the job workers (in-process unless ``workers.in_process`` is off).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from intake.adapters.clamd import ClamdScanner
from intake.adapters.db.engine import create_engine
from intake.adapters.db.idempotency import SqlIdempotencyRepository
from intake.adapters.db.jobs import SqlJobQueue
from intake.adapters.db.migrate import migrate
from intake.adapters.db.rate_counters import SqlRateCounter
from intake.adapters.db.submissions import SqlSubmissionRepository
from intake.adapters.db.transactions import Database
from intake.adapters.db.uploads import SqlUploadRepository
from intake.adapters.embedded.seaweedfs import run_seaweedfs
from intake.adapters.s3 import S3Connection, S3ObjectStore
from intake.core.errors import IntakeError
from intake.core.object_store import ObjectStore
from intake.core.settings import Settings
from intake.inspection.decoders import DecoderPool
from intake.inspection.service import InspectionRules, InspectionService
from intake.jobs.worker import JobRules, Worker, run_workers
from intake.safeguards.idempotency import Idempotency
from intake.safeguards.rate_limits import RateLimiter
from intake.submissions.drafts import DraftService
from intake.submissions.policy import IntakePolicy
from intake.submissions.ports import SubmissionRepository
from intake.submissions.receiving import INSPECT_SUBMISSION, SubmissionService
from intake.submissions.submitter import SubmitterService
from intake.uploads.resumable import UploadRules, UploadService
from intake.uploads.turns import UploadTurns
from intake.web import health
from intake.web.cors import cors_middleware
from intake.web.i18n import Catalogs
from intake.web.keys import (
    DATABASE,
    DECODERS,
    DRAFTS,
    ENGINE,
    IDEMPOTENCY,
    INSPECTION,
    JOBS,
    OBJECT_STORE,
    RATE_LIMITER,
    REPOSITORY,
    SETTINGS,
    SUBMISSIONS,
    SUBMITTER,
    TEMPLATES,
    UPLOAD_REPOSITORY,
    UPLOAD_TURNS,
    UPLOADS,
    WORKER,
)
from intake.web.moderation import accounts as api_moderators
from intake.web.moderation import queue as api_moderation
from intake.web.moderation.wiring import (
    dispatcher_ctx,
    lapsed_leases_ctx,
    moderation_ctx,
    purge_moderation,
)
from intake.web.openapi import document as openapi
from intake.web.pages import wiring as pages
from intake.web.pages.security import security_headers_middleware
from intake.web.problems import MAX_READ_BODY, problem_middleware
from intake.web.request_ids import request_id_middleware
from intake.web.submissions import api as api_submissions
from intake.web.submissions import config as api_config
from intake.web.templates import Templates
from intake.web.uploads import tus
from intake.web.uploads.tus import tus_middleware

log = logging.getLogger(__name__)
IDEMPOTENCY_HOURS = 24


def _policy_file(settings: Settings, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((Path(settings.server.storage_dir) / name).read_text())
    return data


def s3_connection(settings: Settings, endpoint: str, key_id: str, secret: str) -> S3Connection:
    s3 = settings.s3
    return S3Connection(
        endpoint=endpoint or None,
        region=s3.region,
        bucket=s3.bucket,
        access_key_id=key_id or None,
        secret_access_key=secret or None,
        addressing_style=s3.addressing_style,
        server_side_encryption=s3.server_side_encryption,
        threads=s3.threads,
    )


async def _open_s3(app: web.Application, conn: S3Connection, set_up: bool) -> S3ObjectStore:
    settings = app[SETTINGS]
    store = S3ObjectStore(conn)
    if set_up:
        await store.ensure_bucket()
        await store.apply_policies(
            _policy_file(settings, "lifecycle.json"), _policy_file(settings, "cors.json")
        )
    else:
        await store.ping()
    return store


async def object_store_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    if OBJECT_STORE in app:
        yield
        return
    if settings.s3.endpoint:
        conn = s3_connection(
            settings,
            settings.s3.endpoint,
            settings.s3.access_key_id,
            settings.s3.secret_access_key,
        )
        store = await _open_s3(app, conn, set_up=settings.s3.create_bucket)
        app[OBJECT_STORE] = store
        yield
        store.close()
        return
    identity = Path(settings.server.storage_dir) / "seaweedfs-s3.json"
    async with run_seaweedfs(settings.data_path / "seaweedfs", identity) as embedded:
        conn = s3_connection(
            settings, embedded.endpoint, embedded.access_key_id, embedded.secret_access_key
        )
        store = await _open_s3(app, conn, set_up=True)
        app[OBJECT_STORE] = store
        try:
            yield
        finally:
            store.close()


async def database_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    url = settings.database_url
    engine = create_engine(url, pool_size=settings.database.pool_size)
    if url.startswith("sqlite") or settings.database.migrate_on_start:
        await migrate(engine)
    app[ENGINE] = engine
    database = app[DATABASE] = Database(engine)
    if REPOSITORY not in app:
        app[REPOSITORY] = SqlSubmissionRepository(database, settings.webhooks.urls)
    app[UPLOAD_REPOSITORY] = SqlUploadRepository(database)
    app[JOBS] = SqlJobQueue(database)
    try:
        yield
    finally:
        await engine.dispose()


async def services_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    policy = IntakePolicy.from_settings(settings)
    store, submissions, uploads = app[OBJECT_STORE], app[REPOSITORY], app[UPLOAD_REPOSITORY]
    app[SUBMISSIONS] = SubmissionService(store, submissions, policy)
    app[DRAFTS] = DraftService(store, submissions, uploads, policy)
    rules = UploadRules(
        expire_after=dt.timedelta(seconds=settings.uploads.expire_seconds),
        lease=dt.timedelta(seconds=settings.uploads.lease_seconds),
    )
    app[UPLOADS] = UploadService(store, uploads, policy.uploads, rules)
    app[UPLOAD_TURNS] = UploadTurns(settings.uploads.active_uploads)
    app[SUBMITTER] = SubmitterService(store, submissions, uploads, app[DRAFTS], app[UPLOADS])
    app[IDEMPOTENCY] = Idempotency(
        SqlIdempotencyRepository(app[DATABASE]), dt.timedelta(hours=IDEMPOTENCY_HOURS)
    )
    rate = settings.rate
    app[RATE_LIMITER] = RateLimiter(
        SqlRateCounter(app[DATABASE]),
        {"submissions": rate.submissions, "uploads": rate.uploads},
        dt.timedelta(seconds=rate.window_seconds),
    )
    yield


def job_rules(settings: Settings) -> JobRules:
    w = settings.workers
    return JobRules(
        lease=dt.timedelta(seconds=w.lease_seconds),
        max_attempts=w.max_attempts,
        retry_base=dt.timedelta(seconds=w.retry_base_seconds),
        retry_max=dt.timedelta(seconds=w.retry_max_seconds),
        poll_seconds=w.poll_seconds,
    )


async def inspection_ctx(app: web.Application) -> AsyncIterator[None]:
    """The inspection service and its decoder processes (started on first use)."""
    settings = app[SETTINGS]
    scan = settings.scan
    scanner = (
        ClamdScanner(scan.clamd_address, timeout=scan.timeout_seconds, chunk_size=scan.chunk_size)
        if scan.clamd_address
        else None
    )
    decoders = app[DECODERS] = DecoderPool(
        settings.inspection.processes, settings.inspection.timeout_seconds
    )
    app[INSPECTION] = InspectionService(
        app[OBJECT_STORE], app[REPOSITORY], decoders, scanner,
        InspectionRules.from_settings(settings),
    )  # fmt: skip
    app[WORKER] = Worker(app[JOBS], {INSPECT_SUBMISSION: app[INSPECTION]}, job_rules(settings))
    try:
        yield
    finally:
        await asyncio.get_running_loop().run_in_executor(None, decoders.close)


def workers_ctx(run: bool) -> Callable[[web.Application], AsyncIterator[None]]:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        """Job workers in this process (``workers.concurrency`` at once)."""
        task = (
            asyncio.create_task(run_workers(app[WORKER], app[SETTINGS].workers.concurrency))
            if run
            else None
        )
        yield
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return ctx


async def janitor_ctx(app: web.Application) -> AsyncIterator[None]:
    """Expire abandoned uploads every ``uploads.janitor_seconds`` (0: leave it to cron)."""
    interval = app[SETTINGS].uploads.janitor_seconds
    task = asyncio.create_task(_janitor_loop(app, interval)) if interval else None
    yield
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def purge_kept_rows(app: web.Application) -> None:
    """Forget what is kept only for a while: idempotency keys, rate counters, finished
    jobs, acknowledged webhook deliveries, login failures (the janitor's rounds)."""
    await app[IDEMPOTENCY].purge()
    await app[RATE_LIMITER].purge()
    now = dt.datetime.now(dt.UTC)
    keep = dt.timedelta(days=app[SETTINGS].workers.keep_done_days)
    await app[JOBS].purge(now - keep)
    await purge_moderation(app, now)


async def _janitor_loop(app: web.Application, interval: int) -> None:
    uploads = app[UPLOADS]
    while True:
        await asyncio.sleep(interval)
        try:
            await purge_kept_rows(app)
            expired = await uploads.expire_due()
        except IntakeError as exc:
            log.warning("janitor: %s", exc.detail)
            continue
        if expired:
            log.info("janitor: %d expired uploads removed", expired)


def create_app(
    settings: Settings,
    *,
    object_store: ObjectStore | None = None,
    repository: SubmissionRepository | None = None,
    workers: bool | None = None,
) -> web.Application:
    """The intake application. Pass ``object_store``/``repository`` to use ready ones;
    ``workers`` runs job workers in it (default: ``workers.in_process``)."""
    app = web.Application(
        middlewares=[
            security_headers_middleware,
            request_id_middleware,
            cors_middleware,
            tus_middleware,
            problem_middleware,
        ],
        client_max_size=MAX_READ_BODY,
        handler_args={"read_bufsize": settings.uploads.receive_buffer},
    )
    app[SETTINGS] = settings
    app[TEMPLATES] = Templates(Catalogs(settings.submissions.locales))
    if object_store is not None:
        app[OBJECT_STORE] = object_store
    if repository is not None:
        app[REPOSITORY] = repository
    run = settings.workers.in_process if workers is None else workers
    app.cleanup_ctx.extend(
        [object_store_ctx, database_ctx, services_ctx, inspection_ctx, moderation_ctx,
         janitor_ctx, workers_ctx(run), lapsed_leases_ctx, dispatcher_ctx]
    )  # fmt: skip
    app.add_routes(api_submissions.routes)
    app.add_routes(api_config.routes)
    pages.install(app)
    app.add_routes(health.routes)
    app.add_routes(tus.routes)
    app.add_routes(openapi.routes)
    app.add_routes(api_moderation.routes)
    app.add_routes(api_moderators.routes)
    return app
