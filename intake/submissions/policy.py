"""The rules a submission is received under: its files' limits and its fields'."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from intake.core.settings import Settings
from intake.submissions.fields import FieldRules
from intake.uploads.policy import UploadPolicy


@dataclass(frozen=True)
class IntakePolicy:
    uploads: UploadPolicy
    fields: FieldRules
    terms_version: str

    @classmethod
    def from_settings(cls, settings: Settings) -> IntakePolicy:
        limits = settings.limits
        return cls(
            uploads=UploadPolicy.from_settings(settings),
            fields=FieldRules(
                field_max_chars=limits.field_max_chars,
                story_max_chars=limits.story_max_chars,
                locales=settings.submissions.locales,
                timezone=ZoneInfo(settings.submissions.timezone),
            ),
            terms_version=settings.submissions.terms_version,
        )
