"""The reader's form, in their language: it works without JavaScript (a plain multipart
POST that answers with the receipt) and is made resumable by ``form.js``.

A form the server refuses comes back filled in with what the reader wrote, with an
error summary that links to each field to change.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from intake.core.errors import IntakeError, ValidationFailed
from intake.web.client_address import allowance
from intake.web.i18n import Localizer
from intake.web.keys import SETTINGS, SUBMISSIONS, TEMPLATES
from intake.web.pages.limits import Limits
from intake.web.pages.messages import field_error, field_label, problem_text
from intake.web.pages.render import LIMITS, LOCALE, page_localizer, render_page
from intake.web.pages.security import refuse_cross_site
from intake.web.problems import wants_html
from intake.web.submissions.form import expect_continue, receive_form_into

routes = web.RouteTableDef()
KEPT_FIELDS = ("title", "story", "location", "occurred_at", "name", "email", "phone")


def private_link(i18n: Localizer, submission_id: str, token: str) -> str:
    """The reader's way back: the key travels in the fragment, which browsers never send."""
    return f"/{i18n.tag}/status#id={submission_id}&token={token}"


def _form(
    request: web.Request,
    i18n: Localizer,
    *,
    values: Mapping[str, str] | None = None,
    error: IntakeError | None = None,
) -> web.Response:
    limits = request.app[LIMITS]
    errors: list[dict[str, str]] = []
    problem = None
    if isinstance(error, ValidationFailed):
        errors = _field_errors(i18n, error, limits)
    elif error is not None:
        title, detail = problem_text(i18n, error, limits)
        problem = {"title": title, "detail": detail}
        if error.status in (413, 415, 422):  # about the files: said once, by the file input
            errors = [{"field": "files", "target": "files", "label": field_label(i18n, "files"),
                       "text": detail}]  # fmt: skip
            problem["detail"] = ""
    given = values or {}
    kept: dict[str, Any] = {name: given.get(name, "") for name in KEPT_FIELDS}
    kept["consent_contact"] = given.get("consent_contact", "") in ("true", "on")
    return render_page(
        request, i18n, "form.html", path="", status=error.status if error else 200,
        values=kept, errors=errors, problem=problem
    )  # fmt: skip


def _field_errors(i18n: Localizer, error: ValidationFailed, limits: Limits) -> list[dict[str, str]]:
    return [
        {
            "field": e["field"],
            "target": e["field"],
            "label": field_label(i18n, e["field"]),
            "text": field_error(i18n, e["field"], e["code"], limits),
        }
        for e in error.errors
    ]


@routes.get("/")
@routes.get(f"/{LOCALE}/")
async def form_page(request: web.Request) -> web.Response:
    return _form(request, page_localizer(request))


@routes.get("/privacy")
@routes.get(f"/{LOCALE}/privacy")
async def privacy_page(request: web.Request) -> web.Response:
    return render_page(request, page_localizer(request), "privacy.html", path="privacy")


def _sent_locale(request: web.Request, fields: Mapping[str, str]) -> Localizer:
    catalogs = request.app[TEMPLATES].catalogs
    sent = catalogs.match(fields.get("locale", ""))
    return catalogs.get(sent) if sent else catalogs.for_request(request)


@routes.post("/submit", expect_handler=expect_continue)
async def submit_form(request: web.Request) -> web.Response:
    """The form without JavaScript: the receipt (with the key, shown once) or the form
    again with what to change. Clients that do not ask for HTML get problem JSON."""
    refuse_cross_site(request)
    settings = request.app[SETTINGS]
    fields: dict[str, str] = {}
    try:
        async with allowance(request, "submissions"):
            accepted, _ = await receive_form_into(
                fields,
                request,
                request.app[SUBMISSIONS],
                read_chunk=settings.uploads.read_chunk,
                max_fields=settings.limits.max_fields,
            )
    except IntakeError as error:
        if not wants_html(request):
            raise
        return _form(request, _sent_locale(request, fields), values=fields, error=error)
    i18n = _sent_locale(request, fields)
    submission = accepted.submission
    return render_page(
        request, i18n, "receipt.html", path="", reference=submission.reference,
        key=accepted.token, private_link=private_link(i18n, submission.id, accepted.token),
    )  # fmt: skip
