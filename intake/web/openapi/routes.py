"""``GET /api/v1/openapi.json`` and ``GET /api/docs``: the document and its page, built
for the app on the first request of either, then served from the app."""

from __future__ import annotations

import json
from dataclasses import dataclass

from aiohttp import web

from intake.web.keys import SETTINGS, TEMPLATES, UPLOADS
from intake.web.openapi.document import openapi_document
from intake.web.openapi.page import docs_page
from intake.web.openapi.submission_paths import DOCS_PATH, OPENAPI_PATH

routes = web.RouteTableDef()


@dataclass
class ApiDocs:
    """The app's document as JSON bytes and as a page; empty until first asked for."""

    document: bytes = b""
    page: str = ""


API_DOCS = web.AppKey("api_docs", ApiDocs)


def setup(app: web.Application) -> None:
    app[API_DOCS] = ApiDocs()
    app.add_routes(routes)


def _built(app: web.Application) -> ApiDocs:
    docs = app[API_DOCS]
    if not docs.document:
        document = openapi_document(app[SETTINGS], app[UPLOADS].max_size)
        page = docs_page(document)
        docs.page = app[TEMPLATES].render("api_docs.html", page=page, openapi_path=OPENAPI_PATH)
        docs.document = json.dumps(document, ensure_ascii=False).encode()
    return docs


@routes.get(OPENAPI_PATH)
async def get_openapi(request: web.Request) -> web.Response:
    return web.Response(
        body=_built(request.app).document,
        content_type="application/json",
        headers={"Cache-Control": "public, max-age=300"},
    )


@routes.get(DOCS_PATH)
async def api_docs(request: web.Request) -> web.Response:
    return web.Response(text=_built(request.app).page, content_type="text/html")
