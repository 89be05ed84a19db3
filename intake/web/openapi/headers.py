"""The HTTP headers and parameters of the document (hand-written: no model describes them)."""

from __future__ import annotations

from typing import Any

from intake.core.settings import Settings
from intake.media.types import MediaKind
from intake.submissions.records import FlagKind
from intake.uploads.chunks import CHECKSUM_ALGORITHMS
from intake.web.moderation.queue import MAX_PAGE, MAX_STATS_HOURS
from intake.web.moderation.verification import CREDENTIAL_STATUSES
from intake.web.uploads.tus_headers import TUS_EXTENSIONS, TUS_VERSION

Json = dict[str, Any]
NUMBER = {"type": "string", "pattern": "^[0-9]+$"}
TEXT = {"type": "string"}
UUID = {"type": "string", "format": "uuid"}
DATE_TIME = {"type": "string", "format": "date-time"}


def _const(value: str) -> Json:
    return {"type": "string", "const": value}


def _header(description: str, schema: Json = TEXT, required: bool = False) -> Json:
    return {"description": description, "required": required, "schema": schema}


HEADERS: Json = {
    "X-Request-Id": _header(
        "The request id (the client's own when it sent a sane one).", required=True
    ),
    "Location": _header("The address of what was created."),
    "Cache-Control": _header("Caching rules."),
    "Idempotent-Replayed": _header(
        "`true` when this is the stored answer of an earlier request with the same "
        "Idempotency-Key.",
        _const("true"),
    ),
    "Retry-After": _header("Seconds to wait before retrying.", NUMBER),
    "Allow": _header("The methods this address takes."),
    "Tus-Resumable": _header("The tus version of the answer.", _const(TUS_VERSION), True),
    "Tus-Version": _header("Supported tus versions.", _const(TUS_VERSION)),
    "Tus-Extension": _header("Supported extensions: " + ", ".join(TUS_EXTENSIONS) + "."),
    "Tus-Max-Size": _header("The largest upload accepted, in bytes.", NUMBER),
    "Tus-Checksum-Algorithm": _header(
        "Upload-Checksum algorithms: " + ", ".join(CHECKSUM_ALGORITHMS) + "."
    ),
    "Upload-Offset": _header("Bytes received so far.", NUMBER, required=True),
    "Upload-Length": _header("The upload's size (absent while deferred).", NUMBER),
    "Upload-Defer-Length": _header("`1` while the size is not known yet.", _const("1")),
    "Upload-Expires": _header(
        "When an unfinished upload is removed (RFC 9110 HTTP-date, as tus requires).",
        required=True,
    ),
    "Upload-Metadata": _header("The metadata given at creation."),
    "Upload-Concat": _header("`partial`, or `final;<url> <url>...`."),
    "Accept-Ranges": _header("`bytes`: ask for part of the file with Range.", _const("bytes")),
    "Content-Range": _header(
        "The bytes sent, `bytes <first>-<last>/<size>`, or `bytes */<size>` with 416.",
        {"type": "string", "pattern": "^bytes ([0-9]+-[0-9]+|\\*)/[0-9]+$"},
    ),
    "Set-Cookie": _header("The desk's session cookie (HttpOnly, SameSite=Strict)."),
}
"""Response headers, by name."""


def _in(where: str, name: str, description: str, schema: Json, required: bool = False) -> Json:
    return {
        "name": name,
        "in": where,
        "description": description,
        "required": required,
        "schema": schema,
    }


def _submitter_parameters(tus_max_size: int) -> Json:
    checksum = "^(" + "|".join(CHECKSUM_ALGORITHMS) + ") [A-Za-z0-9+/]+=*$"
    return {
        "RequestId": _in("header", "X-Request-Id", "Your id for this request, echoed in the "
                         "answer; otherwise one is made up.",
                         {"type": "string", "pattern": "^[A-Za-z0-9._:-]{1,128}$"}),
        "IdempotencyKey": _in("header", "Idempotency-Key", "A key (a UUID is best) that makes "
                              "a retry get the first answer instead of acting twice; kept 24 "
                              "hours. Reused with another body: 422.",
                              {"type": "string", "pattern": "^[!-~]{1,255}$"}),
        "SubmissionId": _in("path", "submission_id", "The submission id.", UUID, True),
        "UploadId": _in("path", "upload_id", "The upload id.", UUID, True),
        "Reference": _in("path", "reference", "A reference code, e.g. 81100-V8QSY (case, "
                         "dashes, O/I/L for 0/1/1 forgiven).",
                         {"type": "string", "pattern": "^[0-9A-Za-z-]{1,40}$"}, True),
        "TusResumable": _in("header", "Tus-Resumable",
                            f"The tus version; anything but {TUS_VERSION} is 412.",
                            _const(TUS_VERSION), True),
        "UploadLength": _in("header", "Upload-Length", "The upload's size in bytes (exactly "
                            "one of this and Upload-Defer-Length at creation; with PATCH, "
                            "declares a deferred size).",
                            {"type": "integer", "minimum": 1, "maximum": tus_max_size}),
        "UploadDeferLength": _in("header", "Upload-Defer-Length",
                                 "`1`: the size follows with a later PATCH.", _const("1")),
        "UploadMetadata": _in("header", "Upload-Metadata", "Comma-separated `key base64(value)` "
                              "pairs: `filename`, `filetype`, optionally `submission` (the "
                              "draft's id).", TEXT),
        "UploadConcat": _in("header", "Upload-Concat", "`partial` for a part of a parallel "
                            "upload, or `final;<url> <url>...` to join them.",
                            {"type": "string", "pattern": "^(partial|final;.+)$"}),
        "UploadOffset": _in("header", "Upload-Offset", "Where this chunk starts; must be the "
                            "upload's current offset.", {"type": "integer", "minimum": 0}, True),
        "UploadChecksum": _in("header", "Upload-Checksum", "`<algorithm> <base64 digest>` of "
                              "this chunk; a mismatch is 460 and the chunk is discarded.",
                              {"type": "string", "pattern": checksum}),
        "MethodOverride": _in("header", "X-HTTP-Method-Override", "The method meant, for "
                              "clients limited to GET and POST.",
                              {"type": "string", "enum": ["PATCH", "DELETE", "HEAD"]}),
    }  # fmt: skip


def _moderation_parameters(settings: Settings) -> Json:
    kinds = {"type": "string", "enum": [k.value for k in MediaKind]}
    locales = {"type": "string", "enum": list(settings.submissions.locales)}
    return {
        "Kind": _in("query", "kind", "Only submissions with a file of this kind.", kinds),
        "Locale": _in("query", "locale", "Only submissions in this locale.", locales),
        "Flag": _in("query", "flag", "Only submissions with a file flagged so.",
                    {"type": "string", "enum": [k.value for k in FlagKind]}),
        "Credentials": _in("query", "credentials", "Only submissions with a file whose "
                           "content credentials (C2PA) are so; none: a file without any.",
                           {"type": "string", "enum": list(CREDENTIAL_STATUSES)}),
        "AcceptLanguage": _in("header", "Accept-Language", "The language of the flags' and "
                              "credentials' plain words (en, fa-AF, ps).", {"type": "string"}),
        "State": _in("query", "state", "Only these states (comma-separated); lapsed leases "
                     "count as waiting.", {"type": "string", "pattern": "^[a-z_]+(,[a-z_]+)*$"}),
        "From": _in("query", "from", "Created at or after (ISO 8601).", DATE_TIME),
        "To": _in("query", "to", "Created before (ISO 8601).", DATE_TIME),
        "Text": _in("query", "q", "Text in the reference, title, story, name or place.",
                    {"type": "string", "maxLength": 200}),
        "Cursor": _in("query", "cursor", "`next_cursor` of the page before.",
                      {"type": "string", "pattern": "^[A-Za-z0-9_-]+$"}),
        "Limit": _in("query", "limit", f"Page size (default 50, at most {MAX_PAGE}).",
                     {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}),
        "Hours": _in("query", "hours", "Period counted, in hours (default 24).",
                     {"type": "integer", "minimum": 1, "maximum": MAX_STATS_HOURS}),
        "ModeratorId": _in("path", "moderator_id", "The moderator id.", UUID, True),
        "TokenId": _in("path", "token_id", "A token's id (`token_id`, or `id` in a list).",
                       {"type": "string"}, True),
        "FileId": _in("path", "file_id", "The file id.", UUID, True),
        "Variant": _in("path", "variant", "The original as received, the public copy "
                       "(metadata stripped) or the thumbnail.",
                       {"type": "string", "enum": ["original", "public", "thumbnail"]}, True),
        "Range": _in("header", "Range", "One range of bytes, `bytes=<first>-[<last>]` or "
                     "`bytes=-<suffix length>` (several ranges: the whole file).",
                     {"type": "string", "maxLength": 200}),
        "Skip": _in("query", "skip", "Ids of submissions you skipped (comma-separated): not "
                    "these.", {"type": "string", "maxLength": 2000}),
    }  # fmt: skip


def parameters(settings: Settings, tus_max_size: int) -> Json:
    """Every parameter, by the name operations refer to it with."""
    return {**_submitter_parameters(tus_max_size), **_moderation_parameters(settings)}
