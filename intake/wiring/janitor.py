"""The janitor's round: forget what is kept only for a while, purge what the newsroom's
retention says is kept long enough, end abandoned uploads, remove objects no row owns
(at most once every ``ORPHAN_PERIOD`` in a running service: it lists the bucket)."""

from __future__ import annotations

import datetime as dt

from intake.core.clock import Clock, utcnow
from intake.core.settings import Settings
from intake.submissions.orphans import OrphanSweep
from intake.wiring.services import Services

ORPHAN_PERIOD = dt.timedelta(hours=1)


class Janitor:
    def __init__(self, settings: Settings, services: Services, clock: Clock = utcnow) -> None:
        self._settings = settings
        self._services = services
        self._clock = clock
        self._orphans_swept_at: dt.datetime | None = None
        repos = services.repositories
        self.orphans = OrphanSweep(
            services.store, repos.submissions, repos.uploads,
            dt.timedelta(seconds=settings.operations.orphan_grace_seconds), clock,
        )  # fmt: skip

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
        ended = await self._services.uploads.expire_due()
        now = self._clock()
        if self._orphans_swept_at is None or now - self._orphans_swept_at >= ORPHAN_PERIOD:
            self._orphans_swept_at = now
            await self.orphans.sweep()
        return purged + ended

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
        await self.orphans.sweep()
        if rewrite:
            await self._services.repositories.submissions.reclaim_erased(rewrite=True)
        return ended, purged
