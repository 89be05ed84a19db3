"""``/metrics``: request durations, refusals and uploads per door, measured by a
middleware, served on a listener of its own (``operations.metrics_listen``) and, only
with ``operations.metrics_token``, on the public port to a bearer of that token.

Requests are labelled by route pattern (``/api/v1/uploads/…``), never their path; a
refusal by its problem type; an upload by its door (``multipart``, ``tus``, ``form``).
"""

from __future__ import annotations

import contextlib
import hmac
import logging
import time
from collections.abc import AsyncIterator, Iterable

from aiohttp import web
from aiohttp.typedefs import Handler
from aiohttp.web_request import BaseRequest
from prometheus_client.core import GaugeMetricFamily, Metric

from intake.core.errors import NotFound
from intake.core.metrics import CONTENT_TYPE, DOORS, Metrics
from intake.web.keys import OBSERVED, SETTINGS
from intake.web.media_types import media_type
from intake.web.problems import PROBLEM_TYPE
from intake.web.request_ids import logged_route
from intake.wiring.observing import Observed

log = logging.getLogger(__name__)
_MULTIPART = "multipart/form-data"


def door_of(request: web.Request, route: str) -> str | None:
    """The door an upload request comes in by, or None for any other request."""
    method = request.method
    if route.startswith("/api/v1/uploads"):
        return "tus" if method in ("PATCH", "POST") and request.body_exists else None
    if method != "POST":
        return None
    if route == "/api/v1/submissions" and media_type(request) == _MULTIPART:
        return "multipart"
    if route.endswith("/submit") and not route.startswith("/api/"):
        return "form"
    return None


class InFlight:
    """Upload requests being received, for the bytes-in-flight gauge."""

    def __init__(self) -> None:
        self.requests: dict[str, dict[int, BaseRequest]] = {door: {} for door in DOORS}

    def collect(self) -> Iterable[Metric]:
        family = GaugeMetricFamily(
            "intake_upload_bytes_in_flight",
            "Body bytes received so far by upload requests still being received, by door.",
            labels=["door"],
        )
        for door, requests in self.requests.items():
            family.add_metric([door], sum(r.content.total_bytes for r in requests.values()))
        yield family


_IN_FLIGHT = web.AppKey("uploads_in_flight", InFlight)


def _outcome(status: int) -> str:
    return "accepted" if status < 400 else "refused" if status < 500 else "failed"


def _record(metrics: Metrics, request: web.Request, route: str, status: int, took: float) -> None:
    metrics.request_seconds.labels(request.method, route, f"{status // 100}xx").observe(took)
    if status >= 400:
        metrics.refusals.labels(request.get(PROBLEM_TYPE, "other"), str(status)).inc()


@web.middleware
async def metrics_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    metrics = request.app[OBSERVED].metrics
    route = logged_route(request)
    door = door_of(request, route)
    started, status = time.perf_counter(), 500
    in_flight = request.app[_IN_FLIGHT].requests
    if door is not None:
        in_flight[door][id(request)] = request
        metrics.uploads_in_flight.labels(door).inc()
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        _record(metrics, request, route, status, time.perf_counter() - started)
        if door is not None:
            in_flight[door].pop(id(request), None)
            metrics.uploads_in_flight.labels(door).dec()
            metrics.upload_requests.labels(door, _outcome(status)).inc()
            metrics.upload_bytes.labels(door).inc(request.content.total_bytes)


async def _scraped(observed: Observed) -> web.Response:
    body = await observed.scrape()
    response = web.Response(body=body)
    response.headers["Content-Type"] = CONTENT_TYPE
    response.headers["Cache-Control"] = "no-store"
    return response


async def public_metrics(request: web.Request) -> web.Response:
    """GET /metrics on the public port: only to a bearer of ``operations.metrics_token``."""
    token = request.app[SETTINGS].operations.metrics_token
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not token or not hmac.compare_digest(given.encode(), token.encode()):
        raise NotFound("There is nothing at this address; check the URL.")
    return await _scraped(request.app[OBSERVED])


def install(app: web.Application) -> None:
    """The middleware's state, and ``/metrics`` on the public port (404 unless a token
    is set; the listener of its own is run by :func:`intake.web.serving.serve`)."""
    in_flight = InFlight()
    app[_IN_FLIGHT] = in_flight
    app[OBSERVED].metrics.read(in_flight.collect)
    app.router.add_get("/metrics", public_metrics)


@contextlib.asynccontextmanager
async def metrics_listener(observed: Observed, listen: str) -> AsyncIterator[int | None]:
    """Serve ``/metrics`` alone on ``listen`` (``host:port``; empty: nowhere). A port
    another process holds is logged and the process goes on without it. Yields the
    port listened on."""
    if not listen:
        yield None
        return
    host, _, port = listen.rpartition(":")

    async def scrape(_request: web.Request) -> web.Response:
        return await _scraped(observed)

    app = web.Application()
    app.router.add_get("/metrics", scrape)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host.strip("[]"), int(port))
        try:
            await site.start()
        except OSError as exc:
            log.warning("metrics: cannot listen on %s (%s); /metrics is not served", listen, exc)
            yield None
            return
        bound = runner.addresses[0][1] if runner.addresses else None
        log.info("metrics on http://%s:%s/metrics", host, bound)
        yield bound
    finally:
        await runner.cleanup()
