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
    """A chunk kept as its own object until enough of them make a part (how versions
    before tails kept them; still read back, never written)."""

    key: str
    size: int


@dataclass(frozen=True)
class TailSpan:
    """Where a tail piece lies in its upload: from offset ``start``, ``size`` bytes."""

    start: int
    size: int


@dataclass(frozen=True)
class SealedTail:
    """A piece of a tail as the database keeps it: sealed with the submission's data key
    (:mod:`intake.keys.tails`)."""

    start: int
    size: int
    """Its plaintext bytes."""
    sealed: bytes


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
    tail_size: int = 0
    """Bytes after the last stored part (and any segments) kept in the database as its
    tail, in pieces (:class:`SealedTail`) until they make a part."""
    head: bytes = b""
    """The first bytes, while too few of them came to know the type, as the database keeps
    them: sealed with the submission's data key (:mod:`intake.uploads.kept`; plain text
    in a row an older version saved)."""
    hash_state: bytes = b""
    """The SHA-256 state of the bytes received so far, sealed as the head is; dropped
    (``b""``) with the head when the upload completes or ends otherwise."""
    sha256: str = ""
    lock_id: str = ""
    lock_expires_at: dt.datetime | None = None

    @property
    def held_size(self) -> int:
        """Bytes received but not yet in a stored part: its segments and its tail."""
        return sum(s.size for s in self.segments) + self.tail_size

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
