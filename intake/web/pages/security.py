"""Safe headers on every answer, and forms that only this site's own pages may post.

The Content-Security-Policy allows no inline script or style and nothing from another
origin: scripts, styles and the font come from ``/static/``, previews of the reader's
own files from ``blob:`` URLs. ``/api/docs`` still has an inline ``<style>``; it gets a
policy that allows that style and nothing else (no script at all).

Cross-site form posts are refused without cookies or JavaScript: browsers say where a
request comes from in ``Sec-Fetch-Site`` (which no page can set); older ones in
``Origin``. With ``Referrer-Policy: no-referrer`` a browser sends ``Origin: null`` even
for a same-origin form, so ``null`` (and no header at all: a command-line client)
is let through when ``Sec-Fetch-Site`` is absent.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Handler
from multidict import CIMultiDict

from intake.core.errors import Forbidden

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; "
    "media-src 'self' blob:; font-src 'self'; connect-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
INLINE_STYLE_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
INLINE_STYLE_PATHS = frozenset({"/api/docs"})
"""Pages that still carry an inline ``<style>`` (the API reference)."""
SERVER = "intake"
"""The ``Server`` of every answer: no software or version to look up flaws by."""
SAFE_HEADERS = {
    "Server": SERVER,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
SAME_SITE = frozenset({"same-origin", "none"})


def add_safe_headers(headers: CIMultiDict[str]) -> None:
    """The headers every answer carries, pages, problems and files alike."""
    for name, value in SAFE_HEADERS.items():
        headers.setdefault(name, value)


def _add_headers(request: web.Request, headers: CIMultiDict[str]) -> None:
    add_safe_headers(headers)
    policy = INLINE_STYLE_POLICY if request.path in INLINE_STYLE_PATHS else CONTENT_SECURITY_POLICY
    headers.setdefault("Content-Security-Policy", policy)


@web.middleware
async def security_headers_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as exc:  # redirects raised by handlers
        _add_headers(request, exc.headers)
        raise
    _add_headers(request, response.headers)
    return response


def refuse_cross_site(request: web.Request) -> None:
    """403 for a form posted from another site's page."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        if site in SAME_SITE:
            return
    else:
        origin = request.headers.get("Origin", "null")
        if origin == "null" or urlsplit(origin).netloc.lower() == request.host.lower():
            return
    raise Forbidden("Send this form from this site's own page.")
