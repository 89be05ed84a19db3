"""What the desk asks of the database, on SQLite and PostgreSQL: searches by language, a
moderator's own decisions (escalated ones hidden from plain moderators), claims
that pass over skipped submissions, openings in the audit log, signing out."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy.ext.asyncio import AsyncEngine

from intake.adapters.db.moderation import SqlModerationQueue
from intake.adapters.db.moderation_views import SqlModerationViews
from intake.adapters.db.moderators import SqlModeratorRepository
from intake.adapters.db.submissions import SqlSubmissionRepository
from intake.adapters.db.transactions import Database
from intake.core.ids import hash_token, new_id
from intake.moderation.ports import QueueFilter, SubmissionQuery
from intake.moderation.queue import ModerationRules, ModerationService
from intake.moderation.records import Moderator, Role, TokenKind
from intake.submissions.records import (
    AuditEntry,
    FileFlag,
    FlagKind,
)
from tests.moderation_helpers import a_file, waiting_submission

NOW = dt.datetime(2026, 11, 28, tzinfo=dt.UTC)


async def test_search_by_language(engine: AsyncEngine) -> None:
    database = Database(engine)
    repository = SqlSubmissionRepository(database)
    views = SqlModerationViews(database)
    plain, pashto, near = (
        waiting_submission(n, locale=loc) for n, loc in enumerate(("en", "ps", "en"))
    )
    for submission, flags in (
        (plain, ()),
        (pashto, ()),
        (near, (FileFlag(FlagKind.NEAR_DUPLICATE, plain.id, "f", 3),)),
    ):
        await repository.add_submission(submission, [a_file(submission, flags=flags)], [])
    found = await views.search(SubmissionQuery(locale="ps"), NOW)
    assert [s.id for s in found] == [pashto.id]


async def test_own_decisions_skips_and_openings(engine: AsyncEngine) -> None:
    database = Database(engine)
    repository = SqlSubmissionRepository(database)
    queue = SqlModerationQueue(database)
    views = SqlModerationViews(database)
    made = [waiting_submission(n) for n in range(3)]
    for submission in made:
        await repository.add_submission(submission, [a_file(submission)], [])
    me = Moderator(new_id(), "amina", Role.MODERATOR, False, NOW, NOW)
    service = ModerationService(
        queue, repository, ModerationRules(dt.timedelta(minutes=10), ("other",))
    )
    first = await service.claim(me, QueueFilter(skip=(made[0].id,)))
    assert first is not None and first.id == made[1].id, "the skipped one is passed over"
    await service.decide(me, first.id, "escalate", "other", "")
    second = await service.claim(me, QueueFilter())
    assert second is not None and second.id == made[0].id
    await service.decide(me, second.id, "approve", "other", "a note")
    everything = await views.decisions_by("amina", 10)
    assert [(a.detail["decision"], s.id) for a, s in everything] == [
        ("approve", made[0].id),
        ("escalate", made[1].id),
    ]
    assert everything[0][0].detail["note"] == "a note"
    hidden = await views.decisions_by("amina", 10, hide_escalated=True)
    assert [s.id for _, s in hidden] == [made[0].id]
    opened = AuditEntry(
        made[2].id,
        NOW,
        "amina",
        "file_opened",
        None,
        None,
        {"file_id": "f", "variant": "original", "bytes": "0-9"},
    )
    await queue.record(opened)
    trail = await repository.audit_trail(made[2].id)
    assert dataclasses.replace(trail[-1], at=NOW) == opened


async def test_signing_out_drops_the_session_token(engine: AsyncEngine) -> None:
    accounts = SqlModeratorRepository(Database(engine))
    me = Moderator(new_id(), "amina", Role.MODERATOR, False, NOW, NOW)
    note = AuditEntry("", NOW, "amina", "x", None, None, {})
    assert await accounts.add(me, note)
    token = hash_token("imod_session")
    await accounts.add_token(
        me.id,
        token,
        TokenKind.SESSION,
        token_id=new_id(),
        now=NOW,
        expires_at=NOW + dt.timedelta(hours=1),
        audit=note,
    )
    assert await accounts.by_token_hash(token, NOW) is not None
    assert await accounts.drop_token(token, note)
    assert await accounts.by_token_hash(token, NOW) is None
    assert not await accounts.drop_token(token, note)
