"""``/moderate/items/{id}``: one submission in full, with its lease and decision controls
when the moderator holds it; and the release a leaving page sends (``sendBeacon``)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiohttp import web

from intake.web.desk.render import desk_link, desk_page, render_desk
from intake.web.desk.session import CSRF_FIELD, desk_moderator
from intake.web.desk.views import Describer
from intake.web.desk.words import DECISIONS, REASONS, words
from intake.web.i18n import Localizer
from intake.web.keys import CLOCK, MODERATION, MODERATION_LOOK, SETTINGS
from intake.web.pages.render import LOCALE

routes = web.RouteTableDef()


@routes.get("/moderate/items/{submission_id}")
@routes.get(f"/{LOCALE}/moderate/items/{{submission_id}}")
@desk_page
async def item_page(request: web.Request, i18n: Localizer) -> web.Response:
    me, session = await desk_moderator(request)
    submission_id = request.match_info["submission_id"]
    detail = await request.app[MODERATION_LOOK].detail(me, submission_id)
    settings = request.app[SETTINGS]
    describe = Describer(
        i18n, ZoneInfo(settings.submissions.timezone), lambda path: desk_link(i18n, path)
    )
    now = request.app[CLOCK]()
    item = describe.item(detail, me, now)
    reasons = [(code, words(i18n, REASONS, code)) for code in settings.moderation.reasons]
    decisions = [(code, words(i18n, DECISIONS, code)) for code in DECISIONS]
    return render_desk(
        request,
        i18n,
        "item.html",
        path=f"/items/{submission_id}",
        me=me,
        session=session,
        item=item,
        reasons=reasons,
        decisions=decisions,
        now=now.isoformat(),
        lease_seconds=settings.moderation.lease_seconds,
    )


@routes.post(f"/{LOCALE}/moderate/items/{{submission_id}}/release")
@desk_page
async def release(request: web.Request, i18n: Localizer) -> web.Response:
    """Give the submission back to the queue (the page is left or the item skipped)."""
    form = await request.post()
    me, _ = await desk_moderator(request, csrf=str(form.get(CSRF_FIELD, "")))
    await request.app[MODERATION].release(me, request.match_info["submission_id"])
    return web.Response(status=204, headers={"Cache-Control": "no-store"})
