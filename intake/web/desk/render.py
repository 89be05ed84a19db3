"""What every desk page shares: its address in the moderator's language, the signed-in
moderator and their CSRF token, the scripts' texts, and what a refusal looks like.

Desk pages live at ``/<locale>/moderate…``; ``/moderate…`` negotiates the language. They
carry personal data, so they are never stored (``no-store``, from ``render_page``).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from intake.core.errors import IntakeError, TooManyRequests, Unauthorized
from intake.moderation.records import Moderator, Role
from intake.web.desk.session import CsrfRefused, csrf_token
from intake.web.desk.words import ROLES, desk_script_text, problem_words, words
from intake.web.i18n import Localizer
from intake.web.pages.render import page_localizer, render_page

DESK = "/moderate"
DeskHandler = Callable[[web.Request, Localizer], Awaitable[web.StreamResponse]]


def desk_link(i18n: Localizer, path: str = "") -> str:
    """The address of a desk page in this language: ``/fa-AF/moderate/items/…``."""
    return f"/{i18n.tag}{DESK}{path}"


def render_desk(
    request: web.Request,
    i18n: Localizer,
    template: str,
    *,
    path: str = "",
    status: int = 200,
    me: Moderator | None = None,
    session: str = "",
    **context: Any,
) -> web.Response:
    """A desk page (``desk/<template>``) for ``me``, with the CSRF token of ``session``."""
    return render_page(
        request,
        i18n,
        f"desk/{template}",
        path=f"moderate{path}",
        status=status,
        desk=functools.partial(desk_link, i18n),
        me=me,
        role_name=words(i18n, ROLES, me.role.value) if me else "",
        is_senior=bool(me and me.role.at_least(Role.SENIOR)),
        is_admin=bool(me and me.role.at_least(Role.ADMIN)),
        csrf=csrf_token(session) if session else "",
        desk_text=desk_script_text(i18n),
        **context,
    )


def refusal(error: IntakeError, i18n: Localizer) -> str:
    """What to tell a moderator about ``error``, in their words."""
    if isinstance(error, CsrfRefused):
        return problem_words(i18n, "csrf")
    if isinstance(error, TooManyRequests):
        seconds = int(error.extra.get("retry_after_seconds", 60))
        return problem_words(i18n, error.slug, minutes=i18n.number(max(1, math.ceil(seconds / 60))))
    return problem_words(i18n, error.slug)


def desk_page(handler: DeskHandler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """A desk page: without a session, off to sign in; a refusal as a desk page."""

    @functools.wraps(handler)
    async def page(request: web.Request) -> web.StreamResponse:
        i18n = page_localizer(request)
        try:
            return await handler(request, i18n)
        except Unauthorized:
            raise web.HTTPSeeOther(desk_link(i18n, "/sign-in")) from None
        except IntakeError as error:
            if error.status >= 500:
                raise
            return render_desk(
                request, i18n, "error.html", status=error.status, message=refusal(error, i18n)
            )

    return page
