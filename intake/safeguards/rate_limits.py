"""Rate limits per client address and action, in fixed windows counted in the database
(so that every instance behind a load balancer counts together), under a key that is an
HMAC of the address (:mod:`intake.safeguards.addresses`), never the address.

Only what is accepted counts: a request takes its place in the count first (so that a
burst cannot pass the limit together) and gives it back when it is refused or fails, so
an abuser sharing a carrier's address with many readers cannot use up their allowance
with refusals. Beside each address's generous budget, a ceiling for all clients together
protects the service.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
from collections.abc import AsyncIterator, Mapping

from intake.core.clock import Clock, utcnow
from intake.core.errors import TooManyRequests
from intake.safeguards.addresses import AddressKeys
from intake.safeguards.ports import RateCounter

EVERYONE = "*"
"""The key of the count of all clients together."""


class RateLimiter:
    def __init__(
        self,
        counter: RateCounter,
        limits: Mapping[str, int],
        window: dt.timedelta,
        addresses: AddressKeys,
        clock: Clock = utcnow,
        ceilings: Mapping[str, int] | None = None,
    ) -> None:
        self._counter = counter
        self._addresses = addresses
        self._limits = limits
        self._ceilings = ceilings or {}
        self._window = window
        self._clock = clock

    def _window_start(self, now: dt.datetime) -> dt.datetime:
        seconds = self._window.total_seconds()
        start = math.floor(now.timestamp() / seconds) * seconds
        return dt.datetime.fromtimestamp(start, dt.UTC)

    @contextlib.asynccontextmanager
    async def allowance(self, action: str, client: str) -> AsyncIterator[None]:
        """Count what runs inside against ``action``'s limits for ``client`` and for all
        clients; :class:`TooManyRequests` past either; the count is given back when what
        runs inside raises (a refusal, a failure, a client gone)."""
        now = self._clock()
        start = self._window_start(now)
        everyone = f"{action}:{EVERYONE}"
        limits = {f"{action}:{self._addresses.of(client)}": self._limits.get(action, 0),
                  everyone: self._ceilings.get(action, 0)}  # fmt: skip
        taken = [key for key, limit in limits.items() if limit]
        if not taken:
            yield
            return
        try:
            for key, count in zip(taken, await self._counter.hit(taken, start), strict=True):
                if count > limits[key]:
                    raise self._refusal(action, limits[key], start, now, everyone=key == everyone)
            yield
        except BaseException:
            for key in taken:
                await self._counter.refund(key, start)
            raise

    def _refusal(
        self, action: str, limit: int, start: dt.datetime, now: dt.datetime, *, everyone: bool
    ) -> TooManyRequests:
        wait = max(math.ceil((start + self._window - now).total_seconds()), 1)
        who = "All clients together" if everyone else "This address"
        return TooManyRequests(
            f"{who} may make {limit} {action} per {self._window.total_seconds():.0f} s;"
            f" try again in {wait} s.",
            retry_after_seconds=wait,
            limit=limit,
            scope="everyone" if everyone else "address",
        )

    async def purge(self) -> int:
        return await self._counter.purge(self._clock() - 2 * self._window)
