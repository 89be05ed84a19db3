"""A clock the tests move forward instead of waiting: real time plus an offset."""

from __future__ import annotations

import datetime as dt


class ShiftedClock:
    def __init__(self) -> None:
        self.offset = dt.timedelta(0)

    def __call__(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += dt.timedelta(seconds=seconds)
