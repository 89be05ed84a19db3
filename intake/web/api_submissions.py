"""``/api/v1/submissions``: the REST door for submissions."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from intake.records import StoredFile
from intake.submissions import AcceptedSubmission
from intake.web.keys import SETTINGS, SUBMISSIONS
from intake.web.submission_form import expect_continue, receive_form

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
    }


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


@routes.post("/api/v1/submissions", expect_handler=expect_continue)
async def create_submission(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    accepted = await receive_form(
        request,
        request.app[SUBMISSIONS],
        read_chunk=settings.uploads.read_chunk,
        max_fields=settings.limits.max_fields,
    )
    return web.json_response(
        accepted_json(accepted),
        status=201,
        headers={"Location": f"/api/v1/submissions/{accepted.submission.id}",
                 "Cache-Control": "no-store"},
    )  # fmt: skip
