"""Concurrent moderators never get the same submission, on PostgreSQL and on SQLite,
through the service layer and over HTTP; the audit log cannot be changed."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from intake.adapters.db.moderation import SqlModerationQueue
from intake.adapters.db.schema import audit_log
from intake.adapters.db.submissions import SqlSubmissionRepository
from intake.adapters.db.transactions import Database
from intake.core.ids import new_id
from intake.moderation.ports import QueueFilter
from intake.moderation.queue import ModerationRules, ModerationService
from intake.moderation.records import Moderator, Role
from intake.submissions.records import SubmissionState
from intake.web.keys import REPOSITORY
from tests.moderation_helpers import MODERATION, auth, moderator_token, queue

CLAIMERS = 32
WAITING = 200
NOW = dt.datetime(2026, 11, 28, tzinfo=dt.UTC)


def a_moderator(number: int) -> Moderator:
    return Moderator(new_id(), f"m{number}", Role.MODERATOR, False, NOW, NOW)


def assert_each_claimed_once(claims: list[str], expected: set[str]) -> None:
    repeated = [i for i, n in Counter(claims).items() if n > 1]
    assert repeated == [], f"claimed more than once: {repeated}"
    assert set(claims) == expected


async def test_concurrent_claims_through_the_service_never_collide(engine: AsyncEngine) -> None:
    database = Database(engine)
    repository = SqlSubmissionRepository(database)
    expected = {s.id for s in await queue(repository, WAITING)}
    rules = ModerationRules(dt.timedelta(minutes=10), ("other",))
    service = ModerationService(SqlModerationQueue(database), repository, rules)

    async def moderate(number: int) -> list[str]:
        me, mine = a_moderator(number), []
        while (claimed := await service.claim(me, QueueFilter())) is not None:
            mine.append(claimed.id)
            await service.decide(me, claimed.id, "approve", "other", "")
        return mine

    results = await asyncio.gather(*(moderate(n) for n in range(CLAIMERS)))
    assert_each_claimed_once([i for mine in results for i in mine], expected)
    assert sum(1 for mine in results if mine) > 1, "one moderator took everything"
    decided = await repository.get_submission(next(iter(expected)))
    assert decided is not None and decided.state is SubmissionState.APPROVED


async def test_concurrent_claims_over_http_never_collide(
    make_client: Any, database_url: str
) -> None:
    client = await make_client(database_url=database_url)
    app = client.server.app
    expected = {s.id for s in await queue(app[REPOSITORY], WAITING)}
    tokens = [await moderator_token(app, f"http-{n}") for n in range(CLAIMERS)]
    statuses: Counter[int] = Counter()

    async def moderate(token: str) -> list[str]:
        mine = []
        while True:
            claimed = await client.post(f"{MODERATION}/claim", headers=auth(token))
            statuses[claimed.status] += 1
            if claimed.status == 204:
                return mine
            submission_id = (await claimed.json())["id"]
            mine.append(submission_id)
            decided = await client.post(
                f"{MODERATION}/submissions/{submission_id}/decision",
                headers=auth(token),
                json={"decision": "reject", "reason": "other"},
            )
            statuses[decided.status] += 1

    results = await asyncio.gather(*(moderate(t) for t in tokens))
    assert_each_claimed_once([i for mine in results for i in mine], expected)
    assert set(statuses) == {200, 204}, statuses
    assert statuses[204] == CLAIMERS


async def test_the_audit_log_is_append_only(engine: AsyncEngine) -> None:
    repository = SqlSubmissionRepository(Database(engine))
    [submission] = await queue(repository, 1)
    for statement in (
        update(audit_log).values(actor="someone else"),
        delete(audit_log).where(audit_log.c.submission_id == submission.id),
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            async with engine.begin() as conn:
                await conn.execute(statement)
    if engine.dialect.name == "postgresql":
        with pytest.raises(DBAPIError, match="append-only"):
            async with engine.begin() as conn:
                await conn.execute(text("TRUNCATE audit_log"))
    trail = await repository.audit_trail(submission.id)
    assert [a.actor for a in trail] == ["system"]


async def test_the_audit_trail_shows_each_step_in_order(engine: AsyncEngine) -> None:
    database = Database(engine)
    repository = SqlSubmissionRepository(database)
    [submission] = await queue(repository, 1)
    rules = ModerationRules(dt.timedelta(minutes=10), ("other", "needs_senior"))
    service = ModerationService(SqlModerationQueue(database), repository, rules)
    junior = a_moderator(1)
    senior = Moderator(new_id(), "senior", Role.SENIOR, False, NOW, NOW)
    anything = QueueFilter()
    assert await service.claim(junior, anything) is not None
    await service.release(junior, submission.id)
    assert await service.claim(junior, anything) is not None
    await service.decide(junior, submission.id, "escalate", "needs_senior", "")
    assert await service.claim(junior, anything) is None
    assert await service.claim(senior, anything) is not None
    await service.decide(senior, submission.id, "approve", "other", "called the reader")
    trail = await repository.audit_trail(submission.id)
    S = SubmissionState
    assert [(a.action, a.actor, a.from_state, a.to_state) for a in trail] == [
        ("queued_for_review", "system", S.RECEIVED, S.PENDING_REVIEW),
        ("claimed", "m1", S.PENDING_REVIEW, S.IN_REVIEW),
        ("released", "m1", S.IN_REVIEW, S.PENDING_REVIEW),
        ("claimed", "m1", S.PENDING_REVIEW, S.IN_REVIEW),
        ("decided", "m1", S.IN_REVIEW, S.ESCALATED),
        ("claimed", "senior", S.ESCALATED, S.IN_REVIEW),
        ("decided", "senior", S.IN_REVIEW, S.APPROVED),
    ]
    assert [a.at for a in trail] == sorted(a.at for a in trail)
    assert trail[-1].detail == {
        "decision": "approve",
        "reason": "other",
        "note": "called the reader",
        "claimed_from": "escalated",
    }
