"""``/healthz`` (the process answers) and ``/readyz`` (its S3 and database answer)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

from aiohttp import web

from intake.core.errors import IntakeError
from intake.web.keys import OBJECT_STORE, REPOSITORY
from intake.web.problems import PROBLEM_JSON

routes = web.RouteTableDef()
CHECK_SECONDS = 3.0


@routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def _check(probe: Awaitable[None]) -> str:
    try:
        await asyncio.wait_for(probe, CHECK_SECONDS)
    except TimeoutError:
        return "timeout"
    except IntakeError as exc:
        return exc.detail
    return "ok"


@routes.get("/readyz")
async def readyz(request: web.Request) -> web.Response:
    storage, database = await asyncio.gather(
        _check(request.app[OBJECT_STORE].ping()), _check(request.app[REPOSITORY].ping())
    )
    checks = {"object_store": storage, "database": database}
    if storage == database == "ok":
        return web.json_response({"status": "ready", "checks": checks})
    body = {
        "type": "/problems/not-ready",
        "title": "Not ready",
        "status": 503,
        "detail": "A dependency does not answer.",
        "checks": checks,
    }
    return web.json_response(body, status=503, content_type=PROBLEM_JSON)
