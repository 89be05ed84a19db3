"""``/moderate/accounts``: admins add moderators, change their role, disable or enable
them, and issue a new API token (shown once), with plain forms."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from intake.core.errors import Conflict, IntakeError, ValidationFailed
from intake.moderation.records import Moderator, Role
from intake.web.desk.render import desk_page, refusal, render_desk
from intake.web.desk.session import CSRF_FIELD, desk_moderator
from intake.web.desk.words import ROLES, problem_words, words
from intake.web.i18n import Localizer
from intake.web.keys import MODERATORS
from intake.web.pages.messages import N_
from intake.web.pages.render import LOCALE

routes = web.RouteTableDef()
ACTIONS = ("add", "role", "disable", "enable", "token")
ACCOUNT_ERRORS = {
    "bad_name": N_("A name is 2 to 80 of a-z, 0-9, dot, dash and underscore."),
    "bad_length": N_("A password has 12 to 1024 characters."),
}
TAKEN = N_(
    "That was refused: the name is taken, the account is disabled, or an admin tried to "
    "demote or disable themself."
)


async def _page(
    request: web.Request,
    i18n: Localizer,
    me: Moderator,
    session: str,
    status: int = 200,
    **context: Any,
) -> web.Response:
    everyone = await request.app[MODERATORS].all()
    roles = [(r.value, words(i18n, ROLES, r.value)) for r in Role]
    context.setdefault("token", None)
    context.setdefault("message", "")
    return render_desk(
        request,
        i18n,
        "accounts.html",
        path="/accounts",
        status=status,
        me=me,
        session=session,
        accounts=everyone,
        roles=roles,
        **context,
    )


@routes.get("/moderate/accounts")
@routes.get(f"/{LOCALE}/moderate/accounts")
@desk_page
async def accounts_page(request: web.Request, i18n: Localizer) -> web.Response:
    me, session = await desk_moderator(request, Role.ADMIN)
    return await _page(request, i18n, me, session)


async def _act(request: web.Request, me: Moderator, form: Any) -> tuple[str, str] | None:
    """Do what the form asks; (name, token) when a token was issued."""
    accounts = request.app[MODERATORS]
    action = str(form.get("action", ""))
    if action == "add":
        role = Role(str(form.get("role", "moderator")))
        password = str(form.get("password", "")) or None
        added = await accounts.add(str(form.get("name", "")).strip(), role, password, me.name)
        issued = await accounts.issue_token(added, me.name)
        return added.name, issued.token
    target = await accounts.find(str(form.get("moderator_id", "")))
    if target.id == me.id and action in ("role", "disable"):
        raise Conflict("Admins cannot disable or demote themselves; ask another admin.")
    if action == "role":
        await accounts.change(target, me.name, role=Role(str(form.get("role", ""))))
    elif action in ("disable", "enable"):
        await accounts.change(target, me.name, disabled=action == "disable")
    elif action == "token":
        return target.name, (await accounts.issue_token(target, me.name)).token
    return None


def _account_refusal(error: IntakeError, i18n: Localizer) -> str:
    if isinstance(error, ValidationFailed):
        codes = {e.get("code") for e in error.errors}
        said = [i18n.gettext(m) for code, m in ACCOUNT_ERRORS.items() if code in codes]
        return " ".join(said) or problem_words(i18n, "validation-failed")
    if isinstance(error, Conflict):
        return i18n.gettext(TAKEN)
    return refusal(error, i18n)


@routes.post(f"/{LOCALE}/moderate/accounts")
@desk_page
async def change_accounts(request: web.Request, i18n: Localizer) -> web.Response:
    form = await request.post()
    me, session = await desk_moderator(request, Role.ADMIN, csrf=str(form.get(CSRF_FIELD, "")))
    if str(form.get("action", "")) not in ACTIONS or (
        form.get("role") and str(form.get("role")) not in tuple(r.value for r in Role)
    ):
        return await _page(
            request, i18n, me, session, 422, message=problem_words(i18n, "validation-failed")
        )
    try:
        issued = await _act(request, me, form)
    except IntakeError as error:
        if error.status >= 500:
            raise
        return await _page(
            request, i18n, me, session, error.status, message=_account_refusal(error, i18n)
        )
    if issued is None:
        return web.Response(
            status=303, headers={"Location": request.path, "Cache-Control": "no-store"}
        )
    return await _page(request, i18n, me, session, token={"name": issued[0], "token": issued[1]})
