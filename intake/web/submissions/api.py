"""``/api/v1/submissions``: the REST door for submissions."""

from __future__ import annotations

from aiohttp import web

from intake.safeguards.idempotency import fingerprint
from intake.web.auth import bearer_token
from intake.web.client_address import allowance
from intake.web.keys import DRAFTS, SETTINGS, SUBMISSIONS, SUBMITTER
from intake.web.media_types import media_type
from intake.web.models import Answer, json_answer, read_body
from intake.web.submissions.form import expect_continue, fingerprint_form, receive_form
from intake.web.submissions.idempotent import idempotent
from intake.web.submissions.models import (
    DraftCreated,
    DraftFields,
    SubmissionAccepted,
    Submitted,
    SubmitterView,
)

routes = web.RouteTableDef()


@routes.post("/api/v1/submissions", expect_handler=expect_continue)
async def create_submission(request: web.Request) -> web.Response:
    async with allowance(request, "submissions"):
        return await _create_submission(request)


async def _create_submission(request: web.Request) -> web.Response:
    if media_type(request) == "application/json":
        return await idempotent(
            request, "submissions", lambda: _create_draft(request), lambda: _json_print(request)
        )
    settings = request.app[SETTINGS]
    limits = {"read_chunk": settings.uploads.read_chunk, "max_fields": settings.limits.max_fields}

    async def run() -> tuple[web.Response, str]:
        accepted, print_ = await receive_form(request, request.app[SUBMISSIONS], **limits)
        return _created(SubmissionAccepted.of(accepted), accepted.submission.id), print_

    async def print_only() -> str:
        return await fingerprint_form(request, request.app[SUBMISSIONS].policy, **limits)

    return await idempotent(request, "submissions", run, print_only)


def _created(body: Answer, submission_id: str) -> web.Response:
    return json_answer(
        body,
        status=201,
        headers={"Location": f"/api/v1/submissions/{submission_id}", "Cache-Control": "no-store"},
    )


async def _create_draft(request: web.Request) -> tuple[web.Response, str]:
    fields = (await read_body(request, DraftFields)).raw()
    draft = await request.app[DRAFTS].create(fields)
    return _created(DraftCreated.of(draft), draft.submission.id), fingerprint(fields)


async def _json_print(request: web.Request) -> str:
    return fingerprint((await read_body(request, DraftFields)).raw())


@routes.post("/api/v1/submissions/{submission_id}/submit")
async def submit_draft(request: web.Request) -> web.Response:
    submission_id = request.match_info["submission_id"]
    token = bearer_token(request)

    async def run() -> tuple[web.Response, str]:
        submission, files = await request.app[DRAFTS].submit(submission_id, token)
        return json_answer(Submitted.of(submission, files), status=202), ""

    async def same() -> str:
        await request.app[DRAFTS].find(submission_id, token)
        return ""

    return await idempotent(request, f"submit:{submission_id}", run, same)


@routes.get("/api/v1/submissions/{submission_id}")
async def get_submission(request: web.Request) -> web.Response:
    view = await request.app[SUBMITTER].view(
        request.match_info["submission_id"], bearer_token(request)
    )
    return json_answer(SubmitterView.of(view), headers={"Cache-Control": "no-store"})


@routes.delete("/api/v1/submissions/{submission_id}")
async def withdraw_submission(request: web.Request) -> web.Response:
    await request.app[SUBMITTER].withdraw(
        request.match_info["submission_id"], bearer_token(request)
    )
    return web.Response(status=204)
