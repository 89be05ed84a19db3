"""The submission API's JSON bodies: a draft's fields, and what a submitter is answered."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ConfigDict, Field, NonNegativeInt, model_validator
from pydantic.json_schema import SkipJsonSchema, WithJsonSchema
from pydantic_core import PydanticCustomError

from intake.core.settings import Settings
from intake.media.types import MediaKind
from intake.submissions import records
from intake.submissions.drafts import NewDraft
from intake.submissions.fields import TEXT_FIELDS
from intake.submissions.filenames import sanitize_filename
from intake.submissions.receiving import AcceptedSubmission
from intake.submissions.records import FileState, SubmissionState
from intake.submissions.submitter import PLAIN_STATES
from intake.submissions.submitter import SubmitterView as View
from intake.uploads import records as uploads
from intake.uploads.records import UploadState
from intake.web.models import (
    Answer,
    Body,
    Sha256Hex,
    UriReference,
    Uuid,
    documented,
    omitted_when_none,
)

Json = dict[str, Any]
UPLOADS_URL = "/api/v1/uploads"


# --- the draft's fields ----------------------------------------------------------------


def _as_text(value: object) -> object:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    raise PydanticCustomError("not_text", "Use a string (or true/false for consents).")


Text = Annotated[str, BeforeValidator(_as_text)]
"""A member read as text, as a form field would be: ``true``/``false`` become words."""
Consent = Annotated[Text, WithJsonSchema({"type": "boolean"})]


class DraftFields(Body):
    """The reader's fields as one JSON object (at most 1 MiB); null members count as
    absent. Files follow as tus uploads."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={"required": ["consent_terms"], "additionalProperties": False},
    )
    __pydantic_extra__: dict[str, Text] = Field(init=False)

    consent_terms: Consent = documented("", const=True)
    """Required: true, the reader agrees to the terms (or "true"/"false")."""
    consent_contact: Consent = ""
    """The reader agrees to be contacted (or "true"/"false")."""
    name: Text = ""
    email: Text = documented("", format="email")
    phone: Text = documented("", pattern=r"^\+?[0-9 ()./-]{5,40}$")
    """With its country code; at least 5 digits."""
    title: Text = ""
    story: Text = ""
    """The story; newlines kept."""
    location: Text = ""
    occurred_at: Text = documented("", format="date-time")
    """When it happened: RFC 3339, e.g. 2026-11-28T06:00:00+04:30 (other ISO 8601 forms
    are read too; no offset means UTC)."""
    locale: Text = ""
    """The reader's language."""

    @model_validator(mode="before")
    @classmethod
    def _nulls_are_absent(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {name: value for name, value in data.items() if value is not None}
        return data

    def raw(self) -> dict[str, str]:
        """The members sent, as text, for the domain's field rules (and the fingerprint)."""
        return {name: str(value) for name, value in self.model_dump(exclude_unset=True).items()}


def limit_fields(schema: Json, settings: Settings) -> Json:
    """A copy of the fields' ``schema`` stating this deployment's limits and locales."""
    schema = copy.deepcopy(schema)
    members = schema["properties"]
    limits = settings.limits
    for name in TEXT_FIELDS:
        most = limits.story_max_chars if name == "story" else limits.field_max_chars
        members[name]["maxLength"] = most
        said = members[name].get("description", "")
        members[name]["description"] = f"{said} At most {most} characters.".strip()
    locales = settings.submissions.locales
    members["locale"]["enum"] = list(locales)
    members["locale"]["description"] += f" Default {locales[0]}."
    return schema


# --- answers ---------------------------------------------------------------------------


class StoredFile(Answer):
    id: Uuid
    """The file id."""
    filename: str
    """The sanitized original filename (empty once withdrawn)."""
    media_type: str
    """The type sniffed from the bytes, e.g. image/jpeg."""
    kind: MediaKind
    size: NonNegativeInt
    """Bytes."""
    sha256: Sha256Hex
    """Hex SHA-256 of the bytes."""
    state: FileState

    @classmethod
    def of(cls, f: records.StoredFile) -> StoredFile:
        return cls(id=f.id, filename=f.original_filename, media_type=f.media_type,
                   kind=MediaKind(f.kind), size=f.size, sha256=f.sha256, state=f.state)  # fmt: skip


class Upload(Answer):
    id: Uuid
    """The upload id."""
    url: UriReference
    """The tus upload URL."""
    filename: str
    """From Upload-Metadata `filename`, sanitized as the stored file's will be."""
    state: UploadState
    offset: NonNegativeInt
    """Bytes received."""
    length: NonNegativeInt | None
    """Upload-Length; null while deferred."""
    expires_at: dt.datetime
    """When an unfinished upload is removed."""

    @classmethod
    def of(cls, u: uploads.Upload) -> Upload:
        return cls(id=u.id, url=f"{UPLOADS_URL}/{u.id}", filename=sanitize_filename(u.filename),
                   state=u.state, offset=u.offset, length=u.length,
                   expires_at=u.expires_at)  # fmt: skip


Reference = Annotated[str, Field(pattern="^[0-9A-Z]{5}-[0-9A-Z]{5}$")]
Token = Annotated[
    str,
    Field(
        min_length=16,
        description="The submitter token: shown once, stored hashed. Send it as "
        "`Authorization: Bearer <token>`.",
    ),
]


class _Submission(Answer):
    id: Uuid
    """The submission id (UUIDv7)."""
    reference: Reference
    """The reference code readers quote, e.g. 81100-V8QSY."""
    state: SubmissionState
    created_at: dt.datetime
    """When it was received."""


class SubmissionAccepted(_Submission):
    """A submission received in one request."""

    files: list[StoredFile]
    submitter_token: Token

    @classmethod
    def of(cls, accepted: AcceptedSubmission) -> SubmissionAccepted:
        s = accepted.submission
        return cls(id=s.id, reference=s.reference, state=s.state, created_at=s.created_at,
                   files=[StoredFile.of(f) for f in accepted.files],
                   submitter_token=accepted.token)  # fmt: skip


class DraftCreated(_Submission):
    """A draft: upload its files with tus, then submit it."""

    state: Literal[SubmissionState.DRAFT]
    submitter_token: Token
    upload_url: UriReference
    """Where to create tus uploads."""
    submit_url: UriReference
    """Where to POST once every upload is complete."""

    @classmethod
    def of(cls, draft: NewDraft) -> DraftCreated:
        s = draft.submission
        return cls(id=s.id, reference=s.reference, state=SubmissionState.DRAFT,
                   created_at=s.created_at, submitter_token=draft.token, upload_url=UPLOADS_URL,
                   submit_url=f"/api/v1/submissions/{s.id}/submit")  # fmt: skip


class Submitted(_Submission):
    """A draft, submitted."""

    files: list[StoredFile]

    @classmethod
    def of(cls, s: records.Submission, files: list[records.StoredFile]) -> Submitted:
        return cls(id=s.id, reference=s.reference, state=s.state, created_at=s.created_at,
                   files=[StoredFile.of(f) for f in files])  # fmt: skip


_PLAIN = dict(PLAIN_STATES.values())


class SubmitterView(Answer):
    """What the submitter may see of their submission."""

    id: Uuid
    """The submission id (UUIDv7)."""
    reference: Reference
    """The reference code readers quote, e.g. 81100-V8QSY."""
    status: str = Field(
        description="Where it stands, for the reader: "
        + "; ".join(f"{s}: {t}" for s, t in _PLAIN.items()),
        json_schema_extra={"enum": list(_PLAIN)},
    )
    status_text: str
    """The status in plain words."""
    created_at: dt.datetime
    """When it was created."""
    updated_at: dt.datetime
    """When it last changed."""
    files: list[StoredFile]
    uploads: list[Upload] | SkipJsonSchema[None] = omitted_when_none()
    """Drafts only: their tus uploads."""

    @classmethod
    def of(cls, view: View) -> SubmitterView:
        s = view.submission
        drafts = s.state is SubmissionState.DRAFT
        return cls(
            id=s.id, reference=s.reference, status=view.status, status_text=view.status_text,
            created_at=s.created_at, updated_at=s.updated_at,
            files=[StoredFile.of(f) for f in view.files],
            uploads=[Upload.of(u) for u in view.uploads if u.concat != uploads.Concat.PARTIAL]
            if drafts else None,
        )  # fmt: skip


ANSWERS = (StoredFile, Upload, SubmissionAccepted, DraftCreated, Submitted, SubmitterView)
BODIES = (DraftFields,)
