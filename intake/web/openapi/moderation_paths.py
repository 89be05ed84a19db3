"""The moderation operations: logging in, the queue, leases, decisions, accounts."""

from __future__ import annotations

from typing import Any

from intake.core.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    RangeNotSatisfiable,
    TooManyRequests,
    Unauthorized,
    ValidationFailed,
)
from intake.media.types import ALL_TYPES
from intake.web.moderation.models import (
    Decision,
    IssuedToken,
    Login,
    ModerationSubmissionDetail,
    Moderator,
    ModeratorChange,
    Moderators,
    NewModerator,
    QueueStats,
    SubmissionPage,
    Tokens,
)
from intake.web.openapi.building import (
    MODERATOR,
    Json,
    Schema,
    json_body,
    json_response,
    operation,
    params,
    response,
)
from intake.web.openapi.problems import DEPENDENCIES, problem_responses

BASE = "/api/v1/moderation"
TAG = "moderation"
SECURITY_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "A moderator token (`imod_…`): an API token from `intake moderator token` "
    "or an admin, or a session token from POST /api/v1/moderation-login. The desk's session "
    "cookie works too, with its CSRF token (`X-CSRF-Token`) on every change.",
}
GUARDED = (Unauthorized, Forbidden, *DEPENDENCIES)
"""Every moderation operation: no token (401); the desk's session without its CSRF token on
a change (403)."""
DESK_OR_TOKEN: list[dict[str, list[str]]] = [*MODERATOR, {"deskSession": []}]


def _op(summary: str, operation_id: str, answers: Json, **keywords: Any) -> Json:
    return operation(summary, operation_id, TAG, answers, security=DESK_OR_TOKEN, **keywords)


def _json(description: str, schema: Schema, *headers: str) -> Json:
    return json_response(description, schema, [*headers, "Cache-Control"])


def _detail(description: str) -> Json:
    return _json(description, ModerationSubmissionDetail)


def moderation_paths() -> Json:
    one = params("SubmissionId", "AcceptLanguage")
    held = problem_responses(NotFound, Forbidden, Conflict, *GUARDED)
    admin = (Forbidden, *GUARDED)
    return {
        "/api/v1/moderation-login": {
            "post": operation(
                "Log in with a password: a session token", "moderatorLogin", TAG,
                {"200": _json("Logged in.", IssuedToken),
                 **problem_responses(BadRequest, Unauthorized, ValidationFailed,
                                     TooManyRequests, *DEPENDENCIES)},
                description="Failed logins per account and client address are counted; past "
                "`moderation.login_max_failures` in the window the answer is 429.",
                body=json_body(Login),
            )
        },
        f"{BASE}/me": {"get": _op("Who you are", "moderationMe",
                                  {"200": _json("You.", Moderator),
                                   **problem_responses(*GUARDED)})},
        f"{BASE}/claim": {
            "post": _op(
                "Claim the oldest waiting submission, with a lease", "claimSubmission",
                {"200": _detail("Yours until `lease.expires_at`; renew it while you work."),
                 "204": response("Nothing waits.", headers=["Cache-Control"]),
                 **problem_responses(ValidationFailed, *GUARDED)},
                description="Seniors and admins get escalated submissions first. A submission "
                "whose lease ran out is waiting again.",
                parameters=params("Kind", "Locale", "Flag", "Credentials", "Skip",
                                  "AcceptLanguage"),
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
                parameters=one, body=json_body(Decision),
            )
        },
        f"{BASE}/submissions": {
            "get": _op("Search submissions, newest first", "listModerationSubmissions",
                       {"200": _json("A page.", SubmissionPage),
                        **problem_responses(ValidationFailed, *GUARDED)},
                       parameters=params("State", "Kind", "Locale", "Flag", "Credentials", "From",
                                         "To", "Text", "Cursor", "Limit"))
        },
        f"{BASE}/submissions/{{submission_id}}": {
            "get": _op("Everything about a submission", "getModerationSubmission",
                       {"200": _detail("Fields, files with URLs through intake, audit trail."),
                        **problem_responses(NotFound, Forbidden, *GUARDED)}, parameters=one)
        },
        f"{BASE}/submissions/{{submission_id}}/files/{{file_id}}/{{variant}}": {
            "get": operation(
                "A file through intake: the original, public copy or thumbnail",
                "openModerationFile", TAG,
                {"200": response("The whole file.", {t: {"type": "string"} for t in ALL_TYPES},
                                 ["Accept-Ranges", "Cache-Control"]),
                 "206": response("The range asked for.",
                                 {t: {"type": "string"} for t in ALL_TYPES},
                                 ["Accept-Ranges", "Content-Range", "Cache-Control"]),
                 **problem_responses(NotFound, Forbidden, RangeNotSatisfiable, *GUARDED)},
                description="Streamed with HTTP Range (one range; several: the whole file), "
                "never cached; every opening is written to the submission's audit log "
                "(`file_opened`: who, which file, which bytes, when). A moderator token or the "
                "desk's session cookie opens it; escalated submissions only for seniors.",
                parameters=params("SubmissionId", "FileId", "Variant", "Range"),
                security=DESK_OR_TOKEN,
            )
        },
        f"{BASE}/stats": {
            "get": _op("Queue depth, oldest waiting, decisions", "moderationStats",
                       {"200": _json("Figures.", QueueStats),
                        **problem_responses(ValidationFailed, *GUARDED)},
                       parameters=params("Hours"))
        },
        f"{BASE}/moderators": {
            "get": _op("List moderators (admins)", "listModerators",
                       {"200": _json("Every account.", Moderators),
                        **problem_responses(*admin)}),
            "post": _op("Add a moderator (admins); answers with its API token", "addModerator",
                        {"201": _json("Added.", IssuedToken, "Location"),
                         **problem_responses(BadRequest, Conflict, ValidationFailed, *admin)},
                        body=json_body(NewModerator)),
        },
        f"{BASE}/moderators/{{moderator_id}}": {
            "patch": _op("Change a moderator's role, password, or disable it (admins)",
                         "changeModerator",
                         {"200": _json("Changed.", Moderator),
                          **problem_responses(BadRequest, NotFound, Conflict, ValidationFailed,
                                              *admin)},
                         parameters=params("ModeratorId"), body=json_body(ModeratorChange)),
        },
        f"{BASE}/moderators/{{moderator_id}}/token": {
            "post": _op("Issue a new API token (admins); the old one stops working",
                        "issueModeratorToken",
                        {"201": _json("Shown once.", IssuedToken),
                         **problem_responses(NotFound, Conflict, *admin)},
                        parameters=params("ModeratorId")),
        },
        f"{BASE}/moderators/{{moderator_id}}/tokens": {
            "get": _op("An account's live tokens, with their last use (admins)",
                       "listModeratorTokens",
                       {"200": _json("Newest first.", Tokens),
                        **problem_responses(NotFound, *admin)},
                       parameters=params("ModeratorId")),
        },
        f"{BASE}/moderators/{{moderator_id}}/tokens/{{token_id}}": {
            "delete": _op("Revoke one token of an account (admins)", "revokeModeratorToken",
                          {"204": response("Revoked.", headers=["Cache-Control"]),
                           **problem_responses(NotFound, *admin)},
                          parameters=params("ModeratorId", "TokenId")),
        },
        f"{BASE}/me/tokens": {
            "get": _op("Your live tokens, with their last use", "listMyTokens",
                       {"200": _json("Newest first.", Tokens), **problem_responses(*GUARDED)}),
        },
        f"{BASE}/me/tokens/{{token_id}}": {
            "delete": _op("Revoke one of your tokens (the one you send included)",
                          "revokeMyToken",
                          {"204": response("Revoked.", headers=["Cache-Control"]),
                           **problem_responses(NotFound, *GUARDED)},
                          parameters=params("TokenId")),
        },
    }  # fmt: skip
