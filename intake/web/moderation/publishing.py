"""``POST /api/v1/moderation/submissions/{id}/publish``: an approved submission's public
copies published unsealed, under names that say nothing (:mod:`intake.moderation.publishing`)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from aiohttp import web
from pydantic import BaseModel, Field

from intake.keys.ports import PublishedCopy
from intake.web.keys import CLOCK, PUBLISHER, SETTINGS
from intake.web.models import Answer, Uuid, json_answer
from intake.web.moderation.auth import moderator

routes = web.RouteTableDef()
BASE = "/api/v1/moderation"
Url = Annotated[str, Field(json_schema_extra={"format": "uri"})]


class PublishedFile(Answer):
    file_id: Uuid
    key: str
    """Where it lies in the bucket, unsealed: `published/<random>.<ext>`."""
    url: Url
    """A link that lets its holder GET it until `links_expire_at`."""
    published_at: dt.datetime
    published_by: str


class PublishedCopies(Answer):
    submission_id: Uuid
    copies: list[PublishedFile]
    """Every public copy published of its files, oldest first."""
    links_expire_at: dt.datetime


ANSWERS: tuple[type[BaseModel], ...] = (PublishedCopies,)


@routes.post(BASE + "/submissions/{submission_id}/publish")
async def publish(request: web.Request) -> web.Response:
    me = await moderator(request)
    publisher = request.app[PUBLISHER]
    submission_id = request.match_info["submission_id"]
    copies = await publisher.publish(me, submission_id)
    seconds = request.app[SETTINGS].s3.presign_seconds

    async def described(copy: PublishedCopy) -> PublishedFile:
        return PublishedFile(
            file_id=copy.file_id,
            key=copy.object_key,
            url=await publisher.link(copy, seconds),
            published_at=copy.published_at,
            published_by=copy.published_by,
        )

    answer = PublishedCopies(
        submission_id=submission_id,
        copies=[await described(c) for c in copies],
        links_expire_at=request.app[CLOCK]() + dt.timedelta(seconds=seconds),
    )
    return json_answer(answer, headers={"Cache-Control": "no-store"})
