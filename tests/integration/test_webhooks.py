"""Webhooks: every event reaches a receiver that fails at first, exactly once after
dropping repeats by id, correctly signed; a dispatcher stopped mid-delivery loses none."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy.ext.asyncio import AsyncEngine

from intake.adapters.db.outbox import SqlOutbox
from intake.adapters.db.submissions import SqlSubmissionRepository
from intake.adapters.db.transactions import Database
from intake.adapters.webhook_sender import HttpWebhookSender
from intake.submissions.events import state_event
from intake.submissions.records import AuditEntry, SubmissionState
from intake.web.keys import REPOSITORIES, REPOSITORY
from intake.webhooks.dispatcher import Dispatcher, DispatchRules
from intake.webhooks.signature import EVENT_ID_HEADER, HEADER, verify
from tests.moderation_helpers import MODERATION, auth, moderator_token, queue
from tests.tus_helpers import new_draft

SECRET = "a webhook secret for the tests"


@dataclass
class Receiver:
    """A webhook receiver on loopback that answers 500 to its first ``failures``
    requests, and leaves the first ``hangs`` without an answer until cancelled."""

    failures: int = 0
    hangs: int = 0
    received: list[dict[str, Any]] = field(default_factory=list)
    bad_signatures: int = 0
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    url: str = ""

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        if not verify(SECRET, request.headers.get(HEADER, ""), body):
            self.bad_signatures += 1
        event = json.loads(body)
        assert request.headers[EVENT_ID_HEADER] == event["id"]
        self.received.append(event)
        self.arrived.set()
        if self.hangs:
            self.hangs -= 1
            await asyncio.sleep(3600)
        if self.failures:
            self.failures -= 1
            return web.Response(status=500)
        return web.Response(status=204)

    def distinct(self) -> dict[str, dict[str, Any]]:
        return {event["id"]: event for event in self.received}

    async def until(self, count: int, timeout: float = 20) -> None:
        async with asyncio.timeout(timeout):
            while len(self.distinct()) < count:
                await asyncio.sleep(0.05)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    found = Receiver()
    app = web.Application()
    app.router.add_post("/hook", found.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    found.url = str(server.make_url("/hook"))
    yield found
    await server.close()


async def test_every_event_arrives_once_signed_despite_failures(
    make_client: Any, receiver: Receiver
) -> None:
    receiver.failures = 3
    client = await make_client(
        webhooks_urls=receiver.url,
        webhooks_secret=SECRET,
        webhooks_retry_min_seconds="0.05",
        webhooks_poll_seconds="0.05",
    )
    app = client.server.app
    await queue(app[REPOSITORY], 4)
    token = await moderator_token(app, "hooked")
    decided = []
    for decision in ("approve", "reject", "escalate", "approve"):
        claimed = await (await client.post(f"{MODERATION}/claim", headers=auth(token))).json()
        await client.post(
            f"{MODERATION}/submissions/{claimed['id']}/decision",
            headers=auth(token),
            json={"decision": decision, "reason": "other"},
        )
        decided.append(claimed["id"])
    draft = await new_draft(client)
    await client.delete(
        f"/api/v1/submissions/{draft['id']}", headers=auth(draft["submitter_token"])
    )
    await receiver.until(5)
    outbox = app[REPOSITORIES].outbox
    async with asyncio.timeout(10):
        while await outbox.pending_count():
            await asyncio.sleep(0.05)
    events = receiver.distinct()
    assert receiver.bad_signatures == 0
    assert len(receiver.received) == 5 + 3  # each failure was retried, nothing more
    types = sorted(e["type"] for e in events.values())
    assert types == [
        "submission.approved",
        "submission.approved",
        "submission.escalated",
        "submission.rejected",
        "submission.withdrawn",
    ]
    assert {e["data"]["submission_id"] for e in events.values()} == {*decided, draft["id"]}


async def test_a_dispatcher_stopped_mid_delivery_loses_nothing(
    engine: AsyncEngine, receiver: Receiver
) -> None:
    receiver.hangs = 1
    database = Database(engine)
    repository = SqlSubmissionRepository(database, [receiver.url])
    for submission in await queue(repository, 5):
        at = submission.created_at
        stub = AuditEntry(
            submission.id, at, "submitter", "withdrawn", submission.state, SubmissionState.WITHDRAWN
        )
        event = state_event(submission, SubmissionState.WITHDRAWN, at)
        await repository.withdraw(submission.id, stub, event)
    rules = DispatchRules(
        SECRET, lease=_seconds(0.5), retry_min=_seconds(0.05), retry_max=_seconds(1), batch=2
    )
    outbox = SqlOutbox(database)
    first_sender = HttpWebhookSender(10)
    first = Dispatcher(outbox, first_sender, rules)
    running = asyncio.create_task(first.run(0.05))
    await receiver.arrived.wait()
    await asyncio.sleep(0.1)
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    await first_sender.close()
    assert await outbox.pending_count() > 0
    second_sender = HttpWebhookSender(10)
    second = Dispatcher(outbox, second_sender, rules)
    restarted = asyncio.create_task(second.run(0.05))
    try:
        await receiver.until(5)
        async with asyncio.timeout(10):
            while await outbox.pending_count():
                await asyncio.sleep(0.05)
    finally:
        restarted.cancel()
        with pytest.raises(asyncio.CancelledError):
            await restarted
        await second_sender.close()
    assert len(receiver.distinct()) == 5
    assert receiver.bad_signatures == 0


def _seconds(value: float) -> dt.timedelta:
    return dt.timedelta(seconds=value)
