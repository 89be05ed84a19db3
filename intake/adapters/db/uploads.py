""":class:`intake.uploads.ports.UploadRepository` on SQLAlchemy Core (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterable, Callable, Sequence
from typing import Any

from sqlalchemy import Row, and_, bindparam, insert, literal_column, or_, select, update
from sqlalchemy.sql.elements import ColumnClause

from intake.adapters.db import upload_tails
from intake.adapters.db.schema import data_keys, submissions, uploads
from intake.adapters.db.transactions import Database
from intake.core.object_store import UploadedPart
from intake.keys.ports import WrappedKey
from intake.submissions.records import SubmissionState
from intake.uploads.ports import Claim, Claimed
from intake.uploads.records import (
    Concat,
    SealedTail,
    Segment,
    TailSpan,
    Upload,
    UploadOwner,
    UploadState,
)

_OWNER_COLUMNS = (
    submissions.c.id.label("owner_id"),
    submissions.c.prefix.label("owner_prefix"),
    submissions.c.token_hash.label("owner_token_hash"),
    submissions.c.state.label("owner_state"),
)
"""An upload's owner, named apart from the upload's own columns it may be read with."""
_OWNER = select(*_OWNER_COLUMNS)


def _owner_from(row: Row[Any] | Row[Any, Any, Any, Any]) -> UploadOwner:
    return UploadOwner(
        submission_id=row.owner_id,
        prefix=row.owner_prefix,
        token_hash=row.owner_token_hash,
        is_draft=row.owner_state == SubmissionState.DRAFT.value,
    )


_MUTABLE = (
    "state", "length", "upload_offset", "media_type", "kind", "s3_upload_id", "parts",
    "segments", "tail_size", "head", "hash_state", "sha256", "updated_at", "expires_at",
)  # fmt: skip


def upload_row(u: Upload) -> dict[str, Any]:
    return {
        "id": u.id, "submission_id": u.submission_id, "state": u.state.value,
        "length": u.length, "upload_offset": u.offset, "concat": u.concat.value,
        "concat_parts": list(u.concat_parts), "filename": u.filename,
        "declared_type": u.declared_type, "metadata": u.metadata, "object_key": u.object_key,
        "media_type": u.media_type, "kind": u.kind, "s3_upload_id": u.s3_upload_id,
        "parts": [[p.number, p.etag] for p in u.parts],
        "segments": [[s.key, s.size] for s in u.segments], "tail_size": u.tail_size,
        "head": u.head,
        "hash_state": u.hash_state, "sha256": u.sha256, "lock_id": u.lock_id,
        "lock_expires_at": u.lock_expires_at, "created_at": u.created_at,
        "updated_at": u.updated_at, "expires_at": u.expires_at,
    }  # fmt: skip


def upload_from(row: Row[Any]) -> Upload:
    m = row._mapping
    return Upload(
        id=m["id"],
        submission_id=m["submission_id"],
        state=UploadState(m["state"]),
        length=m["length"],
        offset=m["upload_offset"],
        concat=Concat(m["concat"]),
        concat_parts=tuple(m["concat_parts"]),
        filename=m["filename"],
        declared_type=m["declared_type"],
        metadata=dict(m["metadata"]),
        object_key=m["object_key"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
        expires_at=m["expires_at"],
        media_type=m["media_type"],
        kind=m["kind"],
        s3_upload_id=m["s3_upload_id"],
        parts=tuple(UploadedPart(n, e) for n, e in m["parts"]),
        segments=tuple(Segment(k, s) for k, s in m["segments"]),
        tail_size=m["tail_size"],
        head=bytes(m["head"]),
        hash_state=bytes(m["hash_state"]),
        sha256=m["sha256"],
        lock_id=m["lock_id"],
        lock_expires_at=m["lock_expires_at"],
    )


# The two statements of every PATCH, built once (building and keying a statement costs
# more CPU than SQLite takes to run it); parameter names are kept apart from the columns'.
# The claim also reads the submission's data key: SQLAlchemy names RETURNING's columns
# without their table on SQLite, which in the subquery would name data_keys' own.
_CLAIMED_SUBMISSION: ColumnClause[str] = literal_column(
    f"{uploads.name}.{uploads.c.submission_id.name}"
)
_CLAIM_AS_OWNER = (
    update(uploads)
    .where(
        and_(
            uploads.c.id == bindparam("b_id"),
            uploads.c.state == UploadState.OPEN.value,
            uploads.c.upload_offset == bindparam("b_offset"),
            or_(uploads.c.lock_id == "", uploads.c.lock_expires_at < bindparam("b_now")),
            uploads.c.submission_id.in_(
                select(submissions.c.id).where(
                    submissions.c.token_hash == bindparam("b_token_hash")
                )
            ),
        )
    )
    .values(lock_id=bindparam("b_lock_id"), lock_expires_at=bindparam("b_until"))
    .returning(
        *uploads.c,
        *(
            select(column)
            .where(data_keys.c.submission_id == _CLAIMED_SUBMISSION)
            .scalar_subquery()
            .label(f"key_{column.name}")
            for column in (data_keys.c.master_key_id, data_keys.c.wrapped)
        ),
    )
)
_SAVE_WHERE = and_(
    uploads.c.id == bindparam("b_id"),
    uploads.c.lock_id == bindparam("b_lock_id"),
    uploads.c.state == UploadState.OPEN.value,
)
_NOTHING_KEPT = {"head": b"", "hash_state": b""}
"""What an upload no longer open keeps of its file's bytes in its row (sealed or not):
none (its tail rows are deleted with it)."""
_SAVE = update(uploads).where(_SAVE_WHERE).values({n: bindparam(f"v_{n}") for n in _MUTABLE})
_SAVE_AND_RELEASE = _SAVE.values(lock_id="", lock_expires_at=None)

_OF_SUBMISSION = (
    select(uploads)
    .where(uploads.c.submission_id == bindparam("p_submission_id"))
    .order_by(uploads.c.created_at, uploads.c.id)
)
_BY_ID = select(uploads).where(uploads.c.id == bindparam("p_id"))
_BY_ID_WITH_OWNER = (
    select(uploads, *_OWNER_COLUMNS)
    .join(submissions, submissions.c.id == uploads.c.submission_id)
    .where(uploads.c.id == bindparam("p_id"))
)
_STATE_HELD = (
    select(submissions.c.state)
    .where(submissions.c.id == bindparam("p_submission_id"))
    .with_for_update()
)
_OWNER_BY_TOKEN_HASH = _OWNER.where(submissions.c.token_hash == bindparam("p_token_hash"))


class SqlUploadRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def add_upload(self, upload: Upload) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(insert(uploads), [upload_row(upload)])

    async def add_upload_checked(
        self, submission_id: str, build: Callable[[Sequence[Upload]], Upload]
    ) -> Upload | None:
        params = {"p_submission_id": submission_id}
        async with self._db.transaction() as conn:
            state = (await conn.execute(_STATE_HELD, params)).scalar()
            if state != SubmissionState.DRAFT.value:
                return None
            upload = build([upload_from(r) for r in await conn.execute(_OF_SUBMISSION, params)])
            await self._db.finish(conn, [(insert(uploads), [upload_row(upload)])])
        return upload

    async def declare_length_checked(
        self, upload: Upload, length: int, check: Callable[[Sequence[Upload]], None]
    ) -> bool:
        params = {"p_submission_id": upload.submission_id}
        async with self._db.transaction() as conn:
            await conn.execute(_STATE_HELD, params)
            check([upload_from(r) for r in await conn.execute(_OF_SUBMISSION, params)])
            declared = await conn.execute(
                update(uploads)
                .where(uploads.c.id == upload.id, uploads.c.length.is_(None))
                .values(length=length)
            )
        return bool(declared.rowcount == 1)

    async def get_upload(self, upload_id: str) -> Upload | None:
        async with self._db.read() as conn:
            row = (await conn.execute(_BY_ID, {"p_id": upload_id})).first()
        return upload_from(row) if row else None

    async def states_of(self, upload_ids: Sequence[str]) -> dict[str, UploadState]:
        async with self._db.read() as conn:
            rows = await conn.execute(
                select(uploads.c.id, uploads.c.state).where(uploads.c.id.in_(upload_ids))
            )
            return {str(row.id): UploadState(row.state) for row in rows}

    async def get_with_owner(self, upload_id: str) -> tuple[Upload, UploadOwner] | None:
        async with self._db.read() as conn:
            row = (await conn.execute(_BY_ID_WITH_OWNER, {"p_id": upload_id})).first()
        return (upload_from(row), _owner_from(row)) if row else None

    async def owner_by_token_hash(self, token_hash: str) -> UploadOwner | None:
        async with self._db.read() as conn:
            query = _OWNER_BY_TOKEN_HASH
            row = (await conn.execute(query, {"p_token_hash": token_hash})).first()
        return _owner_from(row) if row else None

    async def uploads_of(self, submission_id: str) -> list[Upload]:
        async with self._db.read() as conn:
            found = await conn.execute(_OF_SUBMISSION, {"p_submission_id": submission_id})
            return [upload_from(r) for r in found]

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
            row = (await conn.execute(_CLAIM_AS_OWNER, params)).first()
        if row is None:
            return None
        upload = upload_from(row)
        if row.key_wrapped is None:
            return Claimed(upload, None)
        key = WrappedKey(upload.submission_id, row.key_master_key_id, bytes(row.key_wrapped))
        return Claimed(upload, key)

    async def renew(self, upload_id: str, lock_id: str, until: dt.datetime) -> bool:
        statement = (
            update(uploads)
            .where(and_(uploads.c.id == upload_id, uploads.c.lock_id == lock_id))
            .values(lock_expires_at=until)
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
        row = upload_row(upload)
        if upload.state is not UploadState.OPEN:
            row.update(_NOTHING_KEPT)
        values = {f"v_{name}": row[name] for name in _MUTABLE}
        values.update(b_id=upload.id, b_lock_id=lock_id)
        statement = _SAVE_AND_RELEASE if release else _SAVE
        async with self._db.transaction() as conn:
            if not drop_tail and tail is None:
                saved = await self._db.finish(conn, [(statement, values)])
                return saved is not None and saved.rowcount == 1
            if (await conn.execute(statement, values)).rowcount != 1:
                return False
            last = upload_tails.dropped(upload.id, stored=tail_stored) if drop_tail else None
            if tail is not None:
                async for step in upload_tails.added(upload.id, tail):
                    if last is not None:
                        await conn.execute(*last)
                    last = step
            await self._db.finish(conn, [last] if last is not None else [])
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
        ended = {} if state is UploadState.OPEN else _NOTHING_KEPT
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
            return [upload_from(r) for r in await conn.execute(query)]
