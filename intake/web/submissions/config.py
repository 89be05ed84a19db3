"""``GET /api/v1/config``: what a client may send, to check before it sends 400 MB."""

from __future__ import annotations

from aiohttp import web
from pydantic import NonNegativeInt

from intake.core.settings import Settings
from intake.media.types import KNOWN_TYPES, MediaKind
from intake.submissions.fields import TEXT_FIELDS
from intake.uploads.chunks import CHECKSUM_ALGORITHMS
from intake.web.keys import SETTINGS, UPLOADS
from intake.web.models import Answer, AtLeastOne, UriReference, json_answer
from intake.web.submissions.models import UPLOADS_URL
from intake.web.uploads.tus_headers import TUS_VERSION

routes = web.RouteTableDef()


class MediaTypeInfo(Answer):
    media_type: str
    extensions: list[str]
    label: str


class AcceptedTypes(Answer):
    photo: list[MediaTypeInfo]
    video: list[MediaTypeInfo]


class FieldMaxChars(Answer):
    """The most characters of each text field."""

    name: AtLeastOne
    email: AtLeastOne
    phone: AtLeastOne
    title: AtLeastOne
    story: AtLeastOne
    location: AtLeastOne


class ConfigLimits(Answer):
    photo_max_bytes: NonNegativeInt
    video_max_bytes: NonNegativeInt
    max_files: AtLeastOne
    max_total_bytes: NonNegativeInt
    field_max_chars: FieldMaxChars


class ConfigUploads(Answer):
    tus_endpoint: UriReference
    tus_version: str
    max_size: NonNegativeInt
    checksum_algorithms: list[str]
    expire_seconds: NonNegativeInt


class ConfigConsents(Answer):
    required: list[str]
    optional: list[str]
    terms_version: str


class Config(Answer):
    """What a client may send, for this deployment."""

    accepted_types: AcceptedTypes
    limits: ConfigLimits
    uploads: ConfigUploads
    consents: ConfigConsents
    locales: list[str]


def _types(settings: Settings) -> AcceptedTypes:
    kinds: dict[str, list[MediaTypeInfo]] = {kind.value: [] for kind in MediaKind}
    for mime in settings.media.accepted_types:
        known = KNOWN_TYPES[mime]
        info = MediaTypeInfo(media_type=mime, extensions=list(known.extensions), label=known.label)
        kinds[known.kind.value].append(info)
    return AcceptedTypes(**kinds)


def client_config(settings: Settings, tus_max_size: int) -> Config:
    limits = settings.limits
    most = dict.fromkeys(TEXT_FIELDS, limits.field_max_chars) | {"story": limits.story_max_chars}
    return Config(
        accepted_types=_types(settings),
        limits=ConfigLimits(
            photo_max_bytes=limits.photo_max_bytes,
            video_max_bytes=limits.video_max_bytes,
            max_files=limits.max_files,
            max_total_bytes=limits.max_total_bytes,
            field_max_chars=FieldMaxChars(**most),
        ),
        uploads=ConfigUploads(
            tus_endpoint=UPLOADS_URL,
            tus_version=TUS_VERSION,
            max_size=tus_max_size,
            checksum_algorithms=list(CHECKSUM_ALGORITHMS),
            expire_seconds=settings.uploads.expire_seconds,
        ),
        consents=ConfigConsents(
            required=["consent_terms"],
            optional=["consent_contact"],
            terms_version=settings.submissions.terms_version,
        ),
        locales=list(settings.submissions.locales),
    )


@routes.get("/api/v1/config")
async def get_config(request: web.Request) -> web.Response:
    body = client_config(request.app[SETTINGS], request.app[UPLOADS].max_size)
    return json_answer(body, headers={"Cache-Control": "public, max-age=300"})
