"""The webhook dispatcher: delivers outbox events to the configured URLs, at least once.

Each delivery is leased to one dispatcher while it is sent, so instances sharing a
database never send it twice at once; a dispatcher that dies mid-send leaves a lease that
runs out, and another sends it again (receivers drop repeats by ``Intake-Event-Id``).
A delivery is done when the receiver answers 2xx; otherwise it is retried with
exponential backoff, without end.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import random
from dataclasses import dataclass

from intake.core.clock import Clock, utcnow
from intake.core.ids import new_id
from intake.core.settings import Settings
from intake.webhooks.ports import Outbox, WebhookSender
from intake.webhooks.records import Delivery, event_json
from intake.webhooks.signature import EVENT_ID_HEADER, EVENT_TYPE_HEADER, HEADER, sign

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DispatchRules:
    secret: str
    lease: dt.timedelta
    retry_min: dt.timedelta
    retry_max: dt.timedelta
    batch: int = 20

    @classmethod
    def from_settings(cls, settings: Settings) -> DispatchRules:
        w = settings.webhooks
        return cls(
            secret=str(w.secret),
            lease=dt.timedelta(seconds=w.lease_seconds),
            retry_min=dt.timedelta(seconds=w.retry_min_seconds),
            retry_max=dt.timedelta(seconds=w.retry_max_seconds),
        )

    def backoff(self, attempts: int) -> dt.timedelta:
        """The wait after the ``attempts``-th failure: doubling, capped, 0-20% jitter."""
        doubled = self.retry_min.total_seconds() * 2.0 ** min(attempts - 1, 30)
        seconds = min(doubled, self.retry_max.total_seconds())
        jitter = random.uniform(1.0, 1.2)  # noqa: S311 (jitter, not a secret)
        return dt.timedelta(seconds=seconds * jitter)


class Dispatcher:
    def __init__(
        self,
        outbox: Outbox,
        sender: WebhookSender,
        rules: DispatchRules,
        clock: Clock = utcnow,
    ) -> None:
        self._outbox = outbox
        self._sender = sender
        self._rules = rules
        self._clock = clock
        self.holder = new_id()

    async def run_once(self) -> int:
        """Send every due delivery this dispatcher can take now; how many it took."""
        now = self._clock()
        due = await self._outbox.take_due(
            self.holder, now, now + self._rules.lease, self._rules.batch
        )
        await asyncio.gather(*(self._deliver(d) for d in due))
        return len(due)

    async def _deliver(self, delivery: Delivery) -> None:
        body = json.dumps(event_json(delivery.event), ensure_ascii=False).encode()
        headers = {
            "Content-Type": "application/json",
            HEADER: sign(self._rules.secret, body),
            EVENT_ID_HEADER: delivery.event.id,
            EVENT_TYPE_HEADER: delivery.event.type,
        }
        error = await self._sender.send(delivery.url, body, headers)
        if error is None:
            await self._outbox.delivered(delivery.id, self.holder, self._clock())
            return
        attempts = delivery.attempts + 1
        retry_at = self._clock() + self._rules.backoff(attempts)
        log.info("webhook %s to %s failed (attempt %d): %s", delivery.event.id, delivery.url,
                 attempts, error)  # fmt: skip
        await self._outbox.failed(delivery.id, self.holder, retry_at, error)
