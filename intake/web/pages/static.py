"""``/static/…``: the pages' stylesheets, scripts and font, served by intake itself.

Read once at start-up and held in memory (a few tens of KB), each with a content hash:
a URL that names the hash (``?v=…``, as the templates write them) is cached for a year,
any other is revalidated with its ETag. Text is sent gzip-compressed when the browser
takes it. No third party is ever asked for anything.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from intake.core.errors import NotFound

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".woff2": "font/woff2",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
}
_COMPRESSIBLE = (".css", ".js", ".txt", ".svg")
FOREVER = "public, max-age=31536000, immutable"
routes = web.RouteTableDef()


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes | None
    content_type: str
    version: str

    @property
    def etag(self) -> str:
        return f'"{self.version}"'


class StaticFiles:
    """Every file under ``root`` whose type is known, by its path relative to ``root``."""

    def __init__(self, root: Path = STATIC_DIR) -> None:
        self._assets: dict[str, Asset] = {}
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in TYPES:
                body = path.read_bytes()
                self._assets[path.relative_to(root).as_posix()] = Asset(
                    body,
                    gzip.compress(body, 9, mtime=0) if path.suffix in _COMPRESSIBLE else None,
                    TYPES[path.suffix],
                    hashlib.sha256(body).hexdigest()[:16],
                )

    def __contains__(self, name: str) -> bool:
        return name in self._assets

    def get(self, name: str) -> Asset | None:
        return self._assets.get(name)

    def url(self, name: str) -> str:
        """The URL of ``name`` with its version, for pages to link."""
        asset = self._assets.get(name)
        return f"/static/{name}?v={asset.version}" if asset else f"/static/{name}"


STATIC = web.AppKey("static_files", StaticFiles)


@routes.get("/static/{path:.+}")
async def static_file(request: web.Request) -> web.Response:
    asset = request.app[STATIC].get(request.match_info["path"])
    if asset is None:
        raise NotFound("There is no such file.")
    headers = {
        "ETag": asset.etag,
        "Cache-Control": FOREVER if request.query.get("v") == asset.version else "no-cache",
        "Vary": "Accept-Encoding",
    }
    if request.headers.get("If-None-Match") == asset.etag:
        return web.Response(status=304, headers=headers)
    body = asset.body
    if asset.gzipped is not None and "gzip" in request.headers.get("Accept-Encoding", ""):
        body, headers["Content-Encoding"] = asset.gzipped, "gzip"
    headers["Content-Type"] = asset.content_type
    return web.Response(body=body, headers=headers)
