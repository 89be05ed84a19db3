"""What intake keeps about a submission: its state, the reader's details, its files
and their flags, and the audit log."""

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
    CAPTURE_TIME = "capture_time"
    """The capture time is in the future, years before the upload, or hours from the
    time the reader gave (``evidence``: the times and which)."""
    NO_CAMERA_METADATA = "no_camera_metadata"
    """No camera, device or capture time at all (a screenshot, a re-encode, a download)."""
    SCREEN_DIMENSIONS = "screen_dimensions"
    """A photo exactly the size of a phone's screen (a screenshot?)."""
    EDITING_TOOL = "editing_tool"
    """An editing tool is named (EXIF Software, XMP history, C2PA actions)."""
    LOCATION_MISMATCH = "location_mismatch"
    """GPS far from the place the reader named (the newsroom's place list)."""
    LOCATION_UNCHECKED = "location_unchecked"
    """GPS and the reader's location text, side by side (no place list matched)."""
    CREDENTIALS_BROKEN = "credentials_broken"
    """Content credentials (C2PA) whose signature or hashes do not hold."""
    CREDENTIALS_UNKNOWN_SIGNER = "credentials_unknown_signer"
    """Content credentials signed by someone the newsroom's trust list does not name."""
    AI_GENERATED = "ai_generated"
    """Content credentials say an AI model generated (part of) it."""


@dataclass(frozen=True)
class FileFlag:
    """Something a moderator should know about a file, e.g. that it was sent before."""

    kind: FlagKind
    submission_id: str = ""
    file_id: str = ""
    distance: int | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    """What the flag is based on, e.g. the capture time and the upload time."""


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
