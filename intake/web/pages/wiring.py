"""The reader's pages, put on the application in one call from ``create_app``."""

from __future__ import annotations

from aiohttp import web

from intake.web.keys import SETTINGS, TEMPLATES
from intake.web.pages import reader, static, status
from intake.web.pages.limits import Limits
from intake.web.pages.render import LIMITS, SCRIPT_TEXTS
from intake.web.pages.scripts import ScriptTexts
from intake.web.pages.static import STATIC, StaticFiles


def install(app: web.Application) -> None:
    """Routes of the form, receipt, status and privacy pages and their static files."""
    limits = app[LIMITS] = Limits.from_settings(app[SETTINGS])
    app[SCRIPT_TEXTS] = ScriptTexts(app[TEMPLATES].catalogs, limits)
    app[STATIC] = StaticFiles()
    app.add_routes(reader.routes)
    app.add_routes(status.routes)
    app.add_routes(static.routes)
