"""Signing in to the desk with name and password, and out again.

Signing in gives a session token (the same as ``POST /api/v1/moderation-login``) in a
cookie; failed tries are counted as for the API, and a locked-out moderator is told in
plain words how long to wait. Signing out forgets the token at once.
"""

from __future__ import annotations

from aiohttp import web

from intake.core.errors import Forbidden, TooManyRequests, Unauthorized, ValidationFailed
from intake.moderation.accounts import MAX_PASSWORD
from intake.web.client_address import client_address, networks
from intake.web.desk.render import desk_link, desk_page, refusal, render_desk
from intake.web.desk.session import CSRF_FIELD, clear_session, desk_moderator, set_session
from intake.web.desk.words import problem_words
from intake.web.i18n import Localizer
from intake.web.keys import MODERATORS, SETTINGS
from intake.web.pages.messages import N_
from intake.web.pages.render import LOCALE, page_localizer
from intake.web.pages.security import refuse_cross_site

routes = web.RouteTableDef()
WRONG = N_("The name or the password is wrong.")
MISSING = N_("Give your name and your password.")


def _see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location, "Cache-Control": "no-store"})


@routes.get("/moderate/sign-in")
@routes.get(f"/{LOCALE}/moderate/sign-in")
async def sign_in_page(request: web.Request) -> web.Response:
    i18n = page_localizer(request)
    return render_desk(request, i18n, "signin.html", path="/sign-in", message="", given_name="")


def _refused(
    request: web.Request, i18n: Localizer, name: str, status: int, message: str
) -> web.Response:
    return render_desk(
        request,
        i18n,
        "signin.html",
        path="/sign-in",
        status=status,
        message=message,
        given_name=name,
    )


@routes.post(f"/{LOCALE}/moderate/sign-in")
async def sign_in(request: web.Request) -> web.Response:
    i18n = page_localizer(request)
    try:
        refuse_cross_site(request)
    except Forbidden as error:
        return _refused(request, i18n, "", error.status, problem_words(i18n, "csrf"))
    form = await request.post()
    name = str(form.get("name", "")).strip()[:200]
    password = str(form.get("password", ""))[: MAX_PASSWORD + 1]
    if not name or not password:
        return _refused(request, i18n, name, ValidationFailed.status, i18n.gettext(MISSING))
    settings = request.app[SETTINGS]
    address = client_address(request, networks(settings.rate.trusted_proxies))
    try:
        issued = await request.app[MODERATORS].login(name, password, address)
    except Unauthorized as error:
        return _refused(request, i18n, name, error.status, i18n.gettext(WRONG))
    except TooManyRequests as error:
        refused = _refused(request, i18n, name, error.status, refusal(error, i18n))
        refused.headers["Retry-After"] = str(error.extra.get("retry_after_seconds", 60))
        return refused
    signed_in = _see_other(desk_link(i18n))
    set_session(signed_in, request, issued.token, settings.moderation.session_seconds)
    return signed_in


@routes.post(f"/{LOCALE}/moderate/sign-out")
@desk_page
async def sign_out(request: web.Request, i18n: Localizer) -> web.Response:
    form = await request.post()
    me, token = await desk_moderator(request, csrf=str(form.get(CSRF_FIELD, "")))
    await request.app[MODERATORS].sign_out(me, token)
    signed_out = _see_other(desk_link(i18n, "/sign-in"))
    clear_session(signed_out, request)
    return signed_out
