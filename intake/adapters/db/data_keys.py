""":class:`intake.keys.ports.DataKeyRepository` on SQLAlchemy Core."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from intake.adapters.db.schema import data_keys, uploads
from intake.adapters.db.transactions import Database
from intake.keys.ports import KeyCounts, WrappedKey

_LIVE = data_keys.c.wrapped.is_not(None)
_OF_SUBMISSION = select(data_keys.c.master_key_id, data_keys.c.wrapped).where(
    data_keys.c.submission_id == bindparam("p_submission_id")
)


def key_row(key: WrappedKey, now: dt.datetime) -> dict[str, object]:
    return {"submission_id": key.submission_id, "master_key_id": key.master_key_id,
            "wrapped": key.wrapped, "created_at": now}  # fmt: skip


class SqlDataKeyRepository:
    def __init__(self, database: Database) -> None:
        self._db = database
        self._insert = postgresql.insert if database.postgres else sqlite.insert

    async def _get(self, submission_id: str) -> tuple[bool, WrappedKey | None]:
        async with self._db.statement(write=False) as conn:
            row = (await conn.execute(_OF_SUBMISSION, {"p_submission_id": submission_id})).first()
        if row is None:
            return False, None
        if row.wrapped is None:
            return True, None
        return True, WrappedKey(submission_id, row.master_key_id, bytes(row.wrapped))

    async def get(self, submission_id: str) -> WrappedKey | None:
        return (await self._get(submission_id))[1]

    async def add(self, key: WrappedKey, now: dt.datetime) -> WrappedKey | None:
        statement = self._insert(data_keys).values(key_row(key, now)).on_conflict_do_nothing(
            index_elements=[data_keys.c.submission_id]
        ).returning(data_keys.c.submission_id)  # fmt: skip
        async with self._db.statement() as conn:
            if (await conn.execute(statement)).first() is not None:
                return key
        return await self.get(key.submission_id)

    async def submission_of_upload(self, upload_id: str) -> str | None:
        query = select(uploads.c.submission_id).where(uploads.c.id == upload_id)
        async with self._db.statement(write=False) as conn:
            found = (await conn.execute(query)).scalar()
        return str(found) if found is not None else None

    async def destroy(self, submission_id: str, now: dt.datetime) -> None:
        gone = {"master_key_id": None, "wrapped": None, "destroyed_at": now}
        statement = self._insert(data_keys).values(
            submission_id=submission_id, created_at=now, **gone
        ).on_conflict_do_update(index_elements=[data_keys.c.submission_id], set_=gone)  # fmt: skip
        async with self._db.statement() as conn:
            await conn.execute(statement)

    async def rewrap(self, old: WrappedKey, new: WrappedKey) -> bool:
        statement = (
            update(data_keys)
            .where(
                and_(
                    data_keys.c.submission_id == old.submission_id,
                    data_keys.c.master_key_id == old.master_key_id,
                    data_keys.c.wrapped == old.wrapped,
                )
            )
            .values(master_key_id=new.master_key_id, wrapped=new.wrapped)
        )
        async with self._db.statement() as conn:
            return (await conn.execute(statement)).rowcount == 1

    async def wrapped_with(self, master_key_ids: set[str], limit: int) -> list[WrappedKey]:
        query = (
            select(data_keys.c.submission_id, data_keys.c.master_key_id, data_keys.c.wrapped)
            .where(and_(_LIVE, data_keys.c.master_key_id.not_in(master_key_ids)))
            .order_by(data_keys.c.submission_id)
            .limit(limit)
        )
        async with self._db.statement(write=False) as conn:
            rows = (await conn.execute(query)).all()
        return [WrappedKey(r.submission_id, r.master_key_id, bytes(r.wrapped)) for r in rows]

    async def counts(self) -> KeyCounts:
        query = select(data_keys.c.master_key_id, func.count()).group_by(data_keys.c.master_key_id)
        async with self._db.statement(write=False) as conn:
            rows = (await conn.execute(query)).all()
        live = {str(key_id): int(n) for key_id, n in rows if key_id is not None}
        destroyed = sum(int(n) for key_id, n in rows if key_id is None)
        return KeyCounts(live, destroyed)
