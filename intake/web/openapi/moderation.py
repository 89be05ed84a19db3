"""The moderation part of the OpenAPI document: its schemas, parameters and operations.

Built with the helpers of :mod:`intake.web.openapi.document`, which merges it into the document.
"""

from __future__ import annotations

from intake.core.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    TooManyRequests,
    Unauthorized,
    ValidationFailed,
)
from intake.core.settings import Settings
from intake.media.types import MediaKind
from intake.moderation.accounts import MAX_PASSWORD, MIN_PASSWORD
from intake.moderation.queue import NOTE_MAX_CHARS
from intake.moderation.records import Decision, Role
from intake.submissions.records import FileState, SubmissionState
from intake.web.moderation.queue import MAX_PAGE, MAX_STATS_HOURS
from intake.web.openapi.document import (
    DEPENDENCIES,
    JSON,
    Json,
    _parameter,
    array,
    date_time,
    enum,
    integer,
    json_response,
    obj,
    operation,
    params,
    problem_responses,
    ref,
    response,
    string,
    uuid,
)

BASE = "/api/v1/moderation"
TAG = "moderation"
MODERATOR_SECURITY: list[dict[str, list[str]]] = [{"moderatorToken": []}]
SECURITY_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "A moderator token (`imod_…`): an API token from `intake moderator token` "
    "or an admin, or a session token from POST /api/v1/moderation-login.",
}
GUARDED = (Unauthorized, *DEPENDENCIES)


def nullable(schema: Json, description: str = "") -> Json:
    """``schema`` or null."""
    result: Json = (
        {**schema, "type": [schema["type"], "null"]}
        if isinstance(schema.get("type"), str) and "enum" not in schema
        else {"anyOf": [schema, {"type": "null"}]}
    )
    if description:
        result["description"] = description
    return result


def _submission_members() -> dict[str, Json]:
    text = string()
    lease = obj(
        {
            "holder_id": uuid("The moderator holding it."),
            "mine": {"type": "boolean", "description": "Whether you hold it."},
            "expires_at": date_time("When the lease runs out unless renewed"),
            "claimed_from": enum([SubmissionState.PENDING_REVIEW, SubmissionState.ESCALATED]),
        }
    )
    return {
            "id": uuid("The submission id."),
            "reference": string("The reference code readers quote."),
            "state": enum(SubmissionState, "The state; a lapsed lease shows as waiting again."),
            "created_at": date_time("When it was received"),
            "updated_at": date_time("When it last changed"),
            "name": text, "email": text, "phone": text, "title": text, "story": text,
            "location": text,
            "occurred_at": nullable(date_time("When it happened, as the reader said")),
            "locale": string("The reader's language."),
            "consent_terms": {"type": "boolean"},
            "consent_contact": {"type": "boolean"},
            "terms_version": string(),
            "file_count": integer(),
            "total_bytes": integer(),
            "lease": nullable(lease, "The lease while it is in review; null otherwise."),
    }  # fmt: skip


def _file() -> Json:
    url = nullable(string(format="uri"))
    flag = obj(
        {
            "kind": string("duplicate or near_duplicate."),
            "submission_id": string(),
            "file_id": string(),
            "distance": nullable(integer()),
        }
    )
    return obj(
        {
            "id": uuid("The file id."),
            "position": integer(),
            "filename": string("The sanitized original filename."),
            "media_type": string(),
            "kind": enum(MediaKind),
            "size": integer(),
            "sha256": string(pattern="^[0-9a-f]{64}$"),
            "state": enum(FileState),
            "created_at": date_time("When it was stored"),
            "extracted": {"type": "object", "description": "What inspection found."},
            "flags": array(flag, "What a moderator should know, e.g. sent before."),
            "reject_reason": string(),
            "phash": string("Perceptual hash (photos), hex."),
            "inspected_at": nullable(date_time("When it was inspected")),
            "urls": nullable(
                obj({"original": string(format="uri"), "public": url, "thumbnail": url}),
                "Presigned GET URLs (see urls_expire_at); null once the media is deleted.",
            ),
        }
    )


def _audit() -> Json:
    state = nullable(enum(SubmissionState))
    return obj(
        {
            "at": date_time("When"),
            "actor": string("A moderator's name, `system` or `submitter`."),
            "action": string("received, claimed, released, lease_expired, decided, …"),
            "from_state": state,
            "to_state": state,
            "detail": {"type": "object"},
        }
    )


def _stats() -> Json:
    when = nullable(date_time("Created at"))
    waiting = [SubmissionState.PENDING_REVIEW, SubmissionState.ESCALATED]
    return obj(
        {
            "now": date_time("Now"),
            "since": date_time("Start of the period counted"),
            "depth": obj({s.value: integer() for s in SubmissionState}),
            "oldest_waiting": obj({s.value: when for s in waiting}),
            "decisions_per_hour": array(obj({"hour": date_time("The hour"), "count": integer()})),
            "per_moderator": array(
                obj(
                    {
                        "moderator": string(),
                        "total": integer(),
                        **{
                            s.value: integer()
                            for s in (
                                SubmissionState.APPROVED,
                                SubmissionState.REJECTED,
                                SubmissionState.ESCALATED,
                            )
                        },
                    }
                )
            ),
        }
    )


def _moderator() -> Json:
    return obj(
        {
            "id": uuid("The moderator id."),
            "name": string(),
            "role": enum(Role),
            "disabled": {"type": "boolean"},
            "created_at": date_time("When the account was added"),
            "updated_at": date_time("When it last changed"),
        }
    )


def schemas(settings: Settings) -> Json:
    password = string(minLength=MIN_PASSWORD, maxLength=MAX_PASSWORD)
    return {
        "ModerationSubmission": obj(
            _submission_members(),
            description="A submission as moderators see it (personal data erased once withdrawn).",
        ),
        "ModerationSubmissionDetail": obj(
            {
                **_submission_members(),
                "files": array(ref("ModerationFile")),
                "audit": array(ref("AuditEntry"), "Every step, oldest first."),
                "urls_expire_at": date_time("When the presigned URLs stop working"),
            },
            description="A submission in full: fields, files with what inspection found "
            "and presigned URLs, its audit trail.",
        ),
        "ModerationFile": _file(),
        "AuditEntry": _audit(),
        "SubmissionPage": obj(
            {
                "submissions": array(ref("ModerationSubmission")),
                "next_cursor": nullable(string("Pass as `cursor` for the next page.")),
            }
        ),
        "QueueStats": _stats(),
        "Moderator": _moderator(),
        "Moderators": obj({"moderators": array(ref("Moderator"))}),
        "IssuedToken": obj(
            {
                "token": string("The token, shown once: `Authorization: Bearer <token>`."),
                "expires_at": nullable(date_time("When a session token expires (API: null)")),
                "moderator": ref("Moderator"),
            }
        ),
        "Decision": obj(
            {
                "decision": enum(Decision),
                "reason": enum(settings.moderation.reasons, "A configured reason code."),
            },
            {"note": nullable(string(maxLength=NOTE_MAX_CHARS))},
        ),
        "NewModerator": obj(
            {"name": string(pattern="^[a-z0-9][a-z0-9._-]{1,79}$")},
            {"role": enum(Role), "password": nullable(password)},
        ),
        "ModeratorChange": obj(
            {},
            {
                "role": nullable(enum(Role)),
                "disabled": nullable({"type": "boolean"}),
                "password": nullable(password),
            },
        ),
        "Login": obj({"name": string(), "password": string()}),
    }


def parameters(settings: Settings) -> Json:
    kinds = {"type": "string", "enum": [k.value for k in MediaKind]}
    locales = {"type": "string", "enum": list(settings.submissions.locales)}
    return {
        "Kind": _parameter("kind", "query", "Only submissions with a file of this kind.", kinds),
        "Locale": _parameter("locale", "query", "Only submissions in this locale.", locales),
        "State": _parameter(
            "state",
            "query",
            "Only these states (comma-separated); lapsed leases count as waiting.",
            {"type": "string", "pattern": "^[a-z_]+(,[a-z_]+)*$"},
        ),
        "From": _parameter(
            "from",
            "query",
            "Created at or after (ISO 8601).",
            {"type": "string", "format": "date-time"},
        ),
        "To": _parameter(
            "to", "query", "Created before (ISO 8601).", {"type": "string", "format": "date-time"}
        ),
        "Text": _parameter(
            "q",
            "query",
            "Text in the reference, title, story, name or place.",
            {"type": "string", "maxLength": 200},
        ),
        "Cursor": _parameter(
            "cursor",
            "query",
            "`next_cursor` of the page before.",
            {"type": "string", "pattern": "^[A-Za-z0-9_-]+$"},
        ),
        "Limit": _parameter(
            "limit",
            "query",
            f"Page size (default 50, at most {MAX_PAGE}).",
            {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
        ),
        "Hours": _parameter(
            "hours",
            "query",
            "Period counted, in hours (default 24).",
            {"type": "integer", "minimum": 1, "maximum": MAX_STATS_HOURS},
        ),
        "ModeratorId": _parameter(
            "moderator_id",
            "path",
            "The moderator id.",
            {"type": "string", "format": "uuid"},
            required=True,
        ),
    }


def _op(summary: str, operation_id: str, answers: Json, **keywords: object) -> Json:
    op = operation(summary, operation_id, TAG, answers, **keywords)  # type: ignore[arg-type]
    op["security"] = MODERATOR_SECURITY
    return op


def _body(schema: str) -> Json:
    return {"required": True, "content": {JSON: {"schema": ref(schema)}}}


def _detail(description: str) -> Json:
    return json_response(description, "ModerationSubmissionDetail", ["Cache-Control"])


def paths() -> Json:
    one = params("SubmissionId")
    held = problem_responses(NotFound, Forbidden, Conflict, *GUARDED)
    admin = (Forbidden, *GUARDED)
    return {
        "/api/v1/moderation-login": {
            "post": operation(
                "Log in with a password: a session token", "moderatorLogin", TAG,
                {"200": json_response("Logged in.", "IssuedToken", ["Cache-Control"]),
                 **problem_responses(BadRequest, Unauthorized, ValidationFailed,
                                     TooManyRequests, *DEPENDENCIES)},
                description="Failed logins per account and client address are counted; past "
                "`moderation.login_max_failures` in the window the answer is 429.",
                body=_body("Login"),
            )
        },
        f"{BASE}/me": {"get": _op("Who you are", "moderationMe",
                                  {"200": json_response("You.", "Moderator", ["Cache-Control"]),
                                   **problem_responses(*GUARDED)})},
        f"{BASE}/claim": {
            "post": _op(
                "Claim the oldest waiting submission, with a lease", "claimSubmission",
                {"200": _detail("Yours until `lease.expires_at`; renew it while you work."),
                 "204": response("Nothing waits.", headers=["Cache-Control"]),
                 **problem_responses(ValidationFailed, *GUARDED)},
                description="Seniors and admins get escalated submissions first. A submission "
                "whose lease ran out is waiting again.",
                parameters=params("Kind", "Locale"),
            )
        },
        f"{BASE}/submissions/{{submission_id}}/lease": {
            "post": _op("Renew your lease", "renewLease",
                        {"200": _detail("Renewed."), **held}, parameters=one),
            "delete": _op("Release your lease: back to the queue", "releaseLease",
                          {"204": response("Released."), **held}, parameters=one),
        },
        f"{BASE}/submissions/{{submission_id}}/decision": {
            "post": _op(
                "Approve, reject or escalate a submission you hold", "decideSubmission",
                {"200": _detail("Decided; the lease ends."),
                 **problem_responses(BadRequest, NotFound, Forbidden, Conflict,
                                     ValidationFailed, *GUARDED)},
                description="409 when you do not hold it (any more): claim it again.",
                parameters=one, body=_body("Decision"),
            )
        },
        f"{BASE}/submissions": {
            "get": _op("Search submissions, newest first", "listModerationSubmissions",
                       {"200": json_response("A page.", "SubmissionPage", ["Cache-Control"]),
                        **problem_responses(ValidationFailed, *GUARDED)},
                       parameters=params("State", "Kind", "From", "To", "Text", "Cursor",
                                         "Limit"))
        },
        f"{BASE}/submissions/{{submission_id}}": {
            "get": _op("Everything about a submission", "getModerationSubmission",
                       {"200": _detail("Fields, files with URLs, audit trail."),
                        **problem_responses(NotFound, Forbidden, *GUARDED)}, parameters=one)
        },
        f"{BASE}/stats": {
            "get": _op("Queue depth, oldest waiting, decisions", "moderationStats",
                       {"200": json_response("Figures.", "QueueStats", ["Cache-Control"]),
                        **problem_responses(ValidationFailed, *GUARDED)},
                       parameters=params("Hours"))
        },
        f"{BASE}/moderators": {
            "get": _op("List moderators (admins)", "listModerators",
                       {"200": json_response("Every account.", "Moderators", ["Cache-Control"]),
                        **problem_responses(*admin)}),
            "post": _op("Add a moderator (admins); answers with its API token", "addModerator",
                        {"201": json_response("Added.", "IssuedToken",
                                              ["Location", "Cache-Control"]),
                         **problem_responses(BadRequest, Conflict, ValidationFailed, *admin)},
                        body=_body("NewModerator")),
        },
        f"{BASE}/moderators/{{moderator_id}}": {
            "patch": _op("Change a moderator's role, password, or disable it (admins)",
                         "changeModerator",
                         {"200": json_response("Changed.", "Moderator", ["Cache-Control"]),
                          **problem_responses(BadRequest, NotFound, Conflict, ValidationFailed,
                                              *admin)},
                         parameters=params("ModeratorId"), body=_body("ModeratorChange")),
        },
        f"{BASE}/moderators/{{moderator_id}}/token": {
            "post": _op("Issue a new API token (admins); the old one stops working",
                        "issueModeratorToken",
                        {"201": json_response("Shown once.", "IssuedToken", ["Cache-Control"]),
                         **problem_responses(NotFound, Conflict, *admin)},
                        parameters=params("ModeratorId")),
        },
    }  # fmt: skip
