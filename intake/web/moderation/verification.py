"""The moderation API's answers about verification: flags with their evidence and plain
words, and content credentials (C2PA)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import NonNegativeInt

from intake.submissions import records
from intake.web.i18n import Localizer
from intake.web.models import Answer
from intake.web.moderation.flag_text import credentials_text, flag_text

CredentialStatus = Literal["valid", "broken", "unknown_signer"]
CREDENTIAL_STATUSES: tuple[str, ...] = ("valid", "broken", "unknown_signer", "none")
"""What ``credentials=`` filters on (none: files without content credentials)."""


class FileFlag(Answer):
    kind: records.FlagKind
    """What does not add up (see the README's verification section)."""
    submission_id: str
    """The earlier submission a duplicate points to; empty otherwise."""
    file_id: str
    distance: NonNegativeInt | None
    """Bits between perceptual hashes (near duplicates)."""
    evidence: dict[str, Any]
    """What the flag is based on: times, sizes, tools, positions, frames alike…"""
    text: str
    """The flag in plain words, in the language of Accept-Language."""

    @classmethod
    def of(cls, flag: records.FileFlag, localizer: Localizer | None) -> FileFlag:
        return cls(kind=flag.kind, submission_id=flag.submission_id, file_id=flag.file_id,
                   distance=flag.distance, evidence=flag.evidence,
                   text=flag_text(flag, localizer))  # fmt: skip


class CredentialAction(Answer):
    action: str
    """created, edited, cropped, …"""
    software: str | None = None
    digital_source_type: str | None = None
    """IPTC digital source type, e.g. digitalCapture, trainedAlgorithmicMedia."""
    when: str | None = None


class Ingredient(Answer):
    title: str
    relationship: str


class Credentials(Answer):
    """The file's content credentials (C2PA), as validated on inspection."""

    status: CredentialStatus
    """valid: signature and hashes hold and the signer is trusted; broken: they do not
    hold; unknown_signer: they hold, but the newsroom's trust list does not name the signer."""
    signer: str
    issuer: str
    tool: str
    """The claim generator: the camera app, editor or generator that signed."""
    signed_at: dt.datetime | None = None
    """When it was signed (a time-stamp authority's time), if recorded."""
    captured_at: dt.datetime | None = None
    """When the capture action says it was taken, if recorded."""
    actions: list[CredentialAction]
    ai_generated: bool
    ingredients: list[Ingredient]
    failures: list[str]
    """Validation failure codes, e.g. assertion.dataHash.mismatch."""
    text: str
    """In plain words, in the language of Accept-Language."""

    @classmethod
    def of(cls, found: dict[str, Any], localizer: Localizer | None) -> Credentials:
        times = {name: _time(found.get(name)) for name in ("signed_at", "captured_at")}
        return cls(**{**found, **times}, text=credentials_text(found, localizer))


def _time(value: Any) -> dt.datetime | None:
    try:
        when = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None
    except ValueError:
        return None
    return when.replace(tzinfo=dt.UTC) if when and when.tzinfo is None else when
