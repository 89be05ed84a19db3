"""What erasing a submission does to its rows, what forgetting it does, and which
submissions retention takes: the SQL behind those methods of
:class:`intake.adapters.db.submissions.SqlSubmissionRepository`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, Text, and_, cast, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from intake.adapters.db.schema import (
    audit_log,
    files,
    jobs,
    media_hashes,
    submissions,
    upload_tails,
    uploads,
)
from intake.submissions.records import FileState, SubmissionState

TOUCHED_TABLES = ("submissions", "files", "uploads", "upload_tails", "audit_log", "media_hashes",
                  "data_keys")  # fmt: skip
"""The tables an erasure rewrites (vacuumed on PostgreSQL afterwards)."""
WITHDRAWN = SubmissionState.WITHDRAWN.value
_TEXT_FIELDS = ("name", "email", "phone", "title", "story", "location")


def _erased_submission(at: dt.datetime) -> dict[str, Any]:
    return {
        "state": WITHDRAWN, "updated_at": at, "occurred_at": None, "consent_contact": False,
        "lease_holder": "", "lease_expires_at": None, "claimed_from": None,
        **dict.fromkeys(_TEXT_FIELDS, ""),
    }  # fmt: skip


ERASED_FILE = {
    "original_filename": "", "state": FileState.DELETED.value, "extracted": {}, "flags": [],
    "reject_reason": "", "public_key": "", "thumbnail_key": "", "sha256": "", "phash": "",
    "flag_kinds": "", "credentials": "",
}  # fmt: skip
"""A file erased: nothing of its name, content (hashes included) or what was found in it."""
ERASED_UPLOAD = {"filename": "", "metadata": {}, "head": b"", "sha256": "", "hash_state": b"",
                 "parts": [], "segments": [], "tail_size": 0}  # fmt: skip
"""An upload erased: no name, no first bytes, no hash state, no part ETags (MD5s), no tail
(its rows deleted)."""


async def erase(conn: AsyncConnection, submission_id: str, at: dt.datetime) -> bool:
    """Withdraw the submission and erase what the reader sent and what was found in it,
    moderators' notes about it included; ``False`` when it was withdrawn already."""
    statement = (
        update(submissions)
        .where(and_(submissions.c.id == submission_id, submissions.c.state != WITHDRAWN))
        .values(**_erased_submission(at))
    )
    if (await conn.execute(statement)).rowcount != 1:
        return False
    await conn.execute(
        update(files).where(files.c.submission_id == submission_id).values(**ERASED_FILE)
    )
    its_uploads = select(uploads.c.id).where(uploads.c.submission_id == submission_id)
    await conn.execute(delete(upload_tails).where(upload_tails.c.upload_id.in_(its_uploads)))
    await conn.execute(
        update(uploads).where(uploads.c.submission_id == submission_id).values(**ERASED_UPLOAD)
    )
    await conn.execute(delete(media_hashes).where(media_hashes.c.submission_id == submission_id))
    await conn.execute(
        update(audit_log)
        .where(and_(audit_log.c.submission_id == submission_id, audit_log.c.note.is_not(None)))
        .values(note=None)
    )
    return True


async def forget(conn: AsyncConnection, submission_id: str) -> bool:
    """Delete the rows of a withdrawn (erased) submission: its files, uploads (their tails
    with them, by the foreign key) and jobs and itself; the audit log keeps its entries.
    ``False`` unless it was withdrawn."""
    withdrawn = and_(submissions.c.id == submission_id, submissions.c.state == WITHDRAWN)
    if (await conn.execute(select(submissions.c.id).where(withdrawn))).first() is None:
        return False
    for table in (files, uploads, jobs):
        await conn.execute(delete(table).where(table.c.submission_id == submission_id))
    await conn.execute(delete(submissions).where(withdrawn))
    return True


def due(cutoffs: Mapping[SubmissionState, dt.datetime], limit: int) -> Select[Any]:
    """Submissions in one of ``cutoffs``' states, last changed before its cutoff, oldest
    change first."""
    s = submissions.c
    kept_too_long = [and_(s.state == state.value, s.updated_at < cutoff)
                     for state, cutoff in cutoffs.items()]  # fmt: skip
    return select(submissions).where(or_(*kept_too_long)).order_by(s.updated_at).limit(limit)


async def erase_details(conn: AsyncConnection, before: dt.datetime) -> int:
    """Empty the details and erase the notes of audit entries written before ``before``;
    who did what, when, from which state to which, stays."""
    a = audit_log.c
    statement = (
        update(audit_log)
        .where(and_(a.at < before, or_(a.note.is_not(None), cast(a.detail, Text) != "{}")))
        .values(detail={}, note=None)
    )
    return int((await conn.execute(statement)).rowcount)
