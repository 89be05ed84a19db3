"""The rows and statements of uploads, for :mod:`.uploads`: an upload to and from its row,
and the statements of every PATCH and of the hot reads, built once (building and keying
a statement costs more CPU than SQLite takes to run it)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, and_, bindparam, literal_column, or_, select, update
from sqlalchemy.sql.elements import ColumnClause

from intake.adapters.db.schema import data_keys, submissions, uploads
from intake.adapters.db.sqlite_driver import UNSYNCED
from intake.core.object_store import UploadedPart
from intake.keys.ports import WrappedKey
from intake.submissions.records import SubmissionState
from intake.uploads.ports import Claimed
from intake.uploads.records import Concat, Segment, Upload, UploadOwner, UploadState

OWNER_COLUMNS = (
    submissions.c.id.label("owner_id"),
    submissions.c.prefix.label("owner_prefix"),
    submissions.c.token_hash.label("owner_token_hash"),
    submissions.c.state.label("owner_state"),
)
"""An upload's owner, named apart from the upload's own columns it may be read with."""
OWNER = select(*OWNER_COLUMNS)


def owner_from(row: Row[Any] | Row[Any, Any, Any, Any]) -> UploadOwner:
    return UploadOwner(
        submission_id=row.owner_id,
        prefix=row.owner_prefix,
        token_hash=row.owner_token_hash,
        is_draft=row.owner_state == SubmissionState.DRAFT.value,
    )


def claimed_from(row: Row[Any]) -> Claimed:
    upload = upload_from(row)
    if row.key_wrapped is None:
        return Claimed(upload, None)
    return Claimed(
        upload, WrappedKey(upload.submission_id, row.key_master_key_id, bytes(row.key_wrapped))
    )


MUTABLE = (
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


# The statements of every PATCH; parameter names are kept apart from the columns'. The
# claim (or the read that finds an upload free for a PATCH that needs no lease) also
# reads the submission's data key: SQLAlchemy names RETURNING's columns
# without their table on SQLite, which in the subquery would name data_keys' own. A lease
# (claimed, renewed, released) is committed without waiting for the disk: a power cut
# that forgets one stops the request that held it too.
CLAIMED_SUBMISSION: ColumnClause[str] = literal_column(
    f"{uploads.name}.{uploads.c.submission_id.name}"
)
FREE_FOR_OWNER = and_(
    uploads.c.id == bindparam("b_id"),
    uploads.c.state == UploadState.OPEN.value,
    uploads.c.upload_offset == bindparam("b_offset"),
    or_(uploads.c.lock_id == "", uploads.c.lock_expires_at < bindparam("b_now")),
    uploads.c.submission_id.in_(
        select(submissions.c.id).where(submissions.c.token_hash == bindparam("b_token_hash"))
    ),
)
WITH_KEY = tuple(
    select(column)
    .where(data_keys.c.submission_id == CLAIMED_SUBMISSION)
    .scalar_subquery()
    .label(f"key_{column.name}")
    for column in (data_keys.c.master_key_id, data_keys.c.wrapped)
)
CLAIM_AS_OWNER = (
    update(uploads)
    .where(FREE_FOR_OWNER)
    .values(lock_id=bindparam("b_lock_id"), lock_expires_at=bindparam("b_until"))
    .prefix_with(UNSYNCED)
    .returning(*uploads.c, *WITH_KEY)
)
FREE_AS_OWNER = select(uploads, *WITH_KEY).where(FREE_FOR_OWNER)
SAVE_WHERE = and_(
    uploads.c.id == bindparam("b_id"),
    uploads.c.lock_id == bindparam("b_lock_id"),
    uploads.c.state == UploadState.OPEN.value,
)
NOTHING_KEPT = {"head": b"", "hash_state": b""}
"""What an upload no longer open keeps of its file's bytes in its row (sealed or not):
none (its tail rows are deleted with it)."""
SAVE = update(uploads).where(SAVE_WHERE).values({n: bindparam(f"v_{n}") for n in MUTABLE})
SAVE_AND_RELEASE = SAVE.values(lock_id="", lock_expires_at=None)
SAVE_UNLEASED = (
    update(uploads)
    .where(
        and_(
            uploads.c.id == bindparam("b_id"),
            uploads.c.state == UploadState.OPEN.value,
            uploads.c.upload_offset == bindparam("b_offset"),
            or_(uploads.c.lock_id == "", uploads.c.lock_expires_at < bindparam("b_now")),
        )
    )
    .values({n: bindparam(f"v_{n}") for n in MUTABLE})
    .values(lock_id="", lock_expires_at=None)
)

OF_SUBMISSION = (
    select(uploads)
    .where(uploads.c.submission_id == bindparam("p_submission_id"))
    .order_by(uploads.c.created_at, uploads.c.id)
)
BY_ID = select(uploads).where(uploads.c.id == bindparam("p_id"))
BY_ID_WITH_OWNER = (
    select(uploads, *OWNER_COLUMNS)
    .join(submissions, submissions.c.id == uploads.c.submission_id)
    .where(uploads.c.id == bindparam("p_id"))
)
STATE_HELD = (
    select(submissions.c.state)
    .where(submissions.c.id == bindparam("p_submission_id"))
    .with_for_update()
)
STATE_WITH_UPLOADS = (
    select(submissions.c.state.label("submission_state"), uploads)
    .select_from(submissions.outerjoin(uploads, uploads.c.submission_id == submissions.c.id))
    .where(submissions.c.id == bindparam("p_submission_id"))
    .order_by(uploads.c.created_at, uploads.c.id)
)
"""A submission's state and its uploads in one statement (one row with no upload when it
has none): on SQLite only, where writers take turns, so the two cannot drift apart. On
PostgreSQL a statement that waited for the submission's lock (``STATE_HELD``) re-reads
only that row: its uploads would come from before the wait."""
OWNER_BY_TOKEN_HASH = OWNER.where(submissions.c.token_hash == bindparam("p_token_hash"))


def saved_values(upload: Upload) -> dict[str, Any]:
    """The parameters that store an upload's progress (``v_`` and its mutable columns)."""
    row = upload_row(upload)
    if upload.state is not UploadState.OPEN:
        row.update(NOTHING_KEPT)
    return {f"v_{name}": row[name] for name in MUTABLE}
