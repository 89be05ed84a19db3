"""The SQL of uploads' tails, for :class:`intake.adapters.db.uploads.SqlUploadRepository`:
pieces added and dropped inside the transaction that saves their upload, read back in
offset order. Statements are built once and run with parameters (a small PATCH runs one
of them)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterable

from sqlalchemy import and_, bindparam, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from intake.adapters.db.schema import upload_tails
from intake.adapters.db.sqlite_driver import UNZEROED
from intake.adapters.db.transactions import Step
from intake.uploads.records import SealedTail, TailSpan

_t = upload_tails.c
_ADD = insert(upload_tails)
_DROP = delete(upload_tails).where(_t.upload_id == bindparam("b_upload_id"))
_DROP_STORED = _DROP.prefix_with(UNZEROED)
_SPANS = (
    select(_t.start_offset, _t.size)
    .where(_t.upload_id == bindparam("b_upload_id"))
    .order_by(_t.start_offset)
)
_PIECES = (
    select(_t.start_offset, _t.size, _t.data)
    .where(
        and_(
            _t.upload_id == bindparam("b_upload_id"),
            _t.start_offset.between(bindparam("b_first"), bindparam("b_last")),
        )
    )
    .order_by(_t.start_offset)
)


async def added(upload_id: str, tail: AsyncIterable[SealedTail]) -> AsyncGenerator[Step]:
    """The insert of each piece of ``tail``, as it comes (sealed as it is read)."""
    async for piece in tail:
        row = {"upload_id": upload_id, "start_offset": piece.start, "size": piece.size,
               "data": piece.sealed}  # fmt: skip
        yield _ADD, row


def dropped(upload_id: str, *, stored: bool = False) -> Step:
    """The delete of the upload's tail. On SQLite its freed pages are zeroed unless
    ``stored`` tells that its every byte is in a stored part or object now, sealed with the
    same key (the store does not zero what it deletes either): zeroing would protect
    nothing there and cost the WAL and the database a second write of each byte."""
    return _DROP_STORED if stored else _DROP, {"b_upload_id": upload_id}


async def drop(conn: AsyncConnection, upload_id: str) -> None:
    """Delete the upload's tail, its pages zeroed on SQLite."""
    await conn.execute(*dropped(upload_id))


async def spans(conn: AsyncConnection, upload_id: str) -> list[TailSpan]:
    rows = await conn.execute(_SPANS, {"b_upload_id": upload_id})
    return [TailSpan(row.start_offset, row.size) for row in rows]


async def pieces(conn: AsyncConnection, upload_id: str, first: int, last: int) -> list[SealedTail]:
    params = {"b_upload_id": upload_id, "b_first": first, "b_last": last}
    rows = await conn.execute(_PIECES, params)
    return [SealedTail(row.start_offset, row.size, bytes(row.data)) for row in rows]
