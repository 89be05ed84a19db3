"""``/healthz`` (the process answers) and ``/readyz`` (its S3 and database answer)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Literal

from aiohttp import web

from intake.core.errors import IntakeError
from intake.web.keys import DRAINING, OBJECT_STORE, REPOSITORY
from intake.web.models import Answer, json_answer
from intake.web.problems import PROBLEM_JSON

routes = web.RouteTableDef()
CHECK_SECONDS = 3.0


class Health(Answer):
    status: Literal["ok"]


class ReadyChecks(Answer):
    """not-ready and GET /readyz: each dependency's answer."""

    object_store: str
    """`ok`, `timeout` or what failed."""
    database: str
    """`ok`, `timeout` or what failed."""


class Ready(Answer):
    status: Literal["ready"]
    checks: ReadyChecks


@routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    return json_answer(Health(status="ok"))


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
    if request.app[DRAINING].active:
        return _not_ready("This node is shutting down; send requests to another node.", None)
    storage, database = await asyncio.gather(
        _check(request.app[OBJECT_STORE].ping()), _check(request.app[REPOSITORY].ping())
    )
    checks = ReadyChecks(object_store=storage, database=database)
    if storage == database == "ok":
        return json_answer(Ready(status="ready", checks=checks))
    return _not_ready("A dependency does not answer.", checks)


def _not_ready(detail: str, checks: ReadyChecks | None) -> web.Response:
    body: dict[str, object] = {
        "type": "/problems/not-ready",
        "title": "Not ready",
        "status": 503,
        "detail": detail,
    }
    if checks is not None:
        body["checks"] = checks.model_dump()
    return web.json_response(
        body, status=503, content_type=PROBLEM_JSON, headers={"Cache-Control": "no-store"}
    )
