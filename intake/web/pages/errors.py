"""Errors as a page in the reader's language, by the problem's stable type."""

from __future__ import annotations

from aiohttp import web

from intake.core.errors import IntakeError, ValidationFailed
from intake.web.keys import TEMPLATES
from intake.web.pages.messages import field_error, field_label, problem_text
from intake.web.pages.render import LIMITS, render_page


def error_page(request: web.Request, error: IntakeError) -> web.Response:
    """The page a browser gets for ``error`` (instead of problem JSON)."""
    i18n = request.app[TEMPLATES].catalogs.for_request(request)
    limits = request.app[LIMITS]
    title, detail = problem_text(i18n, error, limits)
    field_errors = (
        [
            {"label": field_label(i18n, e["field"]),
             "text": field_error(i18n, e["field"], e["code"], limits)}
            for e in error.errors
        ]
        if isinstance(error, ValidationFailed)
        else []
    )  # fmt: skip
    return render_page(
        request, i18n, "error.html", path="", status=error.status, title=title, detail=detail,
        field_errors=field_errors,
    )  # fmt: skip
