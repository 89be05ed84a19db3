"""``/api/v1/submissions``: the REST door for submissions."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from intake.core.errors import BadRequest, ValidationFailed
from intake.safeguards.idempotency import fingerprint
from intake.submissions.drafts import NewDraft
from intake.submissions.receiving import AcceptedSubmission
from intake.submissions.records import StoredFile, Submission, SubmissionState
from intake.submissions.submitter import SubmitterView
from intake.uploads.records import Concat, Upload
from intake.web.auth import bearer_token
from intake.web.client_address import limit
from intake.web.keys import DRAFTS, REPOSITORY, SETTINGS, SUBMISSIONS, SUBMITTER
from intake.web.submissions.form import expect_continue, fingerprint_form, receive_form
from intake.web.submissions.idempotent import idempotent

routes = web.RouteTableDef()


def rfc3339(value: Any) -> str:
    return str(value.isoformat().replace("+00:00", "Z"))


def file_json(f: StoredFile) -> dict[str, Any]:
    return {
        "id": f.id,
        "filename": f.original_filename,
        "media_type": f.media_type,
        "kind": f.kind,
        "size": f.size,
        "sha256": f.sha256,
        "state": f.state.value,
    }


def upload_json(u: Upload) -> dict[str, Any]:
    return {
        "id": u.id,
        "url": f"/api/v1/uploads/{u.id}",
        "filename": u.filename,
        "state": u.state.value,
        "offset": u.offset,
        "length": u.length,
        "expires_at": rfc3339(u.expires_at),
    }


def view_json(view: SubmitterView) -> dict[str, Any]:
    s = view.submission
    body: dict[str, Any] = {
        "id": s.id,
        "reference": s.reference,
        "status": view.status,
        "status_text": view.status_text,
        "created_at": rfc3339(s.created_at),
        "updated_at": rfc3339(s.updated_at),
        "files": [file_json(f) for f in view.files],
    }
    if s.state is SubmissionState.DRAFT:
        body["uploads"] = [upload_json(u) for u in view.uploads if u.concat != Concat.PARTIAL]
    return body


def accepted_json(accepted: AcceptedSubmission) -> dict[str, Any]:
    s = accepted.submission
    return {
        "id": s.id,
        "reference": s.reference,
        "state": s.state.value,
        "created_at": rfc3339(s.created_at),
        "files": [file_json(f) for f in accepted.files],
        "submitter_token": accepted.token,
    }


def draft_json(draft: NewDraft) -> dict[str, Any]:
    s = draft.submission
    return {
        "id": s.id,
        "reference": s.reference,
        "state": s.state.value,
        "created_at": rfc3339(s.created_at),
        "submitter_token": draft.token,
        "upload_url": "/api/v1/uploads",
        "submit_url": f"/api/v1/submissions/{s.id}/submit",
    }


def submitted_json(submission: Submission, files: list[StoredFile]) -> dict[str, Any]:
    return {
        "id": submission.id,
        "reference": submission.reference,
        "state": submission.state.value,
        "created_at": rfc3339(submission.created_at),
        "files": [file_json(f) for f in files],
    }


async def _json_fields(request: web.Request) -> dict[str, str]:
    try:
        body = await request.json()
    except ValueError as exc:
        raise BadRequest("The body is not valid JSON.") from exc
    if not isinstance(body, dict):
        raise BadRequest("Send the fields as one JSON object.")
    fields: dict[str, str] = {}
    errors = []
    for name, value in body.items():
        if isinstance(value, bool):
            fields[name] = "true" if value else "false"
        elif isinstance(value, str):
            fields[name] = value
        elif value is not None:
            errors.append({"field": str(name), "code": "not_text",
                           "detail": "Use a string (or true/false for consents)."})  # fmt: skip
    if errors:
        raise ValidationFailed(errors)
    return fields


@routes.post("/api/v1/submissions", expect_handler=expect_continue)
async def create_submission(request: web.Request) -> web.Response:
    await limit(request, "submissions")
    if request.content_type == "application/json":
        return await idempotent(
            request, "submissions", lambda: _create_draft(request), lambda: _json_print(request)
        )
    settings = request.app[SETTINGS]
    limits = {"read_chunk": settings.uploads.read_chunk, "max_fields": settings.limits.max_fields}

    async def run() -> tuple[web.Response, str]:
        accepted, print_ = await receive_form(request, request.app[SUBMISSIONS], **limits)
        return _created(accepted_json(accepted), accepted.submission.id), print_

    async def print_only() -> str:
        return await fingerprint_form(request, request.app[SUBMISSIONS].policy, **limits)

    return await idempotent(request, "submissions", run, print_only)


def _created(body: dict[str, Any], submission_id: str) -> web.Response:
    return web.json_response(
        body,
        status=201,
        headers={"Location": f"/api/v1/submissions/{submission_id}", "Cache-Control": "no-store"},
    )


async def _create_draft(request: web.Request) -> tuple[web.Response, str]:
    fields = await _json_fields(request)
    draft = await request.app[DRAFTS].create(fields)
    return _created(draft_json(draft), draft.submission.id), fingerprint(fields)


async def _json_print(request: web.Request) -> str:
    return fingerprint(await _json_fields(request))


@routes.post("/api/v1/submissions/{submission_id}/submit")
async def submit_draft(request: web.Request) -> web.Response:
    submission_id = request.match_info["submission_id"]
    token = bearer_token(request)

    async def run() -> tuple[web.Response, str]:
        submission = await request.app[DRAFTS].submit(submission_id, token)
        files = await request.app[REPOSITORY].files_of(submission.id)
        return web.json_response(submitted_json(submission, files), status=202), ""

    async def same() -> str:
        await request.app[DRAFTS].find(submission_id, token)
        return ""

    return await idempotent(request, f"submit:{submission_id}", run, same)


@routes.get("/api/v1/submissions/{submission_id}")
async def get_submission(request: web.Request) -> web.Response:
    view = await request.app[SUBMITTER].view(
        request.match_info["submission_id"], bearer_token(request)
    )
    return web.json_response(view_json(view), headers={"Cache-Control": "no-store"})


@routes.delete("/api/v1/submissions/{submission_id}")
async def withdraw_submission(request: web.Request) -> web.Response:
    await request.app[SUBMITTER].withdraw(
        request.match_info["submission_id"], bearer_token(request)
    )
    return web.Response(status=204)
