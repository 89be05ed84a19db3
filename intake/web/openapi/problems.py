"""Every problem type intake answers with, the problem body's schema, and the error
responses of an operation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import Field, NonNegativeInt
from pydantic.json_schema import SkipJsonSchema

from intake.core.errors import (
    BadRequest,
    ChecksumMismatch,
    Conflict,
    DatabaseUnavailable,
    EmptyFile,
    Forbidden,
    Gone,
    IdempotencyKeyReused,
    IntakeError,
    Locked,
    MethodNotAllowed,
    NotAccepted,
    NotFound,
    ObjectNotFound,
    PayloadTooLarge,
    PreconditionFailed,
    RangeNotSatisfiable,
    StorageError,
    StorageUnavailable,
    TooManyRequests,
    Unauthorized,
    UnsupportedContentType,
    UnsupportedMediaType,
    ValidationFailed,
)
from intake.submissions.records import SubmissionState
from intake.web.health import ReadyChecks
from intake.web.models import Answer, AtLeastOne, UriReference, Uuid
from intake.web.openapi.building import HTML, Json, ref, response
from intake.web.problems import PROBLEM_JSON, ClientGone
from intake.web.uploads.tus_headers import TUS_VERSION


@dataclass(frozen=True)
class ProblemType:
    slug: str
    status: int
    title: str
    when: str

    @property
    def uri(self) -> str:
        return f"/problems/{self.slug}"


def _kind(error: type[IntakeError], when: str) -> ProblemType:
    return ProblemType(error.slug, error.status, error.title, when)


NOT_READY = ProblemType(
    "not-ready", 503, "Not ready",
    "GET /readyz: S3 or the database does not answer (`checks` says which), or the node "
    "is shutting down (no `checks`).",
)  # fmt: skip

PROBLEM_TYPES: tuple[ProblemType, ...] = (
    _kind(BadRequest, "Malformed multipart, JSON or tus header; a bad Idempotency-Key."),
    _kind(NotAccepted, "The submission looks automated; deliberately no reason given."),
    _kind(ClientGone, "The client closed the connection before the request was complete."),
    _kind(Unauthorized, "Creating an upload without a submitter token, or with an unknown "
          "one; a moderation route without a moderator token; a wrong moderator name or "
          "password."),
    _kind(Forbidden, "Not in this state: uploading to a submitted draft, PATCHing a final "
          "upload, removing an upload of a submitted draft; a moderator's role too low "
          "(escalated submissions are for seniors, accounts for admins)."),
    _kind(NotFound, "No such address, or nothing with this id belongs to this token."),
    _kind(MethodNotAllowed, "The method is not one of `allowed_methods` (also in `Allow`)."),
    _kind(Conflict, "A tus offset that moved on (`offset`), submitting with unfinished "
          "uploads (`incomplete_uploads`) or twice (`state`), a request with this "
          "Idempotency-Key still running (`retry_after_seconds`), or a moderator acting on a "
          "submission whose lease they do not hold (`state`)."),
    _kind(Gone, "A terminated or expired upload."),
    _kind(PreconditionFailed, f"`Tus-Resumable` other than {TUS_VERSION} (`supported`)."),
    _kind(IdempotencyKeyReused, "An Idempotency-Key sent again with another request."),
    _kind(ValidationFailed, "Missing consent or bad fields; `errors` lists each field."),
    _kind(EmptyFile, "A file or upload of zero bytes."),
    _kind(UnsupportedMediaType, "A file whose sniffed type (`sniffed_type`) is not accepted "
          "(`accepted_types`); answered after its first bytes."),
    _kind(UnsupportedContentType, "A body not in a format the route takes (`content_type`)."),
    _kind(PayloadTooLarge, "A declared body, a file, the file count or the field count over "
          "its limit (`limit_bytes`, `max_files`)."),
    _kind(RangeNotSatisfiable, "A moderator's `Range` that starts past the end of the file "
          "(`size`; also `Content-Range: bytes */<size>`)."),
    _kind(Locked, "Another request is writing this upload; retry shortly."),
    _kind(ChecksumMismatch, "A tus chunk that does not match `Upload-Checksum`; discarded."),
    _kind(TooManyRequests, "Over this client address's rate limit (`limit` per window; only "
          "accepted requests count), or all clients' (`scope`), or too many failed moderator "
          "logins; `retry_after_seconds` and `Retry-After` say when "
          "to try again."),
    _kind(StorageUnavailable, "Object storage failed; nothing was kept; try again."),
    _kind(DatabaseUnavailable, "The database failed; nothing was kept; try again."),
    NOT_READY,
    _kind(IntakeError, "A fault on our side (a bug); `request_id` helps us find it."),
    _kind(StorageError, "Object storage refused a request (a fault on our side)."),
    _kind(ObjectNotFound, "A stored object went missing (a fault on our side)."),
)  # fmt: skip
"""Every problem type intake answers with (``ConfigurationError`` never reaches HTTP)."""


# --- the body (documented only: :mod:`intake.web.problems` writes it) ---------------------

Absent = SkipJsonSchema[None]


class FieldError(Answer):
    field: str
    """The field (form or JSON member) to change, or `files`."""
    code: str
    """Stable code: required, too_long, not_boolean, not_iso8601, invalid_email,
    invalid_phone, unsupported_locale, not_text, not_utf8, wrong_type, unknown, invalid,
    bad_name, bad_length, already_escalated."""
    detail: str
    """What to change, in words for the reader."""


class Problem(Answer):
    """RFC 9457 problem details. Members other than type, title, status and detail appear
    only with the problem types named in their descriptions."""

    type: UriReference
    """The problem type, `/problems/<slug>` (see x-problem-types)."""
    title: str
    """Short summary of the problem type; the same for every instance."""
    status: int = Field(ge=400, le=599, description="The HTTP status code.")
    detail: str
    """What went wrong in this request and what to change."""
    instance: UriReference | Absent = None
    """The request path."""
    request_id: str | Absent = None
    """The X-Request-Id of this answer; quote it to the newsroom."""
    errors: list[FieldError] | Absent = None
    """validation-failed: every field to change."""
    limit_bytes: NonNegativeInt | Absent = None
    """payload-too-large: the limit passed, in bytes."""
    max_files: NonNegativeInt | Absent = None
    """payload-too-large: the most files in one submission."""
    filename: str | Absent = None
    """empty-file, unsupported-media-type: the file concerned."""
    sniffed_type: str | Absent = None
    """unsupported-media-type: the type found in the bytes."""
    accepted_types: list[str] | Absent = None
    """unsupported-media-type: the accepted types."""
    content_type: str | Absent = None
    """unsupported-content-type: the Content-Type received."""
    allowed_methods: list[str] | Absent = None
    """method-not-allowed: the methods to use."""
    supported: list[str] | Absent = None
    """unsupported-version and a bad Upload-Checksum: the versions or algorithms supported."""
    retry_after_seconds: AtLeastOne | Absent = None
    """too-many-requests, conflict: seconds to wait (also in `Retry-After`)."""
    limit: NonNegativeInt | Absent = None
    """too-many-requests: requests allowed per window."""
    scope: Literal["address", "everyone"] | Absent = None
    """too-many-requests on submissions and uploads: whose limit was reached, this client
    address's (or IPv6 network's) or all clients' together (`rate.global_*`)."""
    offset: NonNegativeInt | None = None
    """conflict: the upload's offset, to resume from."""
    incomplete_uploads: list[Uuid] | Absent = None
    """conflict: uploads to finish."""
    state: SubmissionState | Absent = None
    """conflict: the submission's state."""
    checks: ReadyChecks | Absent = None
    size: NonNegativeInt | Absent = None
    """range-not-satisfiable: the file's size in bytes."""


# --- error responses -------------------------------------------------------------------

_BY_CLASS = {(p.slug, p.status): p for p in PROBLEM_TYPES}
_EXTRA_HEADERS = {405: ("Allow",), 409: ("Retry-After",), 429: ("Retry-After",),
                  412: ("Tus-Version",), 416: ("Content-Range",),
                  503: ("Retry-After?",)}  # fmt: skip


def problem_responses(
    *errors: type[IntakeError] | ProblemType, html: bool = False, tus: bool = False
) -> dict[str, Json]:
    """The error responses of an operation, one per status, each naming its problem types.
    ``html``: browsers (``Accept: text/html``) get a page instead; ``tus``: the answer
    carries Tus-Resumable."""
    kinds = [e if isinstance(e, ProblemType) else _BY_CLASS[(e.slug, e.status)] for e in errors]
    kinds = list(dict.fromkeys(kinds))
    answers: dict[str, Json] = {}
    for status in sorted({k.status for k in kinds}):
        these = [k for k in kinds if k.status == status]
        narrowed = {"status": {"const": status}, "type": {"enum": [k.uri for k in these]}}
        content: dict[str, Json] = {
            PROBLEM_JSON: {"allOf": [ref("Problem"), {"properties": narrowed}]}
        }
        if html:
            content[HTML] = {"type": "string"}
        headers = [*_EXTRA_HEADERS.get(status, ()), *(("Tus-Resumable",) if tus else ())]
        description = "; ".join(f"`{k.slug}`: {k.title}" for k in these)
        answers[str(status)] = response(description, content, headers)
        answers[str(status)]["x-problem-types"] = [k.uri for k in these]
    return answers


SERVER = (IntakeError, StorageError)
DEPENDENCIES = (StorageUnavailable, DatabaseUnavailable, *SERVER)
