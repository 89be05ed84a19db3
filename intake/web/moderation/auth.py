"""Who is calling a moderation route: a moderator token (or the desk's session, with its
CSRF token on changes), and a role high enough."""

from __future__ import annotations

from aiohttp import web

from intake.core.errors import Forbidden
from intake.moderation.records import Moderator, Role
from intake.web.auth import bearer_token
from intake.web.desk.session import desk_moderator, session_token
from intake.web.keys import MODERATORS


async def moderator(request: web.Request, role: Role = Role.MODERATOR) -> Moderator:
    """The moderator whose token the request carries: 401 without a valid one (submitter
    tokens included), 403 when their role is below ``role``. Without a bearer token the
    desk's session cookie is taken, and a change needs its CSRF token."""
    token = bearer_token(request)
    if token is None and session_token(request) is not None:
        found, _ = await desk_moderator(request, role)
        return found
    found = await request.app[MODERATORS].authenticate(token)
    if not found.role.at_least(role):
        raise Forbidden(f"This needs the {role.value} role; you are a {found.role.value}.")
    return found
