"""The reader's pages in the OpenAPI document: the form, receipt, status and privacy
pages in each language, and their static files.

Merged into the document by :mod:`intake.web.openapi.document`.
"""

from __future__ import annotations

from intake.core.errors import Forbidden, NotFound, ValidationFailed
from intake.core.settings import Settings
from intake.web.i18n import LOCALES_DIR, catalog_dir
from intake.web.openapi.building import HTML, Json, html_response, operation, params, response
from intake.web.openapi.problems import DEPENDENCIES, SERVER, problem_responses
from intake.web.openapi.submission_paths import FORM_ERRORS, form_content

TAG = "pages"
NO_STORE = ["Cache-Control"]
STATIC_TYPES = ("text/css", "text/javascript", "font/woff2", "image/svg+xml", "text/plain")


def _parameter(name: str, where: str, description: str, schema: Json) -> Json:
    return {"name": name, "in": where, "description": description, "required": True,
            "schema": schema}  # fmt: skip


def _text(description: str, max_length: int) -> Json:
    return {"type": "string", "description": description, "maxLength": max_length}


def _enum(values: list[str], description: str) -> Json:
    return {"type": "string", "enum": values, "description": description}


def _locale(settings: Settings) -> Json:
    tags = [t for t in settings.submissions.locales if (LOCALES_DIR / catalog_dir(t)).is_dir()]
    return _parameter(
        "locale", "path", "The page's language; without it, the browser's (Accept-Language).",
        {"type": "string", "enum": tags},
    )  # fmt: skip


def _page(summary: str, operation_id: str, description: str, *errors: type) -> Json:
    return operation(
        summary,
        operation_id,
        TAG,
        {"200": html_response(description), **problem_responses(*errors, *SERVER, html=True)},
    )


def _localized(path: str, op: Json, settings: Settings, *extra: Json) -> dict[str, Json]:
    """``path`` negotiated, and ``/{locale}`` + ``path`` in a given language."""
    localized = {**op, "operationId": op["operationId"] + "InLanguage"}
    localized["parameters"] = [*params(), _locale(settings), *extra]
    localized["responses"] = {
        **op["responses"],
        **problem_responses(NotFound, *SERVER, html=True),
    }
    if extra:
        op = {**op, "parameters": [*params(), *extra]}
    return {path: {"get": op}, "/{locale}" + path: {"get": localized}}


def _status_post(settings: Settings) -> Json:
    fields = {
        "type": "object",
        "required": ["reference", "key"],
        "properties": {
            "reference": _text("The reference code.", 40),
            "key": _text("The private key given with the receipt.", 200),
            "action": _enum(["show", "withdraw"], "`withdraw` to withdraw the story."),
            "confirm": _enum(["yes"], "Needed to withdraw."),
        },
    }
    return operation(
        "The status page without JavaScript: show a story's state, or withdraw it",
        "statusLookup",
        TAG,
        {
            "200": response("The state in plain words.", {HTML: {"type": "string"}}, NO_STORE),
            **problem_responses(Forbidden, NotFound, ValidationFailed, *DEPENDENCIES, html=True),
        },
        parameters=[*params(), _locale(settings)],
        body={"required": True, "content": {"application/x-www-form-urlencoded": {
            "schema": fields}}},
        description="Refused (403) when posted from another site's page.",
    )  # fmt: skip


def paths(settings: Settings) -> Json:
    reference = params("Reference")[1:]
    status = _localized("/status", _page("The status page: state and withdrawal", "statusPage",
                                         "The page."), settings)  # fmt: skip
    status["/{locale}/status"]["post"] = _status_post(settings)
    return {
        **_localized("/", _page("The story form (works without JavaScript)", "formPage",
                                "The form."), settings),
        **_localized("/privacy", _page("The privacy notice and the terms", "privacyPage",
                                       "The notice."), settings),
        **status,
        **_localized("/receipt/{reference}", _page(
            "The public receipt: the same page for every well-formed reference", "receiptPage",
            "The receipt.", NotFound), settings, *reference),
        "/submit": {"post": _submit(settings)},
        "/static/{path}": {"get": _static()},
    }  # fmt: skip


def _submit(settings: Settings) -> Json:
    return operation(
        "The form without JavaScript: the receipt, with the private key shown once",
        "submitForm",
        TAG,
        {
            "200": response("Received: the receipt.", {HTML: {"type": "string"}}, NO_STORE),
            **problem_responses(Forbidden, *FORM_ERRORS, html=True),
        },
        description="Errors are the form again, filled in, for browsers (`Accept: text/html`), "
        "problem JSON otherwise. Refused (403) when posted from another site's page.",
        body={"required": True, "content": {"multipart/form-data": form_content(settings)}},
    )


def _static() -> Json:
    path = _parameter("path", "path", "A file's path.", {"type": "string"})
    return operation(
        "The pages' stylesheet, scripts and font",
        "staticFile",
        TAG,
        {
            "200": response("The file.", {t: {"type": "string"} for t in STATIC_TYPES},
                            ["Cache-Control"]),
            "304": response("Not changed (If-None-Match).", headers=["Cache-Control"]),
            **problem_responses(NotFound, *SERVER, html=True),
        },
        parameters=[*params(), path],
    )  # fmt: skip
