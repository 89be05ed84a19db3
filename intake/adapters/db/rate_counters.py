""":class:`intake.safeguards.ports.RateCounter` on SQLAlchemy Core: one atomic upsert per
request."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, update
from sqlalchemy.dialects import postgresql, sqlite

from intake.adapters.db.schema import rate_counters
from intake.adapters.db.transactions import Database


class SqlRateCounter:
    def __init__(self, database: Database) -> None:
        self._db = database
        dialect = database.engine.dialect.name
        self._insert = postgresql.insert if dialect == "postgresql" else sqlite.insert

    async def hit(self, key: str, window_start: dt.datetime) -> int:
        upsert = self._insert(rate_counters).values(key=key, window_start=window_start, count=1)
        statement = upsert.on_conflict_do_update(
            index_elements=[rate_counters.c.key, rate_counters.c.window_start],
            set_={"count": rate_counters.c.count + 1},
        ).returning(rate_counters.c.count)
        async with self._db.transaction() as conn:
            return int((await conn.execute(statement)).scalar_one())

    async def refund(self, key: str, window_start: dt.datetime) -> None:
        c = rate_counters.c
        async with self._db.statement() as conn:
            await conn.execute(
                update(rate_counters)
                .where(c.key == key, c.window_start == window_start, c.count > 0)
                .values(count=c.count - 1)
            )

    async def purge(self, before: dt.datetime) -> int:
        async with self._db.transaction() as conn:
            result = await conn.execute(
                delete(rate_counters).where(rate_counters.c.window_start < before)
            )
            return result.rowcount
