"""The database a command uses, migrated, and the repositories over it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from intake.adapters.db.data_keys import SqlDataKeyRepository
from intake.adapters.db.engine import create_engine
from intake.adapters.db.idempotency import SqlIdempotencyRepository
from intake.adapters.db.jobs import SqlJobQueue
from intake.adapters.db.media_hashes import SqlHashIndex
from intake.adapters.db.migrate import migrate
from intake.adapters.db.moderation import SqlModerationQueue
from intake.adapters.db.moderation_views import SqlModerationViews
from intake.adapters.db.moderators import SqlModeratorRepository
from intake.adapters.db.outbox import SqlOutbox
from intake.adapters.db.published_copies import SqlPublishedCopyRepository
from intake.adapters.db.rate_counters import SqlRateCounter
from intake.adapters.db.submissions import SqlSubmissionRepository
from intake.adapters.db.transactions import Database
from intake.adapters.db.uploads import SqlUploadRepository
from intake.adapters.private_files import private_directory
from intake.core.settings import Settings
from intake.inspection.ports import HashIndex
from intake.jobs.ports import JobQueue
from intake.keys.ports import DataKeyRepository, PublishedCopyRepository
from intake.moderation.ports import ModerationQueue, ModerationViews, ModeratorRepository
from intake.safeguards.ports import IdempotencyRepository, RateCounter
from intake.submissions.ports import SubmissionRepository
from intake.uploads.ports import UploadRepository
from intake.webhooks.ports import Outbox


@contextlib.asynccontextmanager
async def open_database(settings: Settings) -> AsyncIterator[Database]:
    """The configured database, migrated (always for SQLite; for PostgreSQL when
    ``database.migrate_on_start``), disposed of on the way out."""
    url = settings.database_url
    if not settings.database.url:  # SQLite in the data directory
        private_directory(settings.data_path)
    engine = create_engine(url, pool_size=settings.database.pool_size)
    try:
        if url.startswith("sqlite") or settings.database.migrate_on_start:
            await migrate(engine)
        yield Database(engine)
    finally:
        await engine.dispose()


def migrate_apart(settings: Settings) -> None:
    """Bring the schema up to date, as :func:`open_database` would, in a forked child: a
    long-lived command (``serve``, ``worker``) then never loads alembic, whose modules
    and revision scripts would stay in its memory (about 12 MiB); its own
    :func:`open_database` finds the schema current with one query. Call it before any
    thread starts. Without ``os.fork`` it does nothing (the command migrates itself).
    Raise :class:`SystemExit` when the child fails (it has logged why)."""
    if not hasattr(os, "fork"):
        return
    if not (settings.database_url.startswith("sqlite") or settings.database.migrate_on_start):
        return
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: migrate, then leave without running the parent's exit handlers
        code = 1
        try:
            asyncio.run(_open_and_close(settings))
            code = 0
        except BaseException:
            logging.getLogger("intake").exception("the database could not be migrated")
        finally:
            logging.shutdown()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit("intake: the database could not be migrated (see the log above)")


async def _open_and_close(settings: Settings) -> None:
    async with open_database(settings):
        pass


@dataclass(frozen=True)
class Repositories:
    engine: AsyncEngine
    submissions: SubmissionRepository
    uploads: UploadRepository
    jobs: JobQueue
    idempotency: IdempotencyRepository
    rate_counters: RateCounter
    moderation: ModerationQueue
    moderation_views: ModerationViews
    moderators: ModeratorRepository
    outbox: Outbox
    hashes: HashIndex
    data_keys: DataKeyRepository
    published_copies: PublishedCopyRepository


def repositories(
    database: Database, settings: Settings, *, submissions: SubmissionRepository | None = None
) -> Repositories:
    """Every repository on ``database`` (``submissions`` replaces that one, for tests)."""
    urls = settings.webhooks.urls
    return Repositories(
        engine=database.engine,
        submissions=submissions or SqlSubmissionRepository(database, urls),
        uploads=SqlUploadRepository(database),
        jobs=SqlJobQueue(database),
        idempotency=SqlIdempotencyRepository(database),
        rate_counters=SqlRateCounter(database),
        moderation=SqlModerationQueue(database, urls),
        moderation_views=SqlModerationViews(database),
        moderators=SqlModeratorRepository(database),
        outbox=SqlOutbox(database),
        hashes=SqlHashIndex(database),
        data_keys=SqlDataKeyRepository(database),
        published_copies=SqlPublishedCopyRepository(database),
    )
