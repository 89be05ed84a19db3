"""The desk's session: a cookie holding a moderator session token, and the CSRF token
every state-changing request sends back (a header for scripts, a form field for forms).

The CSRF token is a hash of the session token: the page gets it in its markup, a page of
another site cannot read it (nor the HttpOnly cookie), and nothing is stored for it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress

from aiohttp import web

from intake.core.errors import Forbidden, Unauthorized
from intake.moderation.records import Moderator, Role
from intake.web.client_address import networks
from intake.web.keys import MODERATORS, SETTINGS

COOKIE = "intake_desk"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfRefused(Forbidden):
    """A change without the desk's CSRF token (a page of another site, or a stale one)."""


def session_token(request: web.Request) -> str | None:
    return request.cookies.get(COOKIE) or None


def csrf_token(session: str) -> str:
    digest = hashlib.sha256(b"intake desk csrf\0" + session.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def check_csrf(session: str, sent: str | None) -> None:
    """403 unless ``sent`` is the CSRF token of ``session``."""
    if not sent or not hmac.compare_digest(sent.encode(), csrf_token(session).encode()):
        raise CsrfRefused("Send the desk's CSRF token with every change (X-CSRF-Token).")


def is_secure(request: web.Request) -> bool:
    """Whether the browser reached us over TLS: directly, or through a trusted proxy that
    says so in ``X-Forwarded-Proto``."""
    if request.secure:
        return True
    proxies = networks(request.app[SETTINGS].rate.trusted_proxies)
    try:
        peer = ipaddress.ip_address(request.remote or "")
    except ValueError:
        return False
    if not any(peer in network for network in proxies):
        return False
    forwarded = request.headers.get("X-Forwarded-Proto", "").split(",")[0]
    return forwarded.strip().lower() == "https"


def set_session(
    response: web.StreamResponse, request: web.Request, token: str, seconds: int
) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=seconds,
        path="/",
        httponly=True,
        samesite="Strict",
        secure=is_secure(request),
    )


def clear_session(response: web.StreamResponse, request: web.Request) -> None:
    response.del_cookie(
        COOKIE, path="/", httponly=True, samesite="Strict", secure=is_secure(request)
    )


async def desk_moderator(
    request: web.Request, role: Role = Role.MODERATOR, *, csrf: str | None = None
) -> tuple[Moderator, str]:
    """The signed-in moderator and their session token: 401 without a live session, 403
    for a state-changing request without the CSRF token (``csrf``: a form's field) or a
    role below ``role``."""
    token = session_token(request)
    if token is None:
        raise Unauthorized("Sign in at /moderate/sign-in.")
    found = await request.app[MODERATORS].authenticate(token)
    if request.method not in SAFE_METHODS:
        check_csrf(token, csrf if csrf is not None else request.headers.get(CSRF_HEADER))
    if not found.role.at_least(role):
        raise Forbidden(f"This needs the {role.value} role; you are a {found.role.value}.")
    return found, token
