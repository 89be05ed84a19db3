"""``/api/v1/moderation``: claim, lease, decide, and look at the queue."""

from __future__ import annotations

import datetime as dt

from aiohttp import web

from intake.core.errors import ValidationFailed
from intake.media.types import MediaKind
from intake.moderation.look import SubmissionDetail, decode_cursor
from intake.moderation.ports import QueueFilter, SubmissionQuery
from intake.moderation.records import Moderator
from intake.submissions.records import FlagKind, SubmissionState
from intake.web.keys import CLOCK, MODERATION, MODERATION_LOOK, SETTINGS, TEMPLATES
from intake.web.models import json_answer, read_body
from intake.web.moderation.auth import moderator
from intake.web.moderation.models import (
    Decision,
    ModerationSubmissionDetail,
    QueueStats,
    SubmissionPage,
)
from intake.web.moderation.verification import CREDENTIAL_STATUSES

routes = web.RouteTableDef()
BASE = "/api/v1/moderation"
MAX_PAGE = 200
MAX_SKIPPED = 50
MAX_STATS_HOURS = 24 * 31
NO_STORE = {"Cache-Control": "no-store"}


def _invalid(field: str, detail: str) -> ValidationFailed:
    return ValidationFailed([{"field": field, "code": "invalid", "detail": detail}])


def _choice(request: web.Request, name: str, allowed: tuple[str, ...]) -> str:
    value = request.query.get(name, "")
    if value and value not in allowed:
        raise _invalid(name, "Use one of: " + ", ".join(allowed))
    return value


def _time(request: web.Request, name: str) -> dt.datetime | None:
    value = request.query.get(name)
    if not value:
        return None
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _invalid(name, "Use an ISO 8601 date or time, e.g. 2026-11-28.") from None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _int(request: web.Request, name: str, default: int, top: int) -> int:
    value = request.query.get(name, "")
    if not value:
        return default
    if not value.isdigit() or not 1 <= int(value) <= top:
        raise _invalid(name, f"Use a whole number from 1 to {top}.")
    return int(value)


def _states(request: web.Request) -> tuple[SubmissionState, ...]:
    names = [n for v in request.query.getall("state", []) for n in v.split(",") if n]
    try:
        return tuple(SubmissionState(n) for n in names)
    except ValueError:
        raise _invalid("state", "Use states such as pending_review, escalated.") from None


FLAGS = tuple(k.value for k in FlagKind)


def _skipped(request: web.Request) -> tuple[str, ...]:
    ids = [i.strip() for i in request.query.get("skip", "").split(",") if i.strip()]
    if len(ids) > MAX_SKIPPED or any(len(i) > 36 for i in ids):
        raise _invalid("skip", f"Give at most {MAX_SKIPPED} submission ids.")
    return tuple(ids)


def _filters(request: web.Request) -> QueueFilter:
    kinds = tuple(k.value for k in MediaKind)
    locales = request.app[SETTINGS].submissions.locales
    return QueueFilter(
        kind=_choice(request, "kind", kinds), locale=_choice(request, "locale", locales),
        flag=_choice(request, "flag", FLAGS),
        credentials=_choice(request, "credentials", CREDENTIAL_STATUSES),
        skip=_skipped(request),
    )  # fmt: skip


def _detail_answer(request: web.Request, detail: SubmissionDetail, me: Moderator) -> web.Response:
    catalogs = request.app[TEMPLATES].catalogs
    language = catalogs.from_accept_language(request.headers.get("Accept-Language", ""))
    localizer = catalogs.get(language or catalogs.default)
    answer = ModerationSubmissionDetail.of_detail(detail, request.app[CLOCK](), me, localizer)
    return json_answer(answer, headers=NO_STORE)


@routes.post(f"{BASE}/claim")
async def claim(request: web.Request) -> web.Response:
    me = await moderator(request)
    filters = _filters(request)
    claimed = await request.app[MODERATION].claim(me, filters)
    if claimed is None:
        return web.Response(status=204, headers=NO_STORE)
    detail = await request.app[MODERATION_LOOK].describe(claimed)
    return _detail_answer(request, detail, me)


@routes.post(BASE + "/submissions/{submission_id}/lease")
async def renew_lease(request: web.Request) -> web.Response:
    me = await moderator(request)
    renewed = await request.app[MODERATION].renew(me, request.match_info["submission_id"])
    detail = await request.app[MODERATION_LOOK].describe(renewed)
    return _detail_answer(request, detail, me)


@routes.delete(BASE + "/submissions/{submission_id}/lease")
async def release_lease(request: web.Request) -> web.Response:
    me = await moderator(request)
    await request.app[MODERATION].release(me, request.match_info["submission_id"])
    return web.Response(status=204)


@routes.post(BASE + "/submissions/{submission_id}/decision")
async def decide(request: web.Request) -> web.Response:
    me = await moderator(request)
    body = await read_body(request, Decision)
    decided = await request.app[MODERATION].decide(
        me, request.match_info["submission_id"], body.decision, body.reason, body.note or ""
    )
    detail = await request.app[MODERATION_LOOK].describe(decided)
    return _detail_answer(request, detail, me)


@routes.get(BASE + "/submissions")
async def list_submissions(request: web.Request) -> web.Response:
    me = await moderator(request)
    cursor = request.query.get("cursor")
    query = SubmissionQuery(
        states=_states(request),
        kind=_choice(request, "kind", tuple(k.value for k in MediaKind)),
        locale=_choice(request, "locale", request.app[SETTINGS].submissions.locales),
        created_from=_time(request, "from"),
        created_to=_time(request, "to"),
        text=request.query.get("q", "").strip()[:200],
        flag=_choice(request, "flag", FLAGS),
        credentials=_choice(request, "credentials", CREDENTIAL_STATUSES),
        after=decode_cursor(cursor) if cursor else None,
        limit=_int(request, "limit", 50, MAX_PAGE),
    )
    page = await request.app[MODERATION_LOOK].search(me, query)
    return json_answer(SubmissionPage.of(page, request.app[CLOCK](), me), headers=NO_STORE)


@routes.get(BASE + "/submissions/{submission_id}")
async def get_submission(request: web.Request) -> web.Response:
    me = await moderator(request)
    detail = await request.app[MODERATION_LOOK].detail(me, request.match_info["submission_id"])
    return _detail_answer(request, detail, me)


@routes.get(BASE + "/stats")
async def stats(request: web.Request) -> web.Response:
    me = await moderator(request)
    hours = _int(request, "hours", 24, MAX_STATS_HOURS)
    figures = await request.app[MODERATION_LOOK].stats(me, hours)
    return json_answer(QueueStats.of(figures), headers=NO_STORE)
