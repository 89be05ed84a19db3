""":class:`intake.safeguards.ports.RateCounter` on SQLAlchemy Core: one atomic upsert per
request (every count it takes, one statement), committed without waiting for the disk:
a count a power cut forgets lets a few more requests in, and costs no request an fsync."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Executable, bindparam, delete, update
from sqlalchemy.dialects import postgresql, sqlite

from intake.adapters.db.schema import rate_counters
from intake.adapters.db.sqlite_driver import UNSYNCED
from intake.adapters.db.transactions import Database


class SqlRateCounter:
    def __init__(self, database: Database) -> None:
        self._db = database
        dialect = database.engine.dialect.name
        self._insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        self._upserts: dict[int, Executable] = {}

    def _upsert(self, rows: int) -> Executable:
        """``rows`` counts taken in one statement, built once per number of rows: each
        row's key and window are parameters ``key_<i>`` and ``start_<i>``."""
        if (made := self._upserts.get(rows)) is None:
            values = [{"key": bindparam(f"key_{i}"), "window_start": bindparam(f"start_{i}"),
                       "count": 1} for i in range(rows)]  # fmt: skip
            upsert = self._insert(rate_counters).values(values)
            made = self._upserts[rows] = (
                upsert.on_conflict_do_update(
                    index_elements=[rate_counters.c.key, rate_counters.c.window_start],
                    set_={"count": rate_counters.c.count + 1},
                )
                .returning(rate_counters.c.key, rate_counters.c.count)
                .prefix_with(UNSYNCED)
            )
        return made

    async def hit(self, keys: Sequence[str], window_start: dt.datetime) -> list[int]:
        parameters: dict[str, object] = {}
        for i, key in enumerate(keys):
            parameters[f"key_{i}"], parameters[f"start_{i}"] = key, window_start
        async with self._db.statement() as conn:
            result = await conn.execute(self._upsert(len(keys)), parameters)
            counts: dict[str, int] = dict(result.all())
        return [counts[key] for key in keys]

    async def refund(self, key: str, window_start: dt.datetime) -> None:
        c = rate_counters.c
        async with self._db.statement() as conn:
            await conn.execute(
                update(rate_counters)
                .where(c.key == key, c.window_start == window_start, c.count > 0)
                .values(count=c.count - 1)
                .prefix_with(UNSYNCED)
            )

    async def purge(self, before: dt.datetime) -> int:
        async with self._db.transaction() as conn:
            result = await conn.execute(
                delete(rate_counters).where(rate_counters.c.window_start < before)
            )
            return result.rowcount
