"""Where things go in the bucket (see ``storage/README.md``)."""

from __future__ import annotations

import datetime as dt


def submission_prefix(submission_id: str, created_at: dt.datetime) -> str:
    day = created_at.astimezone(dt.UTC)
    return f"submissions/{day:%Y/%m/%d}/{submission_id}/"


def manifest_key(prefix: str) -> str:
    return f"{prefix}manifest.json"


def original_key(prefix: str, file_id: str) -> str:
    return f"{prefix}{file_id}/original"


def public_key(prefix: str, file_id: str, extension: str) -> str:
    """The sanitized copy that may be published (no EXIF/GPS, no container metadata)."""
    return f"{prefix}{file_id}/public.{extension}"


def thumbnail_key(prefix: str, file_id: str) -> str:
    """The moderators' thumbnail (a JPEG, longest side ``inspection.thumbnail_side``)."""
    return f"{prefix}{file_id}/thumb.jpg"


def object_metadata(
    submission_id: str, file_id: str, media_type: str, sha256: str | None = None
) -> dict[str, str]:
    """The ``x-amz-meta-*`` every object of a submission carries."""
    meta = {"submission-id": submission_id, "file-id": file_id, "sniffed-type": media_type}
    if sha256:
        meta["sha256"] = sha256
    return meta


def incoming_prefix(upload_id: str) -> str:
    """Everything a resumable upload keeps while it is in progress."""
    return f"incoming/{upload_id}/"


def segment_key(upload_id: str, start: int, end: int) -> str:
    """Bytes ``start`` to ``end`` (exclusive) kept on their own until enough of them
    make a part."""
    return f"incoming/{upload_id}/seg-{start:015d}-{end:015d}"


def partial_key(upload_id: str) -> str:
    """The bytes of a partial upload (tus concatenation) until it is joined."""
    return f"incoming/{upload_id}/data"


def submission_of_key(key: str) -> str | None:
    """The submission a ``submissions/…`` key belongs to, or ``None``."""
    parts = key.split("/")
    return parts[4] if len(parts) > 5 and parts[0] == "submissions" and parts[4] else None


def upload_of_key(key: str) -> str | None:
    """The resumable upload an ``incoming/…`` key belongs to, or ``None``."""
    parts = key.split("/")
    return parts[1] if len(parts) > 2 and parts[0] == "incoming" and parts[1] else None


def published_key(token: str, extension: str) -> str:
    """A public copy published unsealed: a random name that says nothing (no date, no
    submission or file id)."""
    return f"published/{token}.{extension}"
