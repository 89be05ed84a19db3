"""The limits a reader meets, as the pages show them (from this deployment's settings)."""

from __future__ import annotations

from dataclasses import dataclass

from intake.core.settings import Settings
from intake.media.types import KNOWN_TYPES


@dataclass(frozen=True)
class Limits:
    types: str
    """The accepted formats by name: ``JPEG, MP4, …`` (the same in every language)."""
    accept: str
    """The file input's ``accept``: MIME types and extensions."""
    photo_max_bytes: int
    video_max_bytes: int
    max_files: int
    max_total_bytes: int
    field_max_chars: int
    story_max_chars: int
    upload_expire_hours: int
    draft_days: int = 0
    """Retention, in days (0: kept until withdrawn)."""
    rejected_days: int = 0
    failed_days: int = 0
    withdrawn_days: int = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        accepted = settings.media.accepted_types
        extensions = {f".{e}" for m in accepted for e in KNOWN_TYPES[m].extensions}
        limits = settings.limits
        return cls(
            types=", ".join(sorted({KNOWN_TYPES[m].label for m in accepted})),
            accept=",".join(sorted({*accepted, *extensions})),
            photo_max_bytes=limits.photo_max_bytes,
            video_max_bytes=limits.video_max_bytes,
            max_files=limits.max_files,
            max_total_bytes=limits.max_total_bytes,
            field_max_chars=limits.field_max_chars,
            story_max_chars=limits.story_max_chars,
            upload_expire_hours=max(1, settings.uploads.expire_seconds // 3600),
            draft_days=settings.retention.draft_days,
            rejected_days=settings.retention.rejected_days,
            failed_days=settings.retention.failed_days,
            withdrawn_days=settings.retention.withdrawn_days,
        )
