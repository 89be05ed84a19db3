"""Who is calling a moderation route: a moderator token, and a role high enough."""

from __future__ import annotations

from aiohttp import web

from intake.core.errors import Forbidden
from intake.moderation.records import Moderator, Role
from intake.web.auth import bearer_token
from intake.web.keys import MODERATORS


async def moderator(request: web.Request, role: Role = Role.MODERATOR) -> Moderator:
    """The moderator whose token the request carries: 401 without a valid one (submitter
    tokens included), 403 when their role is below ``role``."""
    found = await request.app[MODERATORS].authenticate(bearer_token(request))
    if not found.role.at_least(role):
        raise Forbidden(f"This needs the {role.value} role; you are a {found.role.value}.")
    return found
