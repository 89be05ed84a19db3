"""What intake keeps about a submission: plain records shared by services and adapters."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class SubmissionState(StrEnum):
    DRAFT = "draft"
    RECEIVED = "received"
    PROCESSING = "processing"
    PENDING_REVIEW = "pending_review"
    IN_REVIEW = "in_review"
    ESCALATED = "escalated"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    FAILED = "failed"


class FileState(StrEnum):
    STORED = "stored"
    INSPECTED = "inspected"
    REJECTED = "rejected"
    DELETED = "deleted"


@dataclass(frozen=True)
class SubmitterDetails:
    """What the reader told us, validated."""

    name: str = ""
    email: str = ""
    phone: str = ""
    title: str = ""
    story: str = ""
    location: str = ""
    occurred_at: dt.datetime | None = None
    locale: str = "en"
    consent_terms: bool = False
    consent_contact: bool = False


@dataclass(frozen=True)
class Submission:
    id: str
    reference: str
    state: SubmissionState
    created_at: dt.datetime
    updated_at: dt.datetime
    details: SubmitterDetails
    terms_version: str
    token_hash: str
    prefix: str
    file_count: int = 0
    total_bytes: int = 0
    lease_holder: str = ""
    """The moderator id holding the submission while it is ``in_review``."""
    lease_expires_at: dt.datetime | None = None
    claimed_from: SubmissionState | None = None
    """The queue an ``in_review`` submission was claimed from (and returns to)."""

    def waiting_state(self, now: dt.datetime) -> SubmissionState:
        """The state as the queue sees it: a lapsed lease counts as waiting again."""
        if (
            self.state is SubmissionState.IN_REVIEW
            and self.claimed_from is not None
            and (self.lease_expires_at is None or self.lease_expires_at <= now)
        ):
            return self.claimed_from
        return self.state


class FlagKind(StrEnum):
    DUPLICATE = "duplicate"
    """The same bytes (sha256) were sent before, in ``submission_id``."""
    NEAR_DUPLICATE = "near_duplicate"
    """A photo that looks the same (perceptual hash within ``distance`` bits)."""
    NOT_SCANNED = "not_scanned"
    """The malware scanner could not scan the whole file (e.g. over its stream limit)."""


@dataclass(frozen=True)
class FileFlag:
    """Something a moderator should know about a file, e.g. that it was sent before."""

    kind: FlagKind
    submission_id: str = ""
    file_id: str = ""
    distance: int | None = None


@dataclass(frozen=True)
class StoredFile:
    id: str
    submission_id: str
    position: int
    original_filename: str
    media_type: str
    kind: str
    size: int
    sha256: str
    object_key: str
    state: FileState
    created_at: dt.datetime
    extracted: dict[str, Any] = field(default_factory=dict)
    """What inspection found: dimensions, capture time, location, device, codecs…"""
    flags: tuple[FileFlag, ...] = ()
    reject_reason: str = ""
    public_key: str = ""
    thumbnail_key: str = ""
    phash: str = ""
    inspected_at: dt.datetime | None = None


@dataclass(frozen=True)
class AuditEntry:
    submission_id: str
    at: dt.datetime
    actor: str
    action: str
    from_state: SubmissionState | None
    to_state: SubmissionState | None
    detail: dict[str, Any] = field(default_factory=dict)


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
class UploadedPart:
    """A stored part of an S3 multipart upload."""

    number: int
    etag: str


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
class StoredAnswer:
    """The first answer to an idempotent request, sealed with the client's key."""

    fingerprint: str
    status: int
    sealed_body: bytes
    location: str


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    DEAD = "dead"


@dataclass(frozen=True)
class Job:
    """Work to do after a request was answered (e.g. inspect a submission's files).

    A worker holds a lease on a running job (``lease_id`` until ``lease_expires_at``);
    a job whose lease expired is taken again. ``attempts`` counts the claims so far.
    """

    id: str
    kind: str
    payload: dict[str, Any]
    state: JobState
    created_at: dt.datetime
    run_after: dt.datetime
    attempts: int = 0
    last_error: str = ""
    lease_id: str = ""
    lease_expires_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


class Role(StrEnum):
    """What a moderator may do; each role may do what the ones before it may."""

    MODERATOR = "moderator"
    SENIOR = "senior"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def at_least(self, other: Role) -> bool:
        return self.rank >= other.rank


@dataclass(frozen=True)
class Moderator:
    id: str
    name: str
    role: Role
    disabled: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    password_hash: str = ""


class TokenKind(StrEnum):
    API = "api"
    """Issued by ``intake moderator token`` or an admin; lasts until replaced."""
    SESSION = "session"
    """Issued at login; expires."""


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    ESCALATE = "escalate"

    @property
    def to_state(self) -> SubmissionState:
        return {
            Decision.APPROVE: SubmissionState.APPROVED,
            Decision.REJECT: SubmissionState.REJECTED,
            Decision.ESCALATE: SubmissionState.ESCALATED,
        }[self]


@dataclass(frozen=True)
class OutboxEvent:
    """Something the newsroom's other systems hear about, by webhook; ``id`` is stable
    across every delivery attempt so that receivers can drop repeats."""

    id: str
    type: str
    submission_id: str
    created_at: dt.datetime
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Delivery:
    """One event on its way to one webhook URL."""

    id: int
    event: OutboxEvent
    url: str
    attempts: int
