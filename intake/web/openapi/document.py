"""The API as a contract: an OpenAPI 3.1 document at ``GET /api/v1/openapi.json`` and the
same document as a plain page at ``GET /api/docs`` (rendered here, no JavaScript, no CDN).

The document is built from the settings of this deployment, so the limits it states
(text lengths, file counts, upload sizes, locales, accepted types) are the ones enforced.
Every problem type of :mod:`intake.core.errors` is listed under ``x-problem-types``; each
error response names the types it may carry.
"""

from __future__ import annotations

import functools
import importlib.metadata
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from markupsafe import Markup, escape

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
    StorageError,
    StorageUnavailable,
    TooManyRequests,
    Unauthorized,
    UnsupportedContentType,
    UnsupportedMediaType,
    ValidationFailed,
)
from intake.core.settings import Settings
from intake.media.types import KNOWN_TYPES, MediaKind
from intake.submissions.fields import TEXT_FIELDS
from intake.submissions.records import FileState, SubmissionState
from intake.submissions.submitter import PLAIN_STATES
from intake.uploads.chunks import CHECKSUM_ALGORITHMS
from intake.uploads.records import UploadState
from intake.web.keys import SETTINGS, TEMPLATES, UPLOADS
from intake.web.problems import PROBLEM_JSON, ClientGone
from intake.web.uploads.tus_headers import OFFSET_OCTET_STREAM, TUS_EXTENSIONS, TUS_VERSION

Json = dict[str, Any]
OPENAPI_PATH = "/api/v1/openapi.json"
DOCS_PATH = "/api/docs"
UPLOADS_PATH = "/api/v1/uploads"
JSON = "application/json"
HTML = "text/html"
MULTIPART = "multipart/form-data"
SECURITY: list[dict[str, list[str]]] = [{"submitterToken": []}]

routes = web.RouteTableDef()


# --- problem types ---------------------------------------------------------------------


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
    "not-ready",
    503,
    "Not ready",
    "GET /readyz: S3 or the database does not answer; `checks` says which.",
)

PROBLEM_TYPES: tuple[ProblemType, ...] = (
    _kind(BadRequest, "Malformed multipart, JSON or tus header; a bad Idempotency-Key."),
    _kind(NotAccepted, "The submission looks automated; deliberately no reason given."),
    _kind(ClientGone, "The client closed the connection before the request was complete."),
    _kind(
        Unauthorized,
        "Creating an upload without a submitter token, or with an unknown one; a moderation "
        "route without a moderator token; a wrong moderator name or password.",
    ),
    _kind(
        Forbidden,
        "Not in this state: uploading to a submitted draft, PATCHing a final "
        "upload, removing an upload of a submitted draft; a moderator's role too low "
        "(escalated submissions are for seniors, accounts for admins).",
    ),
    _kind(NotFound, "No such address, or nothing with this id belongs to this token."),
    _kind(MethodNotAllowed, "The method is not one of `allowed_methods` (also in `Allow`)."),
    _kind(
        Conflict,
        "A tus offset that moved on (`offset`), submitting with unfinished uploads "
        "(`incomplete_uploads`) or twice (`state`), a request with this Idempotency-Key "
        "still running (`retry_after_seconds`), or a moderator acting on a submission whose "
        "lease they do not hold (`state`).",
    ),
    _kind(Gone, "A terminated or expired upload."),
    _kind(PreconditionFailed, f"`Tus-Resumable` other than {TUS_VERSION} (`supported`)."),
    _kind(IdempotencyKeyReused, "An Idempotency-Key sent again with another request."),
    _kind(ValidationFailed, "Missing consent or bad fields; `errors` lists each field."),
    _kind(EmptyFile, "A file or upload of zero bytes."),
    _kind(
        UnsupportedMediaType,
        "A file whose sniffed type (`sniffed_type`) is not accepted "
        "(`accepted_types`); answered after its first bytes.",
    ),
    _kind(UnsupportedContentType, "A body not in a format the route takes (`content_type`)."),
    _kind(
        PayloadTooLarge,
        "A declared body, a file, the file count or the field count over its "
        "limit (`limit_bytes`, `max_files`).",
    ),
    _kind(Locked, "Another request is writing this upload; retry shortly."),
    _kind(ChecksumMismatch, "A tus chunk that does not match `Upload-Checksum`; discarded."),
    _kind(
        TooManyRequests,
        "Over this client address's rate limit (`limit` per window), or too many failed "
        "moderator logins; "
        "`retry_after_seconds` and `Retry-After` say when to try again.",
    ),
    _kind(StorageUnavailable, "Object storage failed; nothing was kept; try again."),
    _kind(DatabaseUnavailable, "The database failed; nothing was kept; try again."),
    NOT_READY,
    _kind(IntakeError, "A fault on our side (a bug); `request_id` helps us find it."),
    _kind(StorageError, "Object storage refused a request (a fault on our side)."),
    _kind(ObjectNotFound, "A stored object went missing (a fault on our side)."),
)
"""Every problem type intake answers with (``ConfigurationError`` never reaches HTTP)."""


# --- schema helpers --------------------------------------------------------------------


def ref(name: str, section: str = "schemas") -> Json:
    return {"$ref": f"#/components/{section}/{name}"}


def obj(
    required: Mapping[str, Json], optional: Mapping[str, Json] | None = None, description: str = ""
) -> Json:
    """A closed object: every member documented, ``required`` ones always present."""
    schema: Json = {
        "type": "object",
        "required": list(required),
        "properties": {**required, **(optional or {})},
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


def string(description: str = "", **keywords: Any) -> Json:
    return _described({"type": "string", **keywords}, description)


def integer(description: str = "", minimum: int | None = 0, **keywords: Any) -> Json:
    schema: Json = {"type": "integer", **keywords}
    if minimum is not None:
        schema["minimum"] = minimum
    return _described(schema, description)


def array(items: Json, description: str = "", **keywords: Any) -> Json:
    return _described({"type": "array", "items": items, **keywords}, description)


def enum(values: Iterable[str], description: str = "") -> Json:
    return _described({"type": "string", "enum": list(dict.fromkeys(values))}, description)


def date_time(description: str) -> Json:
    """A time intake answers with: RFC 3339 in UTC."""
    return string(
        f"{description}: RFC 3339 in UTC, e.g. 2026-11-28T02:13:03.374743Z.", format="date-time"
    )


def _described(schema: Json, description: str) -> Json:
    if description:
        schema["description"] = description
    return schema


def uuid(description: str) -> Json:
    return string(description, format="uuid")


# --- component schemas -----------------------------------------------------------------


def _problem_schema() -> Json:
    field_error = obj(
        {
            "field": string("The field (form or JSON member) to change, or `files`."),
            "code": string(
                "Stable code: required, too_long, not_boolean, not_iso8601, "
                "invalid_email, invalid_phone, unsupported_locale, not_text, not_utf8."
            ),
            "detail": string("What to change, in words for the reader."),
        }
    )
    return obj(
        {
            "type": string(
                "The problem type, `/problems/<slug>` (see x-problem-types).",
                format="uri-reference",
            ),
            "title": string("Short summary of the problem type; the same for every instance."),
            "status": integer("The HTTP status code.", minimum=400, maximum=599),
            "detail": string("What went wrong in this request and what to change."),
        },
        {
            "instance": string("The request path.", format="uri-reference"),
            "request_id": string("The X-Request-Id of this answer; quote it to the newsroom."),
            "errors": array(field_error, "validation-failed: every field to change."),
            "limit_bytes": integer("payload-too-large: the limit passed, in bytes."),
            "max_files": integer("payload-too-large: the most files in one submission."),
            "filename": string("empty-file, unsupported-media-type: the file concerned."),
            "sniffed_type": string("unsupported-media-type: the type found in the bytes."),
            "accepted_types": array(string(), "unsupported-media-type: the accepted types."),
            "content_type": string("unsupported-content-type: the Content-Type received."),
            "allowed_methods": array(string(), "method-not-allowed: the methods to use."),
            "supported": array(
                string(),
                "unsupported-version and a bad Upload-Checksum: "
                "the versions or algorithms supported.",
            ),
            "retry_after_seconds": integer(
                "too-many-requests, conflict: seconds to wait (also in `Retry-After`).", minimum=1
            ),
            "limit": integer("too-many-requests: requests allowed per window."),
            "offset": {
                "type": ["integer", "null"],
                "minimum": 0,
                "description": "conflict: the upload's offset, to resume from.",
            },
            "incomplete_uploads": array(uuid("An upload id."), "conflict: uploads to finish."),
            "state": enum(SubmissionState, "conflict: the submission's state."),
            "checks": _ready_checks(),
        },
        "RFC 9457 problem details. Members other than type, title, status and detail appear "
        "only with the problem types named in their descriptions.",
    )


def _ready_checks() -> Json:
    return obj(
        {
            "object_store": string("`ok`, `timeout` or what failed."),
            "database": string("`ok`, `timeout` or what failed."),
        },
        description="not-ready and GET /readyz: each dependency's answer.",
    )


def _stored_file() -> Json:
    return obj(
        {
            "id": uuid("The file id."),
            "filename": string("The sanitized original filename (empty once withdrawn)."),
            "media_type": string("The type sniffed from the bytes, e.g. image/jpeg."),
            "kind": enum(MediaKind),
            "size": integer("Bytes."),
            "sha256": string("Hex SHA-256 of the bytes.", pattern="^[0-9a-f]{64}$"),
            "state": enum(FileState),
        }
    )


def _upload_view() -> Json:
    return obj(
        {
            "id": uuid("The upload id."),
            "url": string("The tus upload URL.", format="uri-reference"),
            "filename": string("From Upload-Metadata `filename`."),
            "state": enum(UploadState),
            "offset": integer("Bytes received."),
            "length": {
                "type": ["integer", "null"],
                "minimum": 0,
                "description": "Upload-Length; null while deferred.",
            },
            "expires_at": date_time("When an unfinished upload is removed"),
        }
    )


def _submission_members() -> dict[str, Json]:
    return {
        "id": uuid("The submission id (UUIDv7)."),
        "reference": string(
            "The reference code readers quote, e.g. 81100-V8QSY.",
            pattern="^[0-9A-Z]{5}-[0-9A-Z]{5}$",
        ),
        "state": enum(SubmissionState),
        "created_at": date_time("When it was received"),
    }


def _token() -> Json:
    return string(
        "The submitter token: shown once, stored hashed. Send it as "
        "`Authorization: Bearer <token>`.",
        minLength=16,
    )


def _config_schema() -> Json:
    media = obj({"media_type": string(), "extensions": array(string()), "label": string()})
    return obj(
        {
            "accepted_types": obj({kind.value: array(media) for kind in MediaKind}),
            "limits": obj(
                {
                    "photo_max_bytes": integer(),
                    "video_max_bytes": integer(),
                    "max_files": integer(minimum=1),
                    "max_total_bytes": integer(),
                    "field_max_chars": obj({name: integer(minimum=1) for name in TEXT_FIELDS}),
                }
            ),
            "uploads": obj(
                {
                    "tus_endpoint": string(format="uri-reference"),
                    "tus_version": string(),
                    "max_size": integer(),
                    "checksum_algorithms": array(string()),
                    "expire_seconds": integer(),
                }
            ),
            "consents": obj(
                {
                    "required": array(string()),
                    "optional": array(string()),
                    "terms_version": string(),
                }
            ),
            "locales": array(string()),
        },
        description="What a client may send, for this deployment.",
    )


def _text_fields(settings: Settings) -> dict[str, Json]:
    limits = settings.limits
    fields = {
        name: string(
            f"At most {limits.field_max_chars} characters.", maxLength=limits.field_max_chars
        )
        for name in TEXT_FIELDS
    }
    fields["email"]["format"] = "email"
    fields["phone"]["pattern"] = r"^\+?[0-9 ()./-]{5,40}$"
    fields["phone"]["description"] += " With its country code; at least 5 digits."
    fields["story"] = string(
        f"The story; at most {limits.story_max_chars} characters; newlines kept.",
        maxLength=limits.story_max_chars,
    )
    locales = settings.submissions.locales
    fields["occurred_at"] = string(
        "When it happened: RFC 3339, e.g. 2026-11-28T06:00:00+04:30 (other ISO 8601 forms "
        "are read too; no offset means UTC).",
        format="date-time",
    )
    fields["locale"] = enum(locales, f"The reader's language; default {locales[0]}.")
    return fields


def _consents(as_text: bool) -> tuple[Json, Json]:
    spelled = " (also on/yes/1 and off/no/0)" if as_text else ' (or "true"/"false")'
    terms = {
        "type": "boolean",
        "const": True,
        "description": f"Required: true, the reader agrees to the terms{spelled}.",
    }
    contact = {"type": "boolean", "description": f"The reader agrees to be contacted{spelled}."}
    return terms, contact


def _form_schema(settings: Settings) -> Json:
    terms, contact = _consents(as_text=True)
    limits = settings.limits
    files = array(
        {"type": "string", "format": "binary"},
        f"One or more file parts named `files`: photos up to {limits.photo_max_bytes} bytes, "
        f"videos up to {limits.video_max_bytes} bytes, {limits.max_total_bytes} bytes in all. "
        "The type is sniffed from the first bytes; filename and declared type never decide.",
        minItems=1,
        maxItems=limits.max_files,
    )
    return obj(
        {"consent_terms": terms, "files": files},
        {"consent_contact": contact, **_text_fields(settings)},
        f"At most {limits.max_fields} text fields; files stream, each checked as it arrives.",
    )


def _draft_fields_schema(settings: Settings) -> Json:
    terms, contact = _consents(as_text=False)
    return obj(
        {"consent_terms": terms},
        {"consent_contact": contact, **_text_fields(settings)},
        "The reader's fields as one JSON object (at most 1 MiB); null members count as absent. "
        "Files follow as tus uploads.",
    )


def _schemas(settings: Settings) -> Json:
    plain = dict(PLAIN_STATES.values())
    submission = _submission_members()
    files = array(ref("StoredFile"))
    return {
        "Problem": _problem_schema(),
        "StoredFile": _stored_file(),
        "Upload": _upload_view(),
        "SubmissionAccepted": obj(
            {**submission, "files": files, "submitter_token": _token()},
            description="A submission received in one request.",
        ),
        "DraftCreated": obj(
            {
                **submission,
                "state": {"type": "string", "const": SubmissionState.DRAFT.value},
                "submitter_token": _token(),
                "upload_url": string("Where to create tus uploads.", format="uri-reference"),
                "submit_url": string(
                    "Where to POST once every upload is complete.", format="uri-reference"
                ),
            },
            description="A draft: upload its files with tus, then submit it.",
        ),
        "Submitted": obj({**submission, "files": files}, description="A draft, submitted."),
        "SubmitterView": obj(
            {
                "id": submission["id"],
                "reference": submission["reference"],
                "status": enum(
                    plain,
                    "Where it stands, for the reader: "
                    + "; ".join(f"{s}: {t}" for s, t in plain.items()),
                ),
                "status_text": string("The status in plain words."),
                "created_at": date_time("When it was created"),
                "updated_at": date_time("When it last changed"),
                "files": files,
            },
            {"uploads": array(ref("Upload"), "Drafts only: their tus uploads.")},
            "What the submitter may see of their submission.",
        ),
        "Config": _config_schema(),
        "Health": obj({"status": {"type": "string", "const": "ok"}}),
        "Ready": obj({"status": {"type": "string", "const": "ready"}, "checks": _ready_checks()}),
        "OpenApiDocument": {
            "type": "object",
            "required": ["openapi", "info", "paths"],
            "properties": {"openapi": {"type": "string", "const": "3.1.0"}},
        },
        "SubmissionForm": _form_schema(settings),
        "DraftFields": _draft_fields_schema(settings),
    }


# --- headers and parameters ------------------------------------------------------------


def _header(description: str, schema: Json | None = None, required: bool = False) -> Json:
    return {
        "description": description,
        "required": required,
        "schema": schema or {"type": "string"},
    }


def _headers() -> Json:
    number = {"type": "string", "pattern": "^[0-9]+$"}
    return {
        "X-Request-Id": _header(
            "The request id (the client's own when it sent a sane one).", required=True
        ),
        "Location": _header("The address of what was created."),
        "Cache-Control": _header("Caching rules."),
        "Idempotent-Replayed": _header(
            "`true` when this is the stored answer of an earlier "
            "request with the same Idempotency-Key.",
            {"type": "string", "const": "true"},
        ),
        "Retry-After": _header("Seconds to wait before retrying.", number),
        "Allow": _header("The methods this address takes."),
        "Tus-Resumable": _header(
            "The tus version of the answer.",
            {"type": "string", "const": TUS_VERSION},
            required=True,
        ),
        "Tus-Version": _header("Supported tus versions.", {"type": "string", "const": TUS_VERSION}),
        "Tus-Extension": _header("Supported extensions: " + ", ".join(TUS_EXTENSIONS) + "."),
        "Tus-Max-Size": _header("The largest upload accepted, in bytes.", number),
        "Tus-Checksum-Algorithm": _header(
            "Upload-Checksum algorithms: " + ", ".join(CHECKSUM_ALGORITHMS) + "."
        ),
        "Upload-Offset": _header("Bytes received so far.", number, required=True),
        "Upload-Length": _header("The upload's size (absent while deferred).", number),
        "Upload-Defer-Length": _header(
            "`1` while the size is not known yet.", {"type": "string", "const": "1"}
        ),
        "Upload-Expires": _header(
            "When an unfinished upload is removed (RFC 9110 HTTP-date, as tus requires).",
            required=True,
        ),
        "Upload-Metadata": _header("The metadata given at creation."),
        "Upload-Concat": _header("`partial`, or `final;<url> <url>...`."),
    }


HEADERS = _headers()


def _parameter(
    name: str, where: str, description: str, schema: Json, required: bool = False
) -> Json:
    return {
        "name": name,
        "in": where,
        "description": description,
        "required": required,
        "schema": schema,
    }


def _parameters(tus_max_size: int) -> Json:
    return {
        "RequestId": _parameter(
            "X-Request-Id",
            "header",
            "Your id for this request, echoed in the answer; otherwise one is made up.",
            {"type": "string", "pattern": "^[A-Za-z0-9._:-]{1,128}$"},
        ),
        "IdempotencyKey": _parameter(
            "Idempotency-Key",
            "header",
            "A key (a UUID is best) that "
            "makes a retry get the first answer instead of acting "
            "twice; kept 24 hours. Reused with another body: 422.",
            {"type": "string", "pattern": "^[!-~]{1,255}$"},
        ),
        "SubmissionId": _parameter(
            "submission_id",
            "path",
            "The submission id.",
            {"type": "string", "format": "uuid"},
            required=True,
        ),
        "UploadId": _parameter(
            "upload_id",
            "path",
            "The upload id.",
            {"type": "string", "format": "uuid"},
            required=True,
        ),
        "Reference": _parameter(
            "reference",
            "path",
            "A reference code, e.g. 81100-V8QSY (case, dashes, O/I/L for 0/1/1 forgiven).",
            {"type": "string", "pattern": "^[0-9A-Za-z-]{1,40}$"},
            required=True,
        ),
        "TusResumable": _parameter(
            "Tus-Resumable",
            "header",
            f"The tus version; anything but {TUS_VERSION} is 412.",
            {"type": "string", "const": TUS_VERSION},
            required=True,
        ),
        "UploadLength": _parameter(
            "Upload-Length",
            "header",
            "The upload's size in bytes "
            "(exactly one of this and Upload-Defer-Length at creation; "
            "with PATCH, declares a deferred size).",
            {"type": "integer", "minimum": 1, "maximum": tus_max_size},
        ),
        "UploadDeferLength": _parameter(
            "Upload-Defer-Length",
            "header",
            "`1`: the size follows with a later PATCH.",
            {"type": "string", "const": "1"},
        ),
        "UploadMetadata": _parameter(
            "Upload-Metadata",
            "header",
            "Comma-separated `key "
            "base64(value)` pairs: `filename`, `filetype`, optionally "
            "`submission` (the draft's id).",
            {"type": "string"},
        ),
        "UploadConcat": _parameter(
            "Upload-Concat",
            "header",
            "`partial` for a part of a parallel upload, or `final;<url> <url>...` to join them.",
            {"type": "string", "pattern": "^(partial|final;.+)$"},
        ),
        "UploadOffset": _parameter(
            "Upload-Offset",
            "header",
            "Where this chunk starts; must be the upload's current offset.",
            {"type": "integer", "minimum": 0},
            required=True,
        ),
        "UploadChecksum": _parameter(
            "Upload-Checksum",
            "header",
            "`<algorithm> <base64 "
            "digest>` of this chunk; a mismatch is 460 and the chunk "
            "is discarded.",
            {
                "type": "string",
                "pattern": "^(" + "|".join(CHECKSUM_ALGORITHMS) + ") [A-Za-z0-9+/]+=*$",
            },
        ),
        "MethodOverride": _parameter(
            "X-HTTP-Method-Override",
            "header",
            "The method meant, for clients limited to GET and POST.",
            {"type": "string", "enum": ["PATCH", "DELETE", "HEAD"]},
        ),
    }


def params(*names: str) -> list[Json]:
    return [ref(name, "parameters") for name in ("RequestId", *names)]


# --- responses -------------------------------------------------------------------------


def response(
    description: str, content: Mapping[str, Json] | None = None, headers: Sequence[str] = ()
) -> Json:
    """A response; every answer carries X-Request-Id. A header named ``Name?`` is one
    that is otherwise required but may be absent from this answer."""
    answer: Json = {"description": description, "headers": {}}
    for name in ("X-Request-Id", *headers):
        optional = name.endswith("?")
        name = name.removesuffix("?")
        header = {**HEADERS[name], "required": False} if optional else ref(name, "headers")
        answer["headers"][name] = header
    if content:
        answer["content"] = {media: {"schema": schema} for media, schema in content.items()}
    return answer


def json_response(description: str, schema: str | Json, headers: Sequence[str] = ()) -> Json:
    return response(
        description, {JSON: ref(schema) if isinstance(schema, str) else schema}, headers
    )


def html_response(description: str) -> Json:
    return response(description, {HTML: {"type": "string"}})


_BY_CLASS = {(p.slug, p.status): p for p in PROBLEM_TYPES}
_EXTRA_HEADERS = {
    405: ("Allow",),
    409: ("Retry-After",),
    429: ("Retry-After",),
    412: ("Tus-Version",),
}


def problem_responses(
    *errors: type[IntakeError] | ProblemType, html: bool = False, tus: bool = False
) -> dict[str, Json]:
    """The error responses of an operation, one per status, each naming its problem types.
    ``html``: browsers (``Accept: text/html``) get a page instead; ``tus``: the answer
    carries Tus-Resumable."""
    kinds = [e if isinstance(e, ProblemType) else _BY_CLASS[(e.slug, e.status)] for e in errors]
    answers: dict[str, Json] = {}
    for status in sorted({k.status for k in kinds}):
        these = [k for k in kinds if k.status == status]
        schema: Json = {
            "allOf": [
                ref("Problem"),
                {
                    "properties": {
                        "status": {"const": status},
                        "type": {"enum": [k.uri for k in these]},
                    }
                },
            ]
        }
        content: dict[str, Json] = {PROBLEM_JSON: schema}
        if html:
            content[HTML] = {"type": "string"}
        headers = [*_EXTRA_HEADERS.get(status, ()), *(("Tus-Resumable",) if tus else ())]
        description = "; ".join(f"`{k.slug}`: {k.title}" for k in these)
        answers[str(status)] = response(description, content, headers)
        answers[str(status)]["x-problem-types"] = [k.uri for k in these]
    return answers


def operation(
    summary: str,
    operation_id: str,
    tag: str,
    responses: Json,
    *,
    description: str = "",
    parameters: Sequence[Json] = (),
    body: Json | None = None,
    secured: bool = False,
) -> Json:
    op: Json = {
        "tags": [tag],
        "summary": summary,
        "operationId": operation_id,
        "parameters": list(parameters) or params(),
        "responses": responses,
    }
    if description:
        op["description"] = description
    if body is not None:
        op["requestBody"] = body
    if secured:
        op["security"] = SECURITY
    return op


# --- operations ------------------------------------------------------------------------

SERVER = (IntakeError, StorageError)
DEPENDENCIES = (StorageUnavailable, DatabaseUnavailable, *SERVER)
FORM_ERRORS = (
    BadRequest,
    NotAccepted,
    ClientGone,
    PayloadTooLarge,
    UnsupportedContentType,
    UnsupportedMediaType,
    ValidationFailed,
    EmptyFile,
    TooManyRequests,
    *DEPENDENCIES,
)


def _form_content(settings: Settings) -> Json:
    """The multipart body: its fields, and the types its file parts may have."""
    accepted = ", ".join(settings.media.accepted_types)
    return {"schema": ref("SubmissionForm"), "encoding": {"files": {"contentType": accepted}}}


def _submission_paths(settings: Settings) -> Json:
    form = _form_content(settings)
    created = json_response(
        "Created: `SubmissionAccepted` for a form, `DraftCreated` for JSON.",
        {"oneOf": [ref("SubmissionAccepted"), ref("DraftCreated")]},
        ["Location", "Cache-Control", "Idempotent-Replayed"],
    )
    create = operation(
        "Send a story: files and fields in one request, or a draft for tus uploads",
        "createSubmission",
        "submissions",
        {"201": created, **problem_responses(*FORM_ERRORS, Conflict, IdempotencyKeyReused)},
        description="multipart/form-data streams the files into a submission and answers "
        "`SubmissionAccepted`. application/json creates a draft (`DraftCreated`): upload "
        "its files with tus, then POST its `submit_url`. Files are answered 413/415 as "
        "soon as they pass a limit or show another type; `Expect: 100-continue` gets 413 "
        "before the body when the declared length is over the limit.",
        parameters=params("IdempotencyKey"),
        body={"required": True, "content": {MULTIPART: form, JSON: {"schema": ref("DraftFields")}}},
    )
    one = params("SubmissionId")
    return {
        "/api/v1/submissions": {"post": create},
        "/api/v1/submissions/{submission_id}": {
            "get": operation(
                "Where a submission stands, in plain words",
                "getSubmission",
                "submissions",
                {
                    "200": json_response("The submission.", "SubmitterView", ["Cache-Control"]),
                    **problem_responses(NotFound, *DEPENDENCIES),
                },
                description="Another token, no token or no such id: 404 alike.",
                parameters=one,
                secured=True,
            ),
            "delete": operation(
                "Withdraw a submission: its files are deleted, its personal data erased",
                "withdrawSubmission",
                "submissions",
                {
                    "204": response("Withdrawn (again: still 204)."),
                    **problem_responses(NotFound, *DEPENDENCIES),
                },
                parameters=one,
                secured=True,
            ),
        },
        "/api/v1/submissions/{submission_id}/submit": {
            "post": operation(
                "Submit a draft once every upload is complete",
                "submitDraft",
                "submissions",
                {
                    "202": json_response(
                        "Submitted; it goes to review.",
                        "Submitted",
                        ["Idempotent-Replayed", "Cache-Control"],
                    ),
                    **problem_responses(
                        BadRequest,
                        NotFound,
                        Conflict,
                        ValidationFailed,
                        IdempotencyKeyReused,
                        *DEPENDENCIES,
                    ),
                },
                description="409 with `incomplete_uploads` while uploads are unfinished, "
                "with `state` once submitted; 422 without any complete upload.",
                parameters=params("SubmissionId", "IdempotencyKey"),
                secured=True,
            )
        },
    }


def _tus_paths() -> Json:
    tus_errors = (PreconditionFailed, *DEPENDENCIES)
    chunk_errors = (
        BadRequest,
        ClientGone,
        Forbidden,
        PayloadTooLarge,
        UnsupportedContentType,
        UnsupportedMediaType,
        EmptyFile,
        ChecksumMismatch,
        Locked,
        Conflict,
        ObjectNotFound,
    )
    owned = (NotFound, Gone)
    state = [
        "Upload-Offset",
        "Upload-Expires",
        "Upload-Length",
        "Upload-Defer-Length",
        "Upload-Metadata",
        "Upload-Concat",
        "Cache-Control",
        "Tus-Resumable",
    ]
    discovery = ["Tus-Version", "Tus-Extension", "Tus-Max-Size", "Tus-Checksum-Algorithm"]
    chunk = {
        "required": False,
        "content": {OFFSET_OCTET_STREAM: {"schema": {"type": "string", "format": "binary"}}},
    }

    def tus(
        summary: str,
        operation_id: str,
        answers: Json,
        *,
        secured: bool = True,
        parameters: Sequence[str] = (),
        body: Json | None = None,
        description: str = "",
    ) -> Json:
        return operation(
            summary,
            operation_id,
            "uploads (tus 1.0.0)",
            answers,
            parameters=params(*parameters),
            body=body,
            secured=secured,
            description=description,
        )

    def options(operation_id: str, *parameters: str) -> Json:
        return tus(
            "tus discovery: version, extensions, size limit, checksum algorithms",
            operation_id,
            {
                "204": response(
                    "The server's tus capabilities.", headers=[*discovery, "Tus-Resumable?"]
                ),
                **problem_responses(*SERVER, tus=True),
            },
            secured=False,
            parameters=parameters,
        )

    head = {
        "200": response("The upload's offset and state.", headers=state),
        **problem_responses(*owned, *tus_errors, tus=True),
    }
    patch = {
        "204": response("The chunk is stored.", headers=state),
        **problem_responses(*owned, *chunk_errors, *tus_errors, tus=True),
    }
    terminate = {
        "204": response("Terminated; its bytes are removed.", headers=["Tus-Resumable"]),
        **problem_responses(*owned, Forbidden, Locked, *tus_errors, tus=True),
    }
    override = {
        **head,
        **patch,
        **terminate,
        **problem_responses(*owned, *chunk_errors, MethodNotAllowed, *tus_errors, tus=True),
    }
    override["204"] = response(
        "PATCH done (with the upload's headers) or DELETE done.",
        headers=[f"{name}?" if name != "Tus-Resumable" else name for name in state],
    )
    tus_headers = ("TusResumable",)
    chunk_headers = (*tus_headers, "UploadOffset", "UploadChecksum", "UploadLength")
    return {
        UPLOADS_PATH: {
            "options": options("tusDiscover"),
            "post": tus(
                "Create an upload (creation, creation-with-upload, defer-length, concatenation)",
                "createUpload",
                {
                    "201": response(
                        "Created; `Location` is its URL.", headers=["Location", *state]
                    ),
                    **problem_responses(
                        *chunk_errors, Unauthorized, TooManyRequests, *tus_errors, tus=True
                    ),
                },
                parameters=(
                    *tus_headers,
                    "UploadLength",
                    "UploadDeferLength",
                    "UploadMetadata",
                    "UploadConcat",
                    "UploadChecksum",
                ),
                body=chunk,
                description="The token binds the upload to its draft. Sizes are checked "
                "here (413); a first chunk may come with the creation.",
            ),
        },
        UPLOADS_PATH + "/{upload_id}": {
            "options": options("tusDiscoverUpload", "UploadId"),
            "head": tus(
                "The upload's offset (to resume from)",
                "getUploadOffset",
                head,
                parameters=("UploadId", *tus_headers),
            ),
            "patch": tus(
                "Append a chunk at Upload-Offset",
                "appendChunk",
                patch,
                parameters=("UploadId", *chunk_headers),
                body={**chunk, "required": True},
                description="The first bytes are sniffed (415, and the upload ends, "
                "for another type). Two PATCHes at once: one wins, the other gets "
                "409 or 423.",
            ),
            "delete": tus(
                "Terminate the upload",
                "terminateUpload",
                terminate,
                parameters=("UploadId", *tus_headers),
            ),
            "post": tus(
                "PATCH, DELETE or HEAD by X-HTTP-Method-Override",
                "overrideMethod",
                override,
                parameters=("UploadId", "MethodOverride", *chunk_headers),
                body=chunk,
            ),
        },
    }


def _service_paths() -> Json:
    return {
        "/healthz": {
            "get": operation(
                "The process answers",
                "healthz",
                "service",
                {"200": json_response("Alive.", "Health"), **problem_responses(*SERVER, html=True)},
            )
        },
        "/readyz": {
            "get": operation(
                "S3 and the database answer",
                "readyz",
                "service",
                {
                    "200": json_response("Ready.", "Ready"),
                    **problem_responses(NOT_READY),  # always JSON, even for browsers
                    **problem_responses(*SERVER, html=True),
                },
            )
        },
        "/api/v1/config": {
            "get": operation(
                "What a client may send: types, limits, tus endpoint, consents, locales",
                "getConfig",
                "service",
                {
                    "200": json_response("This deployment's rules.", "Config", ["Cache-Control"]),
                    **problem_responses(*SERVER),
                },
            )
        },
        OPENAPI_PATH: {
            "get": operation(
                "This document (OpenAPI 3.1)",
                "getOpenApi",
                "service",
                {
                    "200": json_response(
                        "The OpenAPI document.", "OpenApiDocument", ["Cache-Control"]
                    ),
                    **problem_responses(*SERVER),
                },
            )
        },
        DOCS_PATH: {
            "get": operation(
                "This document as a page",
                "apiDocs",
                "service",
                {"200": html_response("The API reference."), **problem_responses(*SERVER)},
            )
        },
    }


# --- the document ----------------------------------------------------------------------


def _version() -> str:
    try:
        return importlib.metadata.version("intake")
    except importlib.metadata.PackageNotFoundError:
        return "0"


def _description(settings: Settings, tus_max_size: int) -> str:
    rate = settings.rate
    types = ", ".join(KNOWN_TYPES[m].label for m in settings.media.accepted_types)
    return "\n\n".join(
        [
            "Readers' photos and videos with their story, from the web form or an app.",
            "**Files**: " + types + ". Resumable uploads use tus 1.0.0 at `/api/v1/uploads` "
            f"(at most {tus_max_size} bytes each).",
            "**Conventions**: members are snake_case; times are RFC 3339 in UTC; ids are "
            "UUIDs. Every answer carries `X-Request-Id` (yours when you send a sane one). "
            "New members may be added to answers: ignore those you do not know.",
            "**Errors** are `application/problem+json` (RFC 9457) with a stable `type` "
            "(`x-problem-types` lists them all) and the limit where one applies.",
            f"**Rate limits** per client address: {rate.submissions or 'unlimited'} "
            f"submissions and {rate.uploads or 'unlimited'} tus uploads per "
            f"{rate.window_seconds} s (429 with `Retry-After`).",
            "**CORS**: browsers on the origins in `server.cors_origins` may call /api/; "
            "preflight OPTIONS requests are answered 204 on every /api/ address.",
        ]
    )


def openapi_document(settings: Settings, tus_max_size: int) -> Json:
    """The OpenAPI 3.1 document for an app with these settings."""
    from intake.web.openapi import moderation, pages

    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {
            "title": "intake: the submission API",
            "version": _version(),
            "summary": "Readers send photos and videos with their story; newsrooms review them.",
            "description": _description(settings, tus_max_size),
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
        },
        "tags": [
            {"name": "submissions", "description": "Submissions and drafts."},
            {"name": "uploads (tus 1.0.0)", "description": "Resumable uploads into a draft."},
            {"name": "pages", "description": "The reader's pages (HTML) in each language."},
            {"name": "service", "description": "Health, configuration and this document."},
            {"name": "moderation", "description": "The moderation queue and its accounts."},
        ],
        "paths": {
            **_submission_paths(settings),
            **_tus_paths(),
            **pages.paths(settings),
            **_service_paths(),
            **moderation.paths(),
        },
        "components": {
            "schemas": {**_schemas(settings), **moderation.schemas(settings)},
            "parameters": {**_parameters(tus_max_size), **moderation.parameters(settings)},
            "headers": HEADERS,
            "securitySchemes": {
                "submitterToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "The submitter token from the 201 answer.",
                }
            },
        },
        "x-problem-types": [
            {"type": p.uri, "status": p.status, "title": p.title, "when": p.when}
            for p in PROBLEM_TYPES
        ],
    }


# --- the page --------------------------------------------------------------------------

METHODS = ("get", "head", "post", "put", "patch", "delete", "options")


@dataclass(frozen=True)
class Row:
    name: str
    kind: str
    required: bool = False
    description: str = ""


@dataclass(frozen=True)
class Body:
    media_type: str
    summary: str
    rows: list[Row]


@dataclass(frozen=True)
class Answer:
    status: str
    description: str
    media_types: list[str]
    headers: list[str]
    bodies: list[str]
    problem_types: list[str]


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    description: str
    operation_id: str
    tag: str
    secured: bool
    parameters: list[Row]
    bodies: list[Body]
    answers: list[Answer]


@dataclass
class DocsPage:
    title: str
    version: str
    description: Sequence[str]
    operations: list[Operation] = field(default_factory=list)
    schemas: dict[str, list[Row]] = field(default_factory=dict)
    problem_types: list[Json] = field(default_factory=list)


def inline(text: str) -> Markup:
    """The little Markdown the descriptions use (`code`, **strong**), as safe HTML."""
    html = Markup()
    for i, part in enumerate(text.split("`")):
        html += Markup("<code>{}</code>").format(part) if i % 2 else _strong(part)
    return html


def _strong(text: str) -> Markup:
    html = Markup()
    for i, part in enumerate(text.split("**")):
        html += Markup("<strong>{}</strong>").format(part) if i % 2 else escape(part)
    return html


class _Resolver:
    def __init__(self, document: Json) -> None:
        self.document = document

    def resolve(self, item: Json) -> Json:
        while "$ref" in item:
            node: Any = self.document
            for part in item["$ref"].removeprefix("#/").split("/"):
                node = node[part]
            item = node
        return item

    def kind(self, schema: Json) -> str:
        """A schema in a few words: ``string (uuid)``, ``array of StoredFile``..."""
        if "$ref" in schema:
            return str(schema["$ref"]).rsplit("/", 1)[-1]
        for key, joiner in (("oneOf", " or "), ("anyOf", " or ")):
            if key in schema:
                return joiner.join(self.kind(s) for s in schema[key])
        if "allOf" in schema:
            return self.kind(schema["allOf"][0])
        kind = schema.get("type", "any")
        words = " or ".join(kind) if isinstance(kind, list) else str(kind)
        if kind == "array":
            words = "array of " + self.kind(schema.get("items", {}))
        if "format" in schema:
            words += f" ({schema['format']})"
        if "const" in schema:
            words += f" = {json.dumps(schema['const'])}"
        if "enum" in schema:
            words += ": one of " + ", ".join(str(v) for v in schema["enum"])
        for key, text in (
            ("minLength", "≥ {} chars"),
            ("maxLength", "≤ {} chars"),
            ("minimum", "≥ {}"),
            ("maximum", "≤ {}"),
            ("minItems", "≥ {} items"),
            ("maxItems", "≤ {} items"),
            ("pattern", "matching {}"),
        ):
            if key in schema:
                words += ", " + text.format(schema[key])
        return words

    def rows(self, schema: Json) -> list[Row]:
        schema = self.resolve(schema)
        required = set(schema.get("required", ()))
        return [
            Row(
                name,
                self.kind(prop),
                name in required,
                inline(self.resolve(prop).get("description", "")),
            )
            for name, prop in schema.get("properties", {}).items()
        ]


def docs_page(document: Json) -> DocsPage:
    """The document arranged for the template: operations, schemas, problem types."""
    r = _Resolver(document)
    info = document["info"]
    paragraphs = [inline(p) for p in info["description"].split("\n\n")]
    page = DocsPage(info["title"], info["version"], paragraphs)
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                page.operations.append(_operation(r, method, path, item[method]))
    page.schemas = {name: r.rows(s) for name, s in document["components"]["schemas"].items()}
    page.problem_types = [{**p, "when": inline(p["when"])} for p in document["x-problem-types"]]
    return page


def _operation(r: _Resolver, method: str, path: str, op: Json) -> Operation:
    parameters = [r.resolve(p) for p in op.get("parameters", ())]
    content = op.get("requestBody", {}).get("content", {})
    return Operation(
        method=method.upper(),
        path=path,
        summary=op["summary"],
        description=inline(op.get("description", "")),
        operation_id=op["operationId"],
        tag=op["tags"][0],
        secured=bool(op.get("security")),
        parameters=[
            Row(
                f"{p['name']}",
                f"{p['in']}: {r.kind(p['schema'])}",
                p.get("required", False),
                inline(p.get("description", "")),
            )
            for p in parameters
        ],
        bodies=[
            Body(media, r.kind(c["schema"]), r.rows(c["schema"])) for media, c in content.items()
        ],
        answers=[
            Answer(
                status=status,
                description=inline(answer["description"]),
                media_types=list(answer.get("content", {})),
                headers=[name for name in answer.get("headers", {}) if name != "X-Request-Id"],
                bodies=sorted({r.kind(c["schema"]) for c in answer.get("content", {}).values()}),
                problem_types=answer.get("x-problem-types", []),
            )
            for status, answer in op["responses"].items()
        ],
    )


# --- routes ----------------------------------------------------------------------------


@functools.lru_cache(maxsize=16)
def _document_bytes(settings: Settings, tus_max_size: int) -> bytes:
    return json.dumps(openapi_document(settings, tus_max_size), ensure_ascii=False).encode()


def app_document(app: web.Application) -> Json:
    """The document of a running app (its settings and upload size limit)."""
    document: Json = json.loads(_document_bytes(app[SETTINGS], app[UPLOADS].max_size))
    return document


@routes.get(OPENAPI_PATH)
async def get_openapi(request: web.Request) -> web.Response:
    body = _document_bytes(request.app[SETTINGS], request.app[UPLOADS].max_size)
    return web.Response(
        body=body, content_type=JSON, headers={"Cache-Control": "public, max-age=300"}
    )


@routes.get(DOCS_PATH)
async def api_docs(request: web.Request) -> web.Response:
    page = docs_page(app_document(request.app))
    html = request.app[TEMPLATES].render("api_docs.html", page=page, openapi_path=OPENAPI_PATH)
    return web.Response(text=html, content_type=HTML)
