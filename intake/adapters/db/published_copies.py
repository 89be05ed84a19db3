""":class:`intake.keys.ports.PublishedCopyRepository` on SQLAlchemy Core."""

from __future__ import annotations

from sqlalchemy import delete, insert, select

from intake.adapters.db.schema import published_copies
from intake.adapters.db.transactions import Database
from intake.keys.ports import PublishedCopy


class SqlPublishedCopyRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def add(self, copy: PublishedCopy) -> None:
        row = {"object_key": copy.object_key, "submission_id": copy.submission_id,
               "file_id": copy.file_id, "published_at": copy.published_at,
               "published_by": copy.published_by}  # fmt: skip
        async with self._db.statement() as conn:
            await conn.execute(insert(published_copies).values(**row))

    async def of_submission(self, submission_id: str) -> list[PublishedCopy]:
        query = (
            select(published_copies)
            .where(published_copies.c.submission_id == submission_id)
            .order_by(published_copies.c.published_at, published_copies.c.object_key)
        )
        async with self._db.statement(write=False) as conn:
            rows = (await conn.execute(query)).all()
        return [PublishedCopy(r.object_key, r.submission_id, r.file_id, r.published_at,
                              r.published_by) for r in rows]  # fmt: skip

    async def remove(self, object_keys: list[str]) -> None:
        if not object_keys:
            return
        statement = delete(published_copies).where(published_copies.c.object_key.in_(object_keys))
        async with self._db.statement() as conn:
            await conn.execute(statement)
