"""The desk, put on the application in one call from ``create_app``."""

from __future__ import annotations

from aiohttp import web

from intake.web.desk import accounts, item, queue, signin


def install(app: web.Application) -> None:
    for module in (signin, queue, item, accounts):
        app.add_routes(module.routes)
