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
from intake.web.keys import REPOSITORIES, REPOSITORY, SETTINGS
from intake.webhooks.dispatcher import Dispatcher, DispatchRules
from intake.webhooks.signature import EVENT_ID_HEADER, HEADER, verify
from tests.clocks import ShiftedClock
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
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    url: str = ""

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        if not verify(SECRET, request.headers.get(HEADER, ""), body):
            self.bad_signatures += 1
        event = json.loads(body)
        assert request.headers[EVENT_ID_HEADER] == event["id"]
        self.received.append(event)
        self.arrived.set()
        async with self.changed:
            self.changed.notify_all()
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
        async with asyncio.timeout(timeout), self.changed:
            await self.changed.wait_for(lambda: len(self.distinct()) >= count)


async def deliver_all(dispatcher: Dispatcher, outbox: Any, clock: ShiftedClock) -> None:
    """Run the dispatcher until nothing is left to deliver, moving time past each backoff."""
    for _ in range(100):
        if not await outbox.pending_count():
            return
        await dispatcher.run_once()
        clock.advance(60)
    pytest.fail("deliveries still pending after 100 rounds")


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
        webhooks_urls=receiver.url, webhooks_secret=SECRET, webhooks_dispatch="false"
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
    outbox, clock, sender = app[REPOSITORIES].outbox, ShiftedClock(), HttpWebhookSender(10)
    rules = DispatchRules.from_settings(app[SETTINGS])
    try:
        await deliver_all(Dispatcher(outbox, sender, rules, clock), outbox, clock)
    finally:
        await sender.close()
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
    running = asyncio.create_task(first.run_once())
    await receiver.arrived.wait()  # the first delivery hangs: the dispatcher stops mid-way
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    await first_sender.close()
    assert await outbox.pending_count() > 0
    clock = ShiftedClock()
    clock.advance(1)  # the stopped dispatcher's leases have run out
    second_sender = HttpWebhookSender(10)
    try:
        await deliver_all(Dispatcher(outbox, second_sender, rules, clock), outbox, clock)
    finally:
        await second_sender.close()
    assert len(receiver.distinct()) == 5
    assert receiver.bad_signatures == 0


def _seconds(value: float) -> dt.timedelta:
    return dt.timedelta(seconds=value)
