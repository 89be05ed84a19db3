"""The operations of submitters, the reader's pages and the service itself."""

from __future__ import annotations

from intake.core.errors import (
    BadRequest,
    Conflict,
    EmptyFile,
    IdempotencyKeyReused,
    NotAccepted,
    NotFound,
    PayloadTooLarge,
    TooManyRequests,
    UnsupportedContentType,
    UnsupportedMediaType,
    ValidationFailed,
)
from intake.core.settings import Settings
from intake.web.health import Health, Ready
from intake.web.openapi.building import (
    JSON,
    MULTIPART,
    SUBMITTER,
    Json,
    html_response,
    json_response,
    operation,
    params,
    ref,
    response,
)
from intake.web.openapi.problems import DEPENDENCIES, NOT_READY, SERVER, problem_responses
from intake.web.problems import ClientGone
from intake.web.submissions.config import Config
from intake.web.submissions.models import (
    DraftCreated,
    DraftFields,
    SubmissionAccepted,
    Submitted,
    SubmitterView,
)

OPENAPI_PATH = "/api/v1/openapi.json"
DOCS_PATH = "/api/docs"
FORM_ERRORS = (BadRequest, NotAccepted, ClientGone, PayloadTooLarge, UnsupportedContentType,
               UnsupportedMediaType, ValidationFailed, EmptyFile, TooManyRequests,
               *DEPENDENCIES)  # fmt: skip


def form_content(settings: Settings) -> Json:
    """The multipart body: its fields, and the types its file parts may have."""
    accepted = ", ".join(settings.media.accepted_types)
    return {"schema": ref("SubmissionForm"), "encoding": {"files": {"contentType": accepted}}}


def _create(settings: Settings) -> Json:
    created = json_response(
        "Created: `SubmissionAccepted` for a form, `DraftCreated` for JSON.",
        {"oneOf": [ref(SubmissionAccepted.__name__), ref(DraftCreated.__name__)]},
        ["Location", "Cache-Control", "Idempotent-Replayed"],
    )
    body = {MULTIPART: form_content(settings), JSON: {"schema": ref(DraftFields.__name__)}}
    return operation(
        "Send a story: files and fields in one request, or a draft for tus uploads",
        "createSubmission", "submissions",
        {"201": created, **problem_responses(*FORM_ERRORS, Conflict, IdempotencyKeyReused)},
        description="multipart/form-data streams the files into a submission and answers "
        "`SubmissionAccepted`. application/json creates a draft (`DraftCreated`): upload "
        "its files with tus, then POST its `submit_url`. Files are answered 413/415 as "
        "soon as they pass a limit or show another type; `Expect: 100-continue` gets 413 "
        "before the body when the declared length is over the limit.",
        parameters=params("IdempotencyKey"),
        body={"required": True, "content": body},
    )  # fmt: skip


def submission_paths(settings: Settings) -> Json:
    one = params("SubmissionId")
    submitted = json_response("Submitted; it goes to review.", Submitted,
                              ["Idempotent-Replayed", "Cache-Control"])  # fmt: skip
    return {
        "/api/v1/submissions": {"post": _create(settings)},
        "/api/v1/submissions/{submission_id}": {
            "get": operation(
                "Where a submission stands, in plain words", "getSubmission", "submissions",
                {"200": json_response("The submission.", SubmitterView, ["Cache-Control"]),
                 **problem_responses(NotFound, *DEPENDENCIES)},
                description="Another token, no token or no such id: 404 alike.",
                parameters=one, security=SUBMITTER,
            ),
            "delete": operation(
                "Withdraw a submission: its files are deleted, its personal data erased",
                "withdrawSubmission", "submissions",
                {"204": response("Withdrawn (again: still 204)."),
                 **problem_responses(NotFound, *DEPENDENCIES)},
                parameters=one, security=SUBMITTER,
            ),
        },
        "/api/v1/submissions/{submission_id}/submit": {
            "post": operation(
                "Submit a draft once every upload is complete", "submitDraft", "submissions",
                {"202": submitted,
                 **problem_responses(BadRequest, NotFound, Conflict, ValidationFailed,
                                     IdempotencyKeyReused, *DEPENDENCIES)},
                description="409 with `incomplete_uploads` while uploads are unfinished, "
                "with `state` once submitted; 422 without any complete upload.",
                parameters=params("SubmissionId", "IdempotencyKey"), security=SUBMITTER,
            )
        },
    }  # fmt: skip


def service_paths() -> Json:
    cached = ["Cache-Control"]
    return {
        "/healthz": {
            "get": operation(
                "The process answers", "healthz", "service",
                {"200": json_response("Alive.", Health), **problem_responses(*SERVER, html=True)},
            )
        },
        "/readyz": {
            "get": operation(
                "S3 and the database answer", "readyz", "service",
                {"200": json_response("Ready.", Ready),
                 **problem_responses(NOT_READY),  # always JSON, even for browsers
                 **problem_responses(*SERVER, html=True)},
            )
        },
        "/metrics": {
            "get": operation(
                "Prometheus metrics, for the operator's bearer of `operations.metrics_token`",
                "metrics", "service",
                {"200": response("Prometheus text format 0.0.4.",
                                 {"text/plain": {"type": "string"}}, cached),
                 **problem_responses(NotFound, html=True), **problem_responses(*SERVER)},
                description="404 unless `operations.metrics_token` is set and sent as "
                "`Authorization: Bearer <token>`. The metrics are always on their own "
                "listener, `operations.metrics_listen`.",
            )
        },
        "/api/v1/config": {
            "get": operation(
                "What a client may send: types, limits, tus endpoint, consents, locales",
                "getConfig", "service",
                {"200": json_response("This deployment's rules.", Config, cached),
                 **problem_responses(*SERVER)},
            )
        },
        OPENAPI_PATH: {
            "get": operation(
                "This document (OpenAPI 3.1)", "getOpenApi", "service",
                {"200": json_response("The OpenAPI document.", "OpenApiDocument", cached),
                 **problem_responses(*SERVER)},
            )
        },
        DOCS_PATH: {
            "get": operation(
                "This document as a page", "apiDocs", "service",
                {"200": html_response("The API reference."), **problem_responses(*SERVER)},
            )
        },
    }  # fmt: skip
