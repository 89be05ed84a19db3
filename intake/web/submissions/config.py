"""``GET /api/v1/config``: what a client may send, to check before it sends 400 MB."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from intake.core.settings import Settings
from intake.media.types import KNOWN_TYPES, MediaKind
from intake.submissions.fields import TEXT_FIELDS
from intake.uploads.chunks import CHECKSUM_ALGORITHMS
from intake.web.keys import SETTINGS, UPLOADS
from intake.web.uploads.tus_headers import TUS_VERSION

routes = web.RouteTableDef()


def _types(settings: Settings) -> dict[str, list[dict[str, Any]]]:
    kinds: dict[str, list[dict[str, Any]]] = {kind.value: [] for kind in MediaKind}
    for mime in settings.media.accepted_types:
        media_type = KNOWN_TYPES[mime]
        kinds[media_type.kind.value].append(
            {"media_type": mime, "extensions": list(media_type.extensions),
             "label": media_type.label}
        )  # fmt: skip
    return kinds


def client_config(settings: Settings, tus_max_size: int) -> dict[str, Any]:
    limits = settings.limits
    return {
        "accepted_types": _types(settings),
        "limits": {
            "photo_max_bytes": limits.photo_max_bytes,
            "video_max_bytes": limits.video_max_bytes,
            "max_files": limits.max_files,
            "max_total_bytes": limits.max_total_bytes,
            "field_max_chars": {
                name: limits.story_max_chars if name == "story" else limits.field_max_chars
                for name in TEXT_FIELDS
            },
        },
        "uploads": {
            "tus_endpoint": "/api/v1/uploads",
            "tus_version": TUS_VERSION,
            "max_size": tus_max_size,
            "checksum_algorithms": list(CHECKSUM_ALGORITHMS),
            "expire_seconds": settings.uploads.expire_seconds,
        },
        "consents": {
            "required": ["consent_terms"],
            "optional": ["consent_contact"],
            "terms_version": settings.submissions.terms_version,
        },
        "locales": list(settings.submissions.locales),
    }


@routes.get("/api/v1/config")
async def get_config(request: web.Request) -> web.Response:
    body = client_config(request.app[SETTINGS], request.app[UPLOADS].max_size)
    return web.json_response(body, headers={"Cache-Control": "public, max-age=300"})
