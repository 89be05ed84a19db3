""":class:`intake.uploads.ports.UploadRepository` on SQLAlchemy Core (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator, Callable, Sequence
from typing import Any

from sqlalchemy import Executable, and_, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from intake.adapters.db import upload_sql as sql
from intake.adapters.db import upload_tails
from intake.adapters.db.schema import submissions, uploads
from intake.adapters.db.sqlite_driver import UNSYNCED
from intake.adapters.db.transactions import Database, Step
from intake.submissions.records import SubmissionState
from intake.uploads.ports import Claim, Claimed
from intake.uploads.records import SealedTail, TailSpan, Upload, UploadOwner, UploadState


async def _none() -> AsyncGenerator[Step]:
    return
    yield


async def _at_most(steps: AsyncGenerator[Step], count: int) -> AsyncIterator[Step]:
    """The next ``count`` steps at most (fewer when ``steps`` ends first)."""
    for _ in range(count):
        step = await anext(steps, None)
        if step is None:
            return
        yield step


class SqlUploadRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def add_upload(self, upload: Upload) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(insert(uploads), [sql.upload_row(upload)])

    async def add_upload_checked(
        self, submission_id: str, build: Callable[[Sequence[Upload]], Upload]
    ) -> Upload | None:
        async with self._db.transaction() as conn:
            state, existing = await self._state_with_uploads(conn, submission_id)
            if state != SubmissionState.DRAFT.value:
                return None
            upload = build(existing)
            await self._db.finish(conn, [(insert(uploads), [sql.upload_row(upload)])])
        return upload

    async def _state_with_uploads(
        self, conn: AsyncConnection, submission_id: str
    ) -> tuple[str | None, list[Upload]]:
        """In a write transaction: the submission's state, held (no other writer changes
        it or its uploads until the transaction ends), and its uploads. One trip on
        SQLite, two on PostgreSQL (``sql.STATE_WITH_UPLOADS`` says why)."""
        params = {"p_submission_id": submission_id}
        if self._db.postgres:
            state = (await conn.execute(sql.STATE_HELD, params)).scalar()
            rows = await conn.execute(sql.OF_SUBMISSION, params)
            return state, [sql.upload_from(r) for r in rows]
        found = (await conn.execute(sql.STATE_WITH_UPLOADS, params)).all()
        state = found[0].submission_state if found else None
        return state, [sql.upload_from(r) for r in found if r.id is not None]

    async def declare_length_checked(
        self, upload: Upload, length: int, check: Callable[[Sequence[Upload]], None]
    ) -> bool:
        async with self._db.transaction() as conn:
            check((await self._state_with_uploads(conn, upload.submission_id))[1])
            declared = await conn.execute(
                update(uploads)
                .where(uploads.c.id == upload.id, uploads.c.length.is_(None))
                .values(length=length)
            )
        return bool(declared.rowcount == 1)

    async def get_upload(self, upload_id: str) -> Upload | None:
        async with self._db.read() as conn:
            row = (await conn.execute(sql.BY_ID, {"p_id": upload_id})).first()
        return sql.upload_from(row) if row else None

    async def states_of(self, upload_ids: Sequence[str]) -> dict[str, UploadState]:
        async with self._db.read() as conn:
            rows = await conn.execute(
                select(uploads.c.id, uploads.c.state).where(uploads.c.id.in_(upload_ids))
            )
            return {str(row.id): UploadState(row.state) for row in rows}

    async def get_with_owner(self, upload_id: str) -> tuple[Upload, UploadOwner] | None:
        async with self._db.read() as conn:
            row = (await conn.execute(sql.BY_ID_WITH_OWNER, {"p_id": upload_id})).first()
        return (sql.upload_from(row), sql.owner_from(row)) if row else None

    async def owner_by_token_hash(self, token_hash: str) -> UploadOwner | None:
        async with self._db.read() as conn:
            query = sql.OWNER_BY_TOKEN_HASH
            row = (await conn.execute(query, {"p_token_hash": token_hash})).first()
        return sql.owner_from(row) if row else None

    async def uploads_of(self, submission_id: str) -> list[Upload]:
        async with self._db.read() as conn:
            found = await conn.execute(sql.OF_SUBMISSION, {"p_submission_id": submission_id})
            return [sql.upload_from(r) for r in found]

    async def claim(
        self, upload_id: str, *, offset: int, lock_id: str, until: dt.datetime, now: dt.datetime
    ) -> Claim:
        free = or_(uploads.c.lock_id == "", uploads.c.lock_expires_at < now)
        statement = (
            update(uploads)
            .where(
                and_(
                    uploads.c.id == upload_id,
                    uploads.c.state == UploadState.OPEN.value,
                    uploads.c.upload_offset == offset,
                    free,
                )
            )
            .values(lock_id=lock_id, lock_expires_at=until)
            .prefix_with(UNSYNCED)
        )
        async with self._db.statement() as conn:
            if (await conn.execute(statement)).rowcount == 1:
                return Claim.CLAIMED
        async with self._db.read() as conn:
            row = (
                await conn.execute(
                    select(uploads.c.state, uploads.c.upload_offset).where(
                        uploads.c.id == upload_id
                    )
                )
            ).first()
        if row is None:
            return Claim.MISSING
        if row.state != UploadState.OPEN.value:
            return Claim.NOT_OPEN
        if row.upload_offset != offset:
            return Claim.OFFSET_MISMATCH
        return Claim.LOCKED

    async def claim_as_owner(
        self,
        upload_id: str,
        *,
        token_hash: str,
        offset: int,
        lock_id: str,
        until: dt.datetime,
        now: dt.datetime,
    ) -> Claimed | None:
        params = {"b_id": upload_id, "b_token_hash": token_hash, "b_offset": offset,
                  "b_now": now, "b_lock_id": lock_id, "b_until": until}  # fmt: skip
        async with self._db.statement() as conn:
            row = (await conn.execute(sql.CLAIM_AS_OWNER, params)).first()
        return sql.claimed_from(row) if row is not None else None

    async def free_as_owner(
        self, upload_id: str, *, token_hash: str, offset: int, now: dt.datetime
    ) -> Claimed | None:
        params = {"b_id": upload_id, "b_token_hash": token_hash, "b_offset": offset,
                  "b_now": now}  # fmt: skip
        async with self._db.read() as conn:
            row = (await conn.execute(sql.FREE_AS_OWNER, params)).first()
        return sql.claimed_from(row) if row is not None else None

    async def renew(self, upload_id: str, lock_id: str, until: dt.datetime) -> bool:
        statement = (
            update(uploads)
            .where(and_(uploads.c.id == upload_id, uploads.c.lock_id == lock_id))
            .values(lock_expires_at=until)
            .prefix_with(UNSYNCED)
        )
        async with self._db.statement() as conn:
            return (await conn.execute(statement)).rowcount == 1

    async def save(
        self,
        upload: Upload,
        *,
        lock_id: str,
        release: bool,
        drop_tail: bool = False,
        tail_stored: bool = False,
        tail: AsyncIterable[SealedTail] | None = None,
    ) -> bool:
        values = sql.saved_values(upload)
        values.update(b_id=upload.id, b_lock_id=lock_id)
        statement = sql.SAVE_AND_RELEASE if release else sql.SAVE
        return await self._save(statement, values, drop_tail, tail_stored, tail)

    async def save_unleased(
        self,
        upload: Upload,
        *,
        offset: int,
        now: dt.datetime,
        tail: AsyncIterable[SealedTail] | None = None,
    ) -> bool:
        values = sql.saved_values(upload)
        values.update(b_id=upload.id, b_offset=offset, b_now=now)
        return await self._save(sql.SAVE_UNLEASED, values, False, False, tail)

    async def _save(
        self,
        statement: Executable,
        values: dict[str, Any],
        drop_tail: bool,
        tail_stored: bool,
        tail: AsyncIterable[SealedTail] | None,
    ) -> bool:
        upload_id = values["b_id"]
        dropped = [upload_tails.dropped(upload_id, stored=tail_stored)] if drop_tail else []
        pieces = upload_tails.added(upload_id, tail) if tail is not None else _none()
        try:
            # The first two pieces (often all there is) are sealed before the write turn is
            # taken, not while every other writer waits for them.
            first = [step async for step in _at_most(pieces, 2)]
            if len(first) < 2:  # all at hand: the save is one trip on SQLite
                async with self._db.transaction() as conn:
                    return await self._db.finish_if_one(conn, (statement, values),
                                                        [*dropped, *first])  # fmt: skip
            async with self._db.transaction() as conn:
                if (await conn.execute(statement, values)).rowcount != 1:
                    return False
                *before, last = [*dropped, *first]
                for step in before:
                    await conn.execute(*step)
                async for step in pieces:
                    await conn.execute(*last)
                    last = step
                await self._db.finish(conn, [last])
        finally:
            await pieces.aclose()
        return True

    async def tail_spans(self, upload_id: str) -> list[TailSpan]:
        async with self._db.read() as conn:
            return await upload_tails.spans(conn, upload_id)

    async def tail_pieces(self, upload_id: str, first: int, last: int) -> list[SealedTail]:
        async with self._db.read() as conn:
            return await upload_tails.pieces(conn, upload_id, first, last)

    async def release(self, upload_id: str, lock_id: str) -> None:
        statement = (
            update(uploads)
            .where(and_(uploads.c.id == upload_id, uploads.c.lock_id == lock_id))
            .values(lock_id="", lock_expires_at=None)
            .prefix_with(UNSYNCED)
        )
        async with self._db.statement() as conn:
            await conn.execute(statement)

    async def set_state(
        self,
        upload_id: str,
        state: UploadState,
        *,
        now: dt.datetime,
        unless_locked: bool = False,
        from_state: UploadState = UploadState.OPEN,
    ) -> bool:
        conditions = [uploads.c.id == upload_id, uploads.c.state == from_state.value]
        if unless_locked:
            conditions.append(or_(uploads.c.lock_id == "", uploads.c.lock_expires_at < now))
        ended = {} if state is UploadState.OPEN else sql.NOTHING_KEPT
        statement = (
            update(uploads)
            .where(and_(*conditions))
            .values(state=state.value, updated_at=now, **ended)
        )
        async with self._db.transaction() as conn:
            if (await conn.execute(statement)).rowcount != 1:
                return False
            if state is not UploadState.OPEN:
                await upload_tails.drop(conn, upload_id)
        return True

    async def expired(self, now: dt.datetime, limit: int = 100) -> list[Upload]:
        live = (UploadState.OPEN.value, UploadState.COMPLETE.value)
        of_drafts = select(submissions.c.id).where(
            submissions.c.state == SubmissionState.DRAFT.value
        )
        query = (
            select(uploads)
            .where(
                and_(
                    uploads.c.state.in_(live),
                    uploads.c.expires_at < now,
                    uploads.c.submission_id.in_(of_drafts),
                )
            )
            .order_by(uploads.c.expires_at)
            .limit(limit)
        )
        async with self._db.read() as conn:
            return [sql.upload_from(r) for r in await conn.execute(query)]
