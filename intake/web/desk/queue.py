"""``/moderate``: the queue at a glance (counts per state, the oldest waiting and for how
long), a search with filters, the moderator's own recent decisions, and the way to the
next submission (``n``, or the Next button: a plain form that scripts enhance)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from intake.media.types import MediaKind
from intake.moderation.ports import QueueFilter, SubmissionQuery
from intake.moderation.records import Moderator, Role
from intake.submissions.records import FlagKind, SubmissionState
from intake.web.desk.render import desk_link, desk_page, render_desk
from intake.web.desk.session import CSRF_FIELD, desk_moderator
from intake.web.desk.views import Describer
from intake.web.desk.words import CREDENTIALS, DECISIONS, FLAGS, KINDS, REASONS, STATES, words
from intake.web.i18n import LANGUAGE_NAMES, Localizer
from intake.web.keys import CLOCK, MODERATION, MODERATION_LOOK, SETTINGS
from intake.web.pages.render import LOCALE

routes = web.RouteTableDef()
SHOWN_STATES = (
    SubmissionState.PROCESSING,
    SubmissionState.PENDING_REVIEW,
    SubmissionState.IN_REVIEW,
    SubmissionState.ESCALATED,
    SubmissionState.APPROVED,
    SubmissionState.REJECTED,
    SubmissionState.FAILED,
)
PAGE = 25
MAX_SKIPPED = 50


def _one_of(value: str, allowed: tuple[str, ...]) -> str:
    return value if value in allowed else ""


def _date(value: str) -> dt.datetime | None:
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def filters_of(request: web.Request, values: Any) -> dict[str, str]:
    """The filters asked for, each dropped when not one the desk offers."""
    locales = request.app[SETTINGS].submissions.locales
    states = tuple(s.value for s in SHOWN_STATES)
    return {
        "kind": _one_of(str(values.get("kind", "")), tuple(k.value for k in MediaKind)),
        "language": _one_of(str(values.get("language", "")), tuple(locales)),
        "flag": _one_of(str(values.get("flag", "")), tuple(f.value for f in FlagKind)),
        "credentials": _one_of(str(values.get("credentials", "")), tuple(CREDENTIALS)),
        "state": _one_of(str(values.get("state", "")), states),
        "q": str(values.get("q", "")).strip()[:200],
        "from": str(values.get("from", ""))[:10] if _date(str(values.get("from", ""))) else "",
        "to": str(values.get("to", ""))[:10] if _date(str(values.get("to", ""))) else "",
    }


def _query(f: dict[str, str]) -> SubmissionQuery:
    to = _date(f["to"])
    return SubmissionQuery(
        states=(SubmissionState(f["state"]),) if f["state"] else (),
        kind=f["kind"],
        locale=f["language"],
        flag=f["flag"],
        credentials=f["credentials"],
        created_from=_date(f["from"]),
        created_to=to + dt.timedelta(days=1) if to else None,
        text=f["q"],
        limit=PAGE,
    )


async def _glance(request: web.Request, i18n: Localizer, me: Moderator) -> dict[str, Any]:
    look = request.app[MODERATION_LOOK]
    stats = await look.stats(me, 24)
    now = request.app[CLOCK]()
    senior = me.role.at_least(Role.SENIOR)
    counts = [
        (s.value, words(i18n, STATES, s.value), i18n.number(stats.depth.get(s, 0)))
        for s in SHOWN_STATES
        if senior or s is not SubmissionState.ESCALATED
    ]
    oldest = [
        (words(i18n, STATES, state.value), i18n.duration((now - at).total_seconds()))
        for state, at in sorted(stats.oldest_waiting.items())
    ]
    return {"counts": counts, "oldest": oldest}


@routes.get("/moderate")
@routes.get(f"/{LOCALE}/moderate")
@desk_page
async def queue_page(request: web.Request, i18n: Localizer) -> web.Response:
    me, session = await desk_moderator(request)
    look = request.app[MODERATION_LOOK]
    asked = filters_of(request, request.query)
    describe = Describer(
        i18n,
        ZoneInfo(request.app[SETTINGS].submissions.timezone),
        lambda path: desk_link(i18n, path),
    )
    searched = any(asked.values())
    found = (await look.search(me, _query(asked))).submissions if searched else []
    now = request.app[CLOCK]()
    results = [
        {
            "id": s.id,
            "reference": s.reference,
            "title": s.details.title,
            "state": words(i18n, STATES, s.waiting_state(now).value),
            "received": describe.when(s.created_at),
        }
        for s in found
    ]
    mine = [
        {
            "id": s.id,
            "reference": s.reference,
            "at": describe.when(a.at),
            "decision": words(i18n, DECISIONS, str(a.detail.get("decision", ""))),
            "reason": words(i18n, REASONS, str(a.detail.get("reason", ""))),
        }
        for a, s in await look.recent_decisions(me, 10)
    ]
    return render_desk(
        request,
        i18n,
        "queue.html",
        me=me,
        session=session,
        filters=asked,
        searched=searched,
        results=results,
        mine=mine,
        empty=request.query.get("empty") == "1",
        kinds=[(k.value, words(i18n, KINDS, k.value)) for k in MediaKind],
        locales=[(t, LANGUAGE_NAMES.get(t, t)) for t in request.app[SETTINGS].submissions.locales],
        flags=[(f.value, words(i18n, FLAGS, f.value)) for f in FlagKind],
        credentials=[(c, words(i18n, CREDENTIALS, c)) for c in CREDENTIALS],
        states=[(s.value, words(i18n, STATES, s.value)) for s in SHOWN_STATES],
        **await _glance(request, i18n, me),
    )


def skipped(values: Any) -> tuple[str, ...]:
    """The ids a moderator skipped this shift (``skip``: comma-separated), at most 50."""
    ids = [i.strip() for i in str(values.get("skip", "")).split(",") if i.strip()]
    return tuple(i[:36] for i in ids[:MAX_SKIPPED])


@routes.post(f"/{LOCALE}/moderate/next")
@desk_page
async def claim_next(request: web.Request, i18n: Localizer) -> web.Response:
    """The next submission, claimed: its page, or the queue saying nothing waits."""
    form = await request.post()
    me, _ = await desk_moderator(request, csrf=str(form.get(CSRF_FIELD, "")))
    f = filters_of(request, form)
    claimed = await request.app[MODERATION].claim(
        me,
        QueueFilter(
            kind=f["kind"],
            locale=f["language"],
            flag=f["flag"],
            credentials=f["credentials"],
            skip=skipped(form),
        ),
    )
    where = desk_link(i18n, f"/items/{claimed.id}") if claimed else desk_link(i18n, "?empty=1")
    return web.Response(status=303, headers={"Location": where, "Cache-Control": "no-store"})
