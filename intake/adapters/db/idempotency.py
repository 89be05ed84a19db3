""":class:`intake.safeguards.ports.IdempotencyRepository` on SQLAlchemy Core."""

from __future__ import annotations

import base64
import datetime as dt

from sqlalchemy import ColumnElement, and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from intake.adapters.db.schema import idempotency_keys as keys
from intake.adapters.db.transactions import Database
from intake.safeguards.ports import InProgress
from intake.safeguards.records import StoredAnswer

_PENDING = 0


class SqlIdempotencyRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    def _where(self, scope: str, key_hash: str) -> ColumnElement[bool]:
        return and_(keys.c.scope == scope, keys.c.key == key_hash)

    async def reserve(
        self, scope: str, key_hash: str, now: dt.datetime, expires_at: dt.datetime
    ) -> StoredAnswer | InProgress | None:
        row = {"scope": scope, "key": key_hash, "fingerprint": "", "status": _PENDING,
               "body": "", "location": "", "created_at": now, "expires_at": expires_at}  # fmt: skip
        for _ in range(2):
            try:
                async with self._db.transaction() as conn:
                    await conn.execute(insert(keys), [row])
                return None
            except IntegrityError:
                pass
            async with self._db.transaction() as conn:
                found = (
                    await conn.execute(select(keys).where(self._where(scope, key_hash)))
                ).first()
                if found is None:
                    continue
                if found.expires_at < now:
                    await conn.execute(delete(keys).where(self._where(scope, key_hash)))
                    continue
            if found.status == _PENDING:
                return InProgress.IN_PROGRESS
            return StoredAnswer(found.fingerprint, found.status,
                                base64.b64decode(found.body), found.location)  # fmt: skip
        return InProgress.IN_PROGRESS

    async def complete(self, scope: str, key_hash: str, answer: StoredAnswer) -> None:
        values = {"fingerprint": answer.fingerprint, "status": answer.status,
                  "body": base64.b64encode(answer.sealed_body).decode(),
                  "location": answer.location}  # fmt: skip
        async with self._db.transaction() as conn:
            await conn.execute(update(keys).where(self._where(scope, key_hash)).values(**values))

    async def forget(self, scope: str, key_hash: str) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(delete(keys).where(self._where(scope, key_hash)))

    async def purge(self, now: dt.datetime) -> int:
        async with self._db.transaction() as conn:
            return (await conn.execute(delete(keys).where(keys.c.expires_at < now))).rowcount
