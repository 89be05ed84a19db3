"""The plain HTML form (works without JavaScript) and its receipt page."""

from __future__ import annotations

from aiohttp import web

from intake.core.errors import NotFound
from intake.core.ids import normalize_reference
from intake.core.sizes import describe_size
from intake.media.types import KNOWN_TYPES
from intake.web.client_address import limit
from intake.web.keys import REPOSITORY, SETTINGS, SUBMISSIONS, TEMPLATES
from intake.web.submissions.form import expect_continue, receive_form

routes = web.RouteTableDef()


def _html(request: web.Request, name: str, status: int = 200, **context: object) -> web.Response:
    page = request.app[TEMPLATES].render(name, **context)
    return web.Response(text=page, status=status, content_type="text/html")


@routes.get("/")
async def form_page(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    accepted = settings.media.accepted_types
    return _html(
        request,
        "form.html",
        accept=",".join(
            sorted({*accepted, *(f".{e}" for m in accepted for e in KNOWN_TYPES[m].extensions)})
        ),
        labels=", ".join(sorted({KNOWN_TYPES[m].label for m in accepted})),
        photo_max=describe_size(settings.limits.photo_max_bytes),
        video_max=describe_size(settings.limits.video_max_bytes),
        max_files=settings.limits.max_files,
        field_max=settings.limits.field_max_chars,
        story_max=settings.limits.story_max_chars,
    )


@routes.post("/submit", expect_handler=expect_continue)
async def submit_form(request: web.Request) -> web.Response:
    await limit(request, "submissions")
    settings = request.app[SETTINGS]
    accepted, _ = await receive_form(
        request,
        request.app[SUBMISSIONS],
        read_chunk=settings.uploads.read_chunk,
        max_fields=settings.limits.max_fields,
    )
    raise web.HTTPSeeOther(f"/receipt/{accepted.submission.reference}")


@routes.get("/receipt/{reference}")
async def receipt_page(request: web.Request) -> web.Response:
    reference = normalize_reference(request.match_info["reference"])
    submission = await request.app[REPOSITORY].get_by_reference(reference)
    if submission is None:
        raise NotFound("No submission has this reference code.")
    return _html(request, "receipt.html", reference=submission.reference)
