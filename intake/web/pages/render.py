"""What every reader page shares: its language, its links, its assets and its headers.

A page lives at ``/<locale>/<path>`` (``/fa-AF/status``); the unprefixed address
(``/``, ``/status``) negotiates the language. Pages are never stored by the browser or
a proxy (``no-store``): some carry the reader's own details or their key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import web

from intake.core.errors import NotFound
from intake.web.i18n import LANGUAGE_NAMES, Localizer
from intake.web.keys import SETTINGS, TEMPLATES
from intake.web.pages.limits import Limits
from intake.web.pages.scripts import ScriptTexts
from intake.web.pages.static import STATIC

LOCALE = "{locale:[a-z]{2,3}(?:-[A-Z]{2})?}"
"""The path segment of a page's language (``en``, ``fa-AF``, ``ps``)."""
LIMITS = web.AppKey("page_limits", Limits)
SCRIPT_TEXTS = web.AppKey("page_script_texts", ScriptTexts)
"""For each locale, what the pages' scripts may say (made on its first page)."""


@dataclass(frozen=True)
class Language:
    tag: str
    name: str
    href: str
    current: bool


def page_localizer(request: web.Request) -> Localizer:
    """The language of this page; 404 for a path prefix that is not one of ours."""
    catalogs = request.app[TEMPLATES].catalogs
    prefix = request.match_info.get("locale")
    if prefix is not None and prefix not in catalogs.tags:
        raise NotFound("There is nothing at this address; check the URL.")
    return catalogs.for_request(request)


def link(tag: str, path: str = "") -> str:
    return f"/{tag}/{path}"


def languages(request: web.Request, current: str, path: str) -> list[Language]:
    return [
        Language(tag, LANGUAGE_NAMES.get(tag, tag), link(tag, path), tag == current)
        for tag in request.app[TEMPLATES].catalogs.tags
    ]


def page_context(request: web.Request, i18n: Localizer, path: str) -> dict[str, Any]:
    return {
        "i18n": i18n,
        "static": request.app[STATIC].url,
        "link": lambda page="": link(i18n.tag, page),
        "languages": languages(request, i18n.tag, path),
        "limits": request.app[LIMITS],
        "settings": request.app[SETTINGS],
        "script_text": request.app[SCRIPT_TEXTS][i18n.tag],
    }


def render_page(
    request: web.Request,
    i18n: Localizer,
    template: str,
    *,
    path: str,
    status: int = 200,
    **context: Any,
) -> web.Response:
    """``template`` in the reader's language, compressed, never cached."""
    text = request.app[TEMPLATES].render(
        template, i18n.tag, **page_context(request, i18n, path), **context
    )
    response = web.Response(text=text, status=status, content_type="text/html")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Language"] = i18n.tag
    if "locale" not in request.match_info:
        response.headers["Vary"] = "Accept-Language"
    response.enable_compression()
    return response
