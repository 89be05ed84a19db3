"""The janitor's round: forget what is kept only for a while, end abandoned uploads."""

from __future__ import annotations

import datetime as dt

from intake.core.clock import Clock, utcnow
from intake.core.settings import Settings
from intake.wiring.services import Services


class Janitor:
    def __init__(self, settings: Settings, services: Services, clock: Clock = utcnow) -> None:
        self._settings = settings
        self._services = services
        self._clock = clock

    async def forget(self) -> None:
        """Idempotency keys and rate counters past their window, finished jobs after
        ``workers.keep_done_days``, acknowledged webhook deliveries after
        ``webhooks.keep_delivered_days``, lapsed login failures and expired sessions."""
        s, now = self._services, self._clock()
        await s.idempotency.purge()
        await s.rate_limiter.purge()
        await s.repositories.jobs.purge(
            now - dt.timedelta(days=self._settings.workers.keep_done_days)
        )
        keep = dt.timedelta(days=self._settings.webhooks.keep_delivered_days)
        await s.repositories.outbox.purge(now - keep)
        await s.moderators.purge()

    async def round(self) -> int:
        """One round in a running service: returns how many expired uploads were ended
        (at most one batch; more are left to the next round)."""
        await self.forget()
        return await self._services.uploads.expire_due()

    async def sweep(self) -> int:
        """Everything at once (``intake janitor``, from cron); how many uploads ended."""
        await self.forget()
        total = 0
        while ended := await self._services.uploads.expire_due():
            total += ended
        return total
