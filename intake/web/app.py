"""The web application: ``create_app(settings, ...)``.

What it serves with is built by the composition root (:mod:`intake.wiring`) in one
cleanup context, in order: object store (``intake serve`` starts the embedded SeaweedFS
when no endpoint is set), database (migrated), services, job workers, and the background
loops its settings ask for (:func:`intake.wiring.loops.serve_loops`). Each resource is a
typed ``AppKey`` of :mod:`intake.web.keys`.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from intake.core.clock import Clock, utcnow
from intake.core.object_store import ObjectStore
from intake.core.settings import Settings
from intake.submissions.ports import SubmissionRepository
from intake.uploads.turns import UploadTurns
from intake.web import health, metrics
from intake.web.access_log import handler_args as access_log_args
from intake.web.cors import cors_middleware
from intake.web.desk import wiring as desk
from intake.web.draining import Draining
from intake.web.i18n import Catalogs
from intake.web.keys import (
    BACKGROUND,
    CHUNKS,
    CLOCK,
    DRAFTS,
    DRAINING,
    IDEMPOTENCY,
    INSPECTION,
    JOBS,
    MODERATION,
    MODERATION_LOOK,
    MODERATION_MEDIA,
    MODERATORS,
    OBJECT_STORE,
    OBSERVED,
    PUBLISHER,
    RATE_LIMITER,
    REPOSITORIES,
    REPOSITORY,
    SETTINGS,
    SUBMISSIONS,
    SUBMITTER,
    TEMPLATES,
    UPLOAD_TURNS,
    UPLOADS,
    WORKER,
)
from intake.web.metrics import metrics_middleware
from intake.web.moderation import accounts as api_moderators
from intake.web.moderation import media as api_media
from intake.web.moderation import publishing as api_publishing
from intake.web.moderation import queue as api_moderation
from intake.web.openapi import routes as openapi
from intake.web.pages import wiring as pages
from intake.web.pages.security import security_headers_middleware
from intake.web.problems import MAX_READ_BODY, problem_middleware
from intake.web.request_ids import request_id_middleware
from intake.web.submissions import api as api_submissions
from intake.web.submissions import config as api_config
from intake.web.templates import Templates
from intake.web.uploads import tus
from intake.web.uploads.chunk_tasks import ChunkTasks
from intake.web.uploads.tus import tus_middleware
from intake.wiring.database import open_database, repositories
from intake.wiring.inspection import open_worker
from intake.wiring.loops import Loop, run_loops, serve_loops
from intake.wiring.observing import Observed
from intake.wiring.services import Services, open_services
from intake.wiring.storage import open_object_store

log = logging.getLogger(__name__)
_GIVEN_REPOSITORY = web.AppKey("given_repository", SubmissionRepository)


def _publish(app: web.Application, services: Services) -> None:
    repos = services.repositories
    app[OBJECT_STORE] = services.store
    app[REPOSITORIES] = repos
    app[REPOSITORY] = repos.submissions
    app[JOBS] = repos.jobs
    app[SUBMISSIONS] = services.submissions
    app[DRAFTS] = services.drafts
    app[UPLOADS] = services.uploads
    app[SUBMITTER] = services.submitter
    app[IDEMPOTENCY] = services.idempotency
    app[RATE_LIMITER] = services.rate_limiter
    app[MODERATORS] = services.moderators
    app[MODERATION] = services.moderation
    app[MODERATION_LOOK] = services.moderation_look
    app[MODERATION_MEDIA] = services.moderation_media
    app[PUBLISHER] = services.publisher


async def resources_ctx(app: web.Application) -> AsyncIterator[None]:
    """Everything the service works with, opened in order and closed in reverse."""
    settings, clock = app[SETTINGS], app[CLOCK]
    async with contextlib.AsyncExitStack() as stack:
        given = app.get(OBJECT_STORE)
        store: ObjectStore = (
            given
            if given is not None
            else await stack.enter_async_context(open_object_store(settings, start_embedded=True))
        )
        database = await stack.enter_async_context(open_database(settings))
        observed = app[OBSERVED]
        stack.callback(observed.watch_store(store))
        observed.watch_database(database)
        repos = repositories(database, settings, submissions=app.get(_GIVEN_REPOSITORY))
        services = await stack.enter_async_context(open_services(settings, store, repos, clock))
        _publish(app, services)
        inspection = await stack.enter_async_context(
            open_worker(settings, services.store, repos, clock)
        )
        app[INSPECTION], app[WORKER] = inspection.service, inspection.worker
        observed.watch_decoders(inspection.decoders)
        stack.push_async_callback(app[CHUNKS].wait)
        loops = serve_loops(settings)
        if not app[_RUN_WORKERS]:
            loops = [loop for loop in loops if loop is not Loop.WORKERS]
        app[BACKGROUND] = await stack.enter_async_context(
            run_loops(loops, settings, services, inspection.worker, clock)
        )
        log.info("running beside the web: %s", ", ".join(app[BACKGROUND].names) or "nothing")
        yield


_RUN_WORKERS = web.AppKey("run_workers", bool)


def create_app(
    settings: Settings,
    *,
    object_store: ObjectStore | None = None,
    repository: SubmissionRepository | None = None,
    workers: bool | None = None,
    clock: Clock = utcnow,
) -> web.Application:
    """The intake application. Pass ``object_store``/``repository`` to use ready ones;
    ``workers`` runs job workers in it (default: ``workers.in_process``); every service
    tells time by ``clock``."""
    app = web.Application(
        middlewares=[
            security_headers_middleware,
            request_id_middleware,
            metrics_middleware,
            cors_middleware,
            tus_middleware,
            problem_middleware,
        ],
        client_max_size=MAX_READ_BODY,
        handler_args={
            "read_bufsize": settings.uploads.receive_buffer,
            **access_log_args(settings.server.access_log),
        },
    )
    app[SETTINGS] = settings
    app[CLOCK] = clock
    app[OBSERVED] = Observed(clock=clock)
    app[TEMPLATES] = Templates(Catalogs(settings.submissions.locales))
    app[UPLOAD_TURNS] = UploadTurns(settings.uploads.active_uploads)
    app[CHUNKS] = ChunkTasks(settings.operations.shutdown_grace_seconds)
    app[DRAINING] = Draining()
    app[_RUN_WORKERS] = settings.workers.in_process if workers is None else workers
    if object_store is not None:
        app[OBJECT_STORE] = object_store
    if repository is not None:
        app[_GIVEN_REPOSITORY] = repository
    app.cleanup_ctx.append(resources_ctx)
    for module in (api_submissions, api_config, health, tus, api_moderation, api_moderators,
                   api_media, api_publishing):  # fmt: skip
        app.add_routes(module.routes)
    pages.install(app)
    metrics.install(app)
    desk.install(app)
    openapi.setup(app)
    return app
