"""Media for moderators, through intake: a file's original, public copy or thumbnail,
read with the object store's ``head`` and ``get_range`` (whatever the store does beneath,
encryption included), in bounded chunks, and every opening written to the audit log.

No link to the bucket is ever handed out: a moderator reaches a file only while intake
lets them (their token or desk session, their role), so nothing outlives the item.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from enum import StrEnum

from intake.core.clock import Clock, utcnow
from intake.core.errors import Forbidden, NotFound
from intake.core.object_store import ObjectStore
from intake.media.types import KNOWN_TYPES
from intake.moderation.ports import ModerationQueue
from intake.moderation.queue import is_escalated
from intake.moderation.records import Moderator, Role
from intake.submissions.ports import SubmissionRepository
from intake.submissions.records import AuditEntry, StoredFile

CHUNK = 1 << 20
"""Bytes read from the store at a time; at most two chunks of a stream are in memory."""


class Variant(StrEnum):
    ORIGINAL = "original"
    PUBLIC = "public"
    THUMBNAIL = "thumbnail"


@dataclass(frozen=True)
class Opening:
    """A file a moderator may read: where it is, how big, of what type."""

    submission_id: str
    file: StoredFile
    variant: Variant
    key: str
    size: int
    content_type: str


def _key(f: StoredFile, variant: Variant) -> str:
    if f.state.value == "deleted" or not f.object_key:
        return ""
    return {
        Variant.ORIGINAL: f.object_key,
        Variant.PUBLIC: f.public_key,
        Variant.THUMBNAIL: f.thumbnail_key,
    }[variant]


def _content_type(f: StoredFile, variant: Variant, key: str, stored: str) -> str:
    """The file's type: the sniffed one for an original, else the stored one, else the
    one its key's extension names (public copies are ``public.<ext>``)."""
    if variant is Variant.ORIGINAL:
        return f.media_type
    if stored in KNOWN_TYPES:
        return stored
    extension = key.rsplit(".", 1)[-1].lower()
    named = [t.mime for t in KNOWN_TYPES.values() if extension in t.extensions]
    return named[0] if named else "application/octet-stream"


class ModerationMedia:
    def __init__(
        self,
        store: ObjectStore,
        submissions: SubmissionRepository,
        queue: ModerationQueue,
        clock: Clock = utcnow,
    ) -> None:
        self._store = store
        self._submissions = submissions
        self._queue = queue
        self._clock = clock

    async def find(
        self, moderator: Moderator, submission_id: str, file_id: str, variant: Variant
    ) -> Opening:
        """The file ``moderator`` asks for: 404 when there is no such file (or variant, or
        it was deleted), 403 for an escalated submission and a plain moderator."""
        submission = await self._submissions.get_submission(submission_id)
        if submission is None:
            raise NotFound("No submission has this id.")
        if is_escalated(submission) and not moderator.role.at_least(Role.SENIOR):
            raise Forbidden("Escalated submissions are for senior moderators.")
        found = [f for f in await self._submissions.files_of(submission_id) if f.id == file_id]
        key = _key(found[0], variant) if found else ""
        if not key:
            raise NotFound(f"This submission has no {variant.value} of this file.")
        info = await self._store.head(key)
        return Opening(
            submission_id,
            found[0],
            variant,
            key,
            info.size,
            _content_type(found[0], variant, key, info.content_type),
        )

    async def record(self, moderator: Moderator, opening: Opening, start: int, end: int) -> None:
        """Write to the audit log that ``moderator`` opened bytes ``start``-``end``."""
        detail = {
            "file_id": opening.file.id,
            "variant": opening.variant.value,
            "bytes": f"{start}-{end}",
        }
        await self._queue.record(
            AuditEntry(
                opening.submission_id,
                self._clock(),
                moderator.name,
                "file_opened",
                None,
                None,
                detail,
            )
        )

    async def chunks(self, opening: Opening, start: int, end: int) -> AsyncIterator[bytes]:
        """Bytes ``start`` to ``end`` inclusive, a chunk at a time; the next chunk is read
        while the one before is sent."""
        ahead: asyncio.Task[bytes] | None = None
        position = start
        try:
            while position <= end:
                last = min(position + CHUNK - 1, end)
                current = ahead or asyncio.ensure_future(
                    self._store.get_range(opening.key, position, last)
                )
                ahead = None
                if last < end:
                    following = min(last + CHUNK, end)
                    ahead = asyncio.ensure_future(
                        self._store.get_range(opening.key, last + 1, following)
                    )
                yield await current
                position = last + 1
        finally:
            if ahead is not None:
                ahead.add_done_callback(_consume)
                ahead.cancel()


def _consume(task: asyncio.Task[bytes]) -> None:
    """Take a read-ahead's outcome, so that a failure nobody waits for is not reported."""
    if not task.cancelled():
        task.exception()
