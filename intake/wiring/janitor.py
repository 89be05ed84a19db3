"""The janitor's round: forget what is kept only for a while, purge what the newsroom's
retention says is kept long enough, end abandoned uploads."""

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
        """One round in a running service: returns how many expired uploads were ended and
        submissions purged (at most a batch of each; more are left to the next round,
        which a busy round starts at once)."""
        await self.forget()
        purged = await self._services.retention.purge()
        return purged + await self._services.uploads.expire_due()

    async def sweep(self, *, rewrite: bool = False) -> tuple[int, int]:
        """Everything at once (``intake janitor``, from cron): how many uploads ended and
        how many submissions retention purged. ``rewrite`` then has the database copy the
        tables erasures touch into new files, so that no erased byte stays in them
        (``intake janitor --rewrite``, at a quiet hour: it locks those tables meanwhile)."""
        await self.forget()
        purged = 0
        while batch := await self._services.retention.purge():
            purged += batch
        ended = 0
        while batch := await self._services.uploads.expire_due():
            ended += batch
        if rewrite:
            await self._services.repositories.submissions.reclaim_erased(rewrite=True)
        return ended, purged
