"""Rate limits per client address and action, in fixed windows counted in the database
(so that every instance behind a load balancer counts together), under a key that is an
HMAC of the address (:mod:`intake.safeguards.addresses`), never the address."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping

from intake.core.clock import Clock, utcnow
from intake.core.errors import TooManyRequests
from intake.safeguards.addresses import AddressKeys
from intake.safeguards.ports import RateCounter


class RateLimiter:
    def __init__(
        self,
        counter: RateCounter,
        limits: Mapping[str, int],
        window: dt.timedelta,
        addresses: AddressKeys,
        clock: Clock = utcnow,
    ) -> None:
        self._counter = counter
        self._addresses = addresses
        self._limits = limits
        self._window = window
        self._clock = clock

    def _window_start(self, now: dt.datetime) -> dt.datetime:
        seconds = self._window.total_seconds()
        start = math.floor(now.timestamp() / seconds) * seconds
        return dt.datetime.fromtimestamp(start, dt.UTC)

    async def check(self, action: str, client: str) -> None:
        """Count the request; :class:`TooManyRequests` past the action's limit."""
        limit = self._limits.get(action, 0)
        if not limit:
            return
        now = self._clock()
        start = self._window_start(now)
        if await self._counter.hit(f"{action}:{self._addresses.of(client)}", start) > limit:
            wait = math.ceil((start + self._window - now).total_seconds())
            raise TooManyRequests(
                f"This address may make {limit} {action} per {self._window.total_seconds():.0f} s;"
                f" try again in {wait} s.",
                retry_after_seconds=max(wait, 1),
                limit=limit,
            )

    async def purge(self) -> int:
        return await self._counter.purge(self._clock() - 2 * self._window)
