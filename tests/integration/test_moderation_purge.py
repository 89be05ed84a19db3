"""The janitor's moderation share: acknowledged webhook deliveries and their events go after
their keeping time while undelivered ones stay; lapsed login-failure counts and expired
session tokens go, live ones stay."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from intake.adapters.db.engine import create_engine
from intake.adapters.db.migrate import migrate
from intake.adapters.db.moderators import SqlModeratorRepository
from intake.adapters.db.outbox import SqlOutbox
from intake.adapters.db.submissions import SqlSubmissionRepository
from intake.adapters.db.transactions import Database
from intake.core.ids import new_id
from intake.moderation.records import Moderator, Role, TokenKind
from intake.submissions.events import state_event
from intake.submissions.records import AuditEntry, SubmissionState
from tests.moderation_helpers import EPOCH, queue

URL = "http://127.0.0.1:9/hook"
DAY = dt.timedelta(days=1)


async def test_acknowledged_events_are_forgotten_and_pending_ones_kept(
    engine: AsyncEngine,
) -> None:
    database = Database(engine)
    repository = SqlSubmissionRepository(database, [URL])
    waiting = await queue(repository, 3)
    for submission in waiting:
        at = submission.created_at
        audit = AuditEntry(submission.id, at, "submitter", "withdrawn", submission.state,
                           SubmissionState.WITHDRAWN)  # fmt: skip
        await repository.withdraw(submission.id, audit, state_event(submission, audit.to_state, at))
    outbox = SqlOutbox(database)
    taken = await outbox.take_due("dispatcher", EPOCH + DAY, EPOCH + 2 * DAY, limit=1)
    assert len(taken) == 1
    await outbox.delivered(taken[0].id, "dispatcher", EPOCH + DAY)
    delivered = taken[0].event.submission_id

    assert await outbox.purge(EPOCH + DAY) == 0  # kept until its time has passed
    assert await outbox.purge(EPOCH + 30 * DAY) == 1
    assert await outbox.events_of(delivered) == []
    for submission in waiting:
        if submission.id != delivered:
            assert len(await outbox.events_of(submission.id)) == 1
    assert await outbox.pending_count() == 2


async def test_lapsed_login_failures_and_expired_sessions_are_forgotten(
    engine: AsyncEngine,
) -> None:
    accounts = SqlModeratorRepository(Database(engine))
    moderator = Moderator(new_id(), "purged", Role.MODERATOR, False, EPOCH, EPOCH)
    audit = AuditEntry("", EPOCH, "test", "moderator_added", None, None)
    assert await accounts.add(moderator, audit)
    for token, expires in (("a" * 64, EPOCH + DAY), ("b" * 64, EPOCH + 3 * DAY)):
        await accounts.add_token(moderator.id, token, TokenKind.SESSION, token_id=token[:8],
                                 now=EPOCH, expires_at=expires, audit=audit)  # fmt: skip
    await accounts.count_attempt("purged|127.0.0.1", EPOCH, EPOCH - DAY)
    await accounts.count_attempt("purged|127.0.0.2", EPOCH + 2 * DAY, EPOCH + DAY)

    removed = await accounts.purge(EPOCH + DAY, EPOCH + 2 * DAY)

    assert removed == 2
    assert await accounts.by_token_hash("a" * 64, EPOCH) is None
    assert await accounts.by_token_hash("b" * 64, EPOCH + 2 * DAY) == moderator
    assert await accounts.failures("purged|127.0.0.1", EPOCH - DAY) == (0, None)
    assert (await accounts.failures("purged|127.0.0.2", EPOCH + DAY))[0] == 1


async def test_the_migration_gives_tokens_an_id_and_api_tokens_an_expiry(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    await migrate(engine, "0009")
    now = dt.datetime.now(dt.UTC)
    async with engine.begin() as conn:
        await conn.execute(
            text("INSERT INTO moderators VALUES ('m1', 'amina', 'moderator', '', false, :at, :at)"),
            {"at": now},
        )
        for token_hash, kind, expires in (("a" * 64, "api", None), ("b" * 64, "session", now)):
            await conn.execute(
                text("INSERT INTO moderator_tokens VALUES (:h, 'm1', :kind, :at, :expires)"),
                {"h": token_hash, "kind": kind, "at": now, "expires": expires},
            )
    await migrate(engine)
    accounts = SqlModeratorRepository(Database(engine))
    listed = {t.kind: t for t in await accounts.tokens("m1", now - DAY)}
    await engine.dispose()
    assert listed[TokenKind.API].id == "a" * 32 and listed[TokenKind.SESSION].id == "b" * 32
    expires = listed[TokenKind.API].expires_at
    assert expires is not None and 89 * DAY < expires - now <= 91 * DAY
    assert listed[TokenKind.API].last_used_at is None
