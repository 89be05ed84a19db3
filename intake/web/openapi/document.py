"""The OpenAPI 3.1 document of an app: the body models' schemas, the hand-written
operations, headers and parameters, and every problem type."""

from __future__ import annotations

import importlib.metadata

from intake.core.settings import Settings
from intake.media.types import KNOWN_TYPES
from intake.web.openapi import pages
from intake.web.openapi.building import Json
from intake.web.openapi.desk_paths import DESK_SESSION, desk_paths
from intake.web.openapi.headers import HEADERS, parameters
from intake.web.openapi.moderation_paths import SECURITY_SCHEME, moderation_paths
from intake.web.openapi.problems import PROBLEM_TYPES
from intake.web.openapi.publishing_paths import publishing_paths
from intake.web.openapi.schemas import component_schemas
from intake.web.openapi.submission_paths import service_paths, submission_paths
from intake.web.openapi.tus_paths import tus_paths

TAGS = (
    ("submissions", "Submissions and drafts."),
    ("uploads (tus 1.0.0)", "Resumable uploads into a draft."),
    ("pages", "The reader's pages (HTML) in each language."),
    ("service", "Health, configuration and this document."),
    ("moderation", "The moderation queue and its accounts."),
    ("desk", "The moderator desk (HTML) in each language."),
)


def _version() -> str:
    try:
        return importlib.metadata.version("intake")
    except importlib.metadata.PackageNotFoundError:
        return "0"


def _description(settings: Settings, tus_max_size: int) -> str:
    rate = settings.rate
    types = ", ".join(KNOWN_TYPES[m].label for m in settings.media.accepted_types)
    return "\n\n".join([
        "Readers' photos and videos with their story, from the web form or an app.",
        f"**Files**: {types}. Resumable uploads use tus 1.0.0 at `/api/v1/uploads` "
        f"(at most {tus_max_size} bytes each).",
        "**Conventions**: members are snake_case; times are RFC 3339 in UTC; ids are UUIDs. "
        "Every answer carries `X-Request-Id` (yours when you send a sane one). New members "
        "may be added to answers: ignore those you do not know.",
        "**Errors** are `application/problem+json` (RFC 9457) with a stable `type` "
        "(`x-problem-types` lists them all) and the limit where one applies.",
        f"**Rate limits** per client address: {rate.submissions or 'unlimited'} submissions "
        f"and {rate.uploads or 'unlimited'} tus uploads per {rate.window_seconds} s (429 "
        "with `Retry-After`).",
        "**CORS**: browsers on the origins in `server.cors_origins` may call /api/; preflight "
        "OPTIONS requests are answered 204 on every /api/ address.",
    ])  # fmt: skip


def openapi_document(settings: Settings, tus_max_size: int) -> Json:
    """The OpenAPI 3.1 document for an app with these settings."""
    submitter = {"type": "http", "scheme": "bearer",
                 "description": "The submitter token from the 201 answer."}  # fmt: skip
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {
            "title": "intake: the submission API",
            "version": _version(),
            "summary": "Readers send photos and videos with their story; newsrooms review them.",
            "description": _description(settings, tus_max_size),
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
        },
        "tags": [{"name": name, "description": text} for name, text in TAGS],
        "paths": {
            **submission_paths(settings),
            **tus_paths(),
            **pages.paths(settings),
            **service_paths(),
            **moderation_paths(),
            **desk_paths(settings),
            **publishing_paths(),
        },
        "components": {
            "schemas": component_schemas(settings),
            "parameters": parameters(settings, tus_max_size),
            "headers": HEADERS,
            "securitySchemes": {
                "submitterToken": submitter,
                "moderatorToken": SECURITY_SCHEME,
                "deskSession": DESK_SESSION,
            },
        },
        "x-problem-types": [
            {"type": p.uri, "status": p.status, "title": p.title, "when": p.when}
            for p in PROBLEM_TYPES
        ],
    }
