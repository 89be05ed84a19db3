""":class:`intake.moderation.ports.ModeratorRepository` on SQLAlchemy Core: accounts, their tokens
(stored as SHA-256 hashes) and failed logins counted per account and client."""

from __future__ import annotations

import datetime as dt
import hmac
from typing import Any

from sqlalchemy import Row, case, delete, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from intake.adapters.db.audit import audit_row
from intake.adapters.db.schema import audit_log, login_failures, moderator_tokens, moderators
from intake.adapters.db.transactions import Database
from intake.moderation.records import Moderator, Role, TokenInfo, TokenKind
from intake.submissions.records import AuditEntry


def moderator_from(row: Row[Any]) -> Moderator:
    m = row._mapping
    return Moderator(
        id=m["id"],
        name=m["name"],
        role=Role(m["role"]),
        disabled=m["disabled"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
        password_hash=m["password_hash"],
    )


REVOKING = frozenset({"role", "disabled", "password_hash"})
"""Changes that end every token of the account."""
USE_NOTED_EVERY = dt.timedelta(minutes=1)


class SqlModeratorRepository:
    def __init__(self, database: Database) -> None:
        self._db = database
        dialect = database.engine.dialect.name
        self._insert = postgresql.insert if dialect == "postgresql" else sqlite.insert

    async def add(self, moderator: Moderator, audit: AuditEntry) -> bool:
        row = {
            "id": moderator.id, "name": moderator.name, "role": moderator.role.value,
            "password_hash": moderator.password_hash, "disabled": moderator.disabled,
            "created_at": moderator.created_at, "updated_at": moderator.updated_at,
        }  # fmt: skip
        try:
            async with self._db.transaction() as conn:
                await conn.execute(insert(moderators), [row])
                await conn.execute(insert(audit_log), [audit_row(audit)])
        except IntegrityError:
            return False
        return True

    async def get(self, moderator_id: str) -> Moderator | None:
        async with self._db.read() as conn:
            row = (
                await conn.execute(select(moderators).where(moderators.c.id == moderator_id))
            ).first()
        return moderator_from(row) if row else None

    async def by_name(self, name: str) -> Moderator | None:
        async with self._db.read() as conn:
            row = (await conn.execute(select(moderators).where(moderators.c.name == name))).first()
        return moderator_from(row) if row else None

    async def all(self) -> list[Moderator]:
        async with self._db.read() as conn:
            query = select(moderators).order_by(moderators.c.name)
            return [moderator_from(r) for r in await conn.execute(query)]

    async def change(
        self, moderator_id: str, audit: AuditEntry, now: dt.datetime, **values: Any
    ) -> bool:
        async with self._db.transaction() as conn:
            result = await conn.execute(
                update(moderators)
                .where(moderators.c.id == moderator_id)
                .values(updated_at=now, **values)
            )
            if result.rowcount != 1:
                return False
            if REVOKING.intersection(values):
                await conn.execute(
                    delete(moderator_tokens).where(moderator_tokens.c.moderator_id == moderator_id)
                )
            await conn.execute(insert(audit_log), [audit_row(audit)])
        return True

    async def add_token(
        self,
        moderator_id: str,
        token_hash: str,
        kind: TokenKind,
        *,
        token_id: str,
        now: dt.datetime,
        expires_at: dt.datetime | None,
        audit: AuditEntry,
    ) -> None:
        t = moderator_tokens.c
        async with self._db.transaction() as conn:
            if kind is TokenKind.API:
                await conn.execute(
                    delete(moderator_tokens).where(
                        t.moderator_id == moderator_id, t.kind == TokenKind.API.value
                    )
                )
            await conn.execute(delete(moderator_tokens).where(t.expires_at <= now))
            await conn.execute(
                insert(moderator_tokens),
                [{"token_hash": token_hash, "id": token_id, "moderator_id": moderator_id,
                  "kind": kind.value, "created_at": now, "expires_at": expires_at}],
            )  # fmt: skip
            await conn.execute(insert(audit_log), [audit_row(audit)])

    async def by_token_hash(self, token_hash: str, now: dt.datetime) -> Moderator | None:
        t = moderator_tokens.c
        query = (
            select(moderators, t.token_hash.label("stored_hash"), t.last_used_at)
            .join_from(moderator_tokens, moderators, t.moderator_id == moderators.c.id)
            .where(
                t.token_hash == token_hash,
                moderators.c.disabled.is_(False),
                or_(t.expires_at.is_(None), t.expires_at > now),
            )
        )
        async with self._db.read() as conn:
            row = (await conn.execute(query)).first()
        if row is None or not hmac.compare_digest(row.stored_hash, token_hash):
            return None
        if row.last_used_at is None or row.last_used_at <= now - USE_NOTED_EVERY:
            async with self._db.statement() as conn:
                await conn.execute(
                    update(moderator_tokens)
                    .where(t.token_hash == token_hash)
                    .values(last_used_at=now)
                )
        return moderator_from(row)

    async def tokens(self, moderator_id: str, now: dt.datetime) -> list[TokenInfo]:
        t = moderator_tokens.c
        query = (
            select(t.id, t.kind, t.created_at, t.expires_at, t.last_used_at)
            .where(t.moderator_id == moderator_id, or_(t.expires_at.is_(None), t.expires_at > now))
            .order_by(t.created_at.desc(), t.id)
        )
        async with self._db.read() as conn:
            rows = (await conn.execute(query)).all()
        return [TokenInfo(r.id, TokenKind(r.kind), r.created_at, r.expires_at, r.last_used_at)
                for r in rows]  # fmt: skip

    async def revoke_token(self, moderator_id: str, token_id: str, audit: AuditEntry) -> bool:
        t = moderator_tokens.c
        async with self._db.transaction() as conn:
            removed = await conn.execute(
                delete(moderator_tokens).where(t.moderator_id == moderator_id, t.id == token_id)
            )
            if removed.rowcount != 1:
                return False
            await conn.execute(insert(audit_log), [audit_row(audit)])
        return True

    async def drop_token(self, token_hash: str, audit: AuditEntry) -> bool:
        async with self._db.transaction() as conn:
            dropped = await conn.execute(
                delete(moderator_tokens).where(moderator_tokens.c.token_hash == token_hash)
            )
            if dropped.rowcount != 1:
                return False
            await conn.execute(insert(audit_log), [audit_row(audit)])
        return True

    async def failures(self, key: str, since: dt.datetime) -> tuple[int, dt.datetime | None]:
        f = login_failures.c
        query = select(f.count, f.first_at).where(f.key == key, f.first_at > since)
        async with self._db.read() as conn:
            row = (await conn.execute(query)).first()
        return (int(row[0]), row[1]) if row else (0, None)

    async def count_attempt(
        self, key: str, now: dt.datetime, since: dt.datetime
    ) -> tuple[int, dt.datetime]:
        f = login_failures.c
        fresh = f.first_at <= since
        upsert = self._insert(login_failures).values(key=key, count=1, first_at=now, last_at=now)
        statement = upsert.on_conflict_do_update(
            index_elements=[f.key],
            set_={
                "count": case((fresh, 1), else_=f.count + 1),
                "first_at": case((fresh, now), else_=f.first_at),
                "last_at": now,
            },
        ).returning(f.count, f.first_at)
        async with self._db.transaction() as conn:
            row = (await conn.execute(statement)).one()
        return int(row[0]), row[1]

    async def refund_attempt(self, key: str) -> None:
        f = login_failures.c
        async with self._db.transaction() as conn:
            await conn.execute(
                update(login_failures).where(f.key == key, f.count > 0).values(count=f.count - 1)
            )

    async def purge(self, failures_before: dt.datetime, now: dt.datetime) -> int:
        async with self._db.transaction() as conn:
            failures = await conn.execute(
                delete(login_failures).where(login_failures.c.last_at < failures_before)
            )
            tokens = await conn.execute(
                delete(moderator_tokens).where(moderator_tokens.c.expires_at < now)
            )
        return int(failures.rowcount) + int(tokens.rowcount)

    async def clear_failures(self, key: str, before: dt.datetime) -> None:
        f = login_failures.c
        async with self._db.transaction() as conn:
            await conn.execute(delete(login_failures).where(or_(f.key == key, f.last_at < before)))

    async def token_count(self, moderator_id: str) -> int:
        t = moderator_tokens.c
        async with self._db.read() as conn:
            query = select(func.count()).where(t.moderator_id == moderator_id)
            return int((await conn.execute(query)).scalar_one())
