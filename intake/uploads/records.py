"""A resumable (tus) upload: its state between requests, kept in the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from intake.core.object_store import UploadedPart


class UploadState(StrEnum):
    OPEN = "open"
    COMPLETE = "complete"
    TERMINATED = "terminated"
    EXPIRED = "expired"


class Concat(StrEnum):
    NONE = ""
    PARTIAL = "partial"
    FINAL = "final"


@dataclass(frozen=True)
class Segment:
    """A chunk kept as its own object until enough of them make a part."""

    key: str
    size: int


@dataclass(frozen=True)
class Upload:
    """A resumable (tus) upload of one file into a draft submission."""

    id: str
    submission_id: str
    state: UploadState
    length: int | None
    offset: int
    concat: Concat
    concat_parts: tuple[str, ...]
    filename: str
    declared_type: str
    metadata: dict[str, str]
    object_key: str
    created_at: dt.datetime
    updated_at: dt.datetime
    expires_at: dt.datetime
    media_type: str = ""
    kind: str = ""
    s3_upload_id: str = ""
    parts: tuple[UploadedPart, ...] = ()
    segments: tuple[Segment, ...] = ()
    head: bytes = b""
    hash_state: bytes = b""
    sha256: str = ""
    lock_id: str = ""
    lock_expires_at: dt.datetime | None = None

    @property
    def segments_size(self) -> int:
        return sum(s.size for s in self.segments)

    @property
    def is_complete(self) -> bool:
        return self.length is not None and self.offset == self.length


@dataclass(frozen=True)
class UploadOwner:
    """The submission an upload belongs to, as far as uploads need to know it."""

    submission_id: str
    prefix: str
    """Where the submission's objects go in the bucket."""
    token_hash: str
    is_draft: bool
    """Only a draft takes new uploads or gives them up."""
