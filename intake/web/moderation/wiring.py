"""The moderation side of the app, opened and closed by cleanup contexts: accounts and
their password hashing threads, the queue services, and the webhook dispatcher (which
also returns lapsed leases to the queue as it goes)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from intake.adapters.db.moderation import SqlModerationQueue
from intake.adapters.db.moderation_views import SqlModerationViews
from intake.adapters.db.moderators import SqlModeratorRepository
from intake.adapters.db.outbox import SqlOutbox
from intake.adapters.db.transactions import Database
from intake.adapters.webhook_sender import HttpWebhookSender
from intake.core.clock import utcnow
from intake.core.errors import ConfigurationError, IntakeError
from intake.core.settings import Settings
from intake.moderation.accounts import LoginRules, ModeratorService
from intake.moderation.look import ModerationLook
from intake.moderation.passwords import Passwords
from intake.moderation.queue import ModerationRules, ModerationService
from intake.web.keys import (
    DATABASE,
    MODERATION,
    MODERATION_LOOK,
    MODERATORS,
    OBJECT_STORE,
    OUTBOX,
    REPOSITORY,
    SETTINGS,
)
from intake.webhooks.dispatcher import Dispatcher, DispatchRules

log = logging.getLogger(__name__)


def login_rules(settings: Settings) -> LoginRules:
    m = settings.moderation
    return LoginRules(
        max_failures=m.login_max_failures,
        window=dt.timedelta(seconds=m.login_window_seconds),
        session=dt.timedelta(seconds=m.session_seconds),
    )


def moderator_service(
    settings: Settings, database: Database, passwords: Passwords
) -> ModeratorService:
    return ModeratorService(SqlModeratorRepository(database), passwords, login_rules(settings))


async def moderation_ctx(app: web.Application) -> AsyncIterator[None]:
    settings, database = app[SETTINGS], app[DATABASE]
    passwords = Passwords(settings.moderation.hash_threads)
    app[MODERATORS] = moderator_service(settings, database, passwords)
    app[OUTBOX] = SqlOutbox(database)
    queue = SqlModerationQueue(database, settings.webhooks.urls)
    app[MODERATION] = ModerationService(
        queue, app[REPOSITORY], ModerationRules.from_settings(settings)
    )
    app[MODERATION_LOOK] = ModerationLook(
        SqlModerationViews(database), app[REPOSITORY], app[OBJECT_STORE],
        settings.s3.presign_seconds,
    )  # fmt: skip
    try:
        yield
    finally:
        passwords.close()


async def dispatcher_ctx(app: web.Application) -> AsyncIterator[None]:
    """The webhook dispatcher, when URLs are configured and ``webhooks.dispatch`` is on."""
    settings = app[SETTINGS]
    hooks = settings.webhooks
    if hooks.urls and not hooks.secret:
        raise ConfigurationError("webhooks.secret: needed when webhooks.urls is set")
    if not (hooks.urls and hooks.dispatch):
        yield
        return
    sender = HttpWebhookSender(hooks.timeout_seconds)
    dispatcher = Dispatcher(app[OUTBOX], sender, DispatchRules.from_settings(settings))
    task = asyncio.create_task(dispatcher.run(hooks.poll_seconds))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await sender.close()


async def purge_moderation(app: web.Application, now: dt.datetime) -> None:
    """The janitor's share: acknowledged webhook deliveries and their events after
    ``webhooks.keep_delivered_days``, lapsed login-failure counts, expired sessions."""
    keep = dt.timedelta(days=app[SETTINGS].webhooks.keep_delivered_days)
    await app[OUTBOX].purge(now - keep)
    await app[MODERATORS].purge()


async def lapsed_leases_ctx(app: web.Application) -> AsyncIterator[None]:
    """Return lapsed leases to the queue (audited) every lease period, claims or not."""
    period = app[SETTINGS].moderation.lease_seconds
    queue = SqlModerationQueue(app[DATABASE])
    task = asyncio.create_task(_sweep(queue, max(1.0, period / 4)))
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _sweep(queue: SqlModerationQueue, every: float) -> None:
    while True:
        await asyncio.sleep(every)
        try:
            returned = await queue.return_lapsed(utcnow())
        except IntakeError as exc:
            log.warning("lapsed leases: %s", exc.detail)
            continue
        except Exception:  # a bug must not stop the sweeps
            log.exception("returning lapsed leases failed")
            continue
        if returned:
            log.info("%d lapsed leases returned to the queue", returned)
