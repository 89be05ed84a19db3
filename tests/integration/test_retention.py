"""Retention, on an injected clock: the janitor erases and forgets drafts, rejected and
failed submissions once their time is up, forgets withdrawn stubs after theirs, empties
old audit details; approved submissions stay; the audit log keeps who did what, when."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import aiohttp
from sqlalchemy import func, select

from intake.adapters.db.schema import audit_log, files, submissions, uploads
from intake.adapters.s3 import S3ObjectStore
from intake.web.keys import REPOSITORIES, SETTINGS, WORKER
from intake.wiring.janitor import Janitor
from intake.wiring.services import open_services
from tests import media
from tests.clocks import ShiftedClock
from tests.integration.serving import JPEG_HEAD
from tests.moderation_helpers import auth, moderator_token
from tests.tus_helpers import create_url, new_draft, patch_ok, tail_rows, upload_id

DAY = 86_400
MODERATION = "/api/v1/moderation"


async def _sent(client: Any, data: bytes) -> dict[str, Any]:
    form = aiohttp.FormData()
    form.add_field("consent_terms", "true")
    form.add_field("name", "Zarmina")
    form.add_field("files", data, filename="p.jpg", content_type="image/jpeg")
    response = await client.post("/api/v1/submissions", data=form)
    assert response.status == 201
    sent: dict[str, Any] = await response.json()
    return sent


async def _decide(client: Any, token: str, decision: str) -> str:
    claimed = await (await client.post(f"{MODERATION}/claim", headers=auth(token))).json()
    body = {"decision": decision, "reason": "other", "note": "spoke to her cousin"}
    url = f"{MODERATION}/submissions/{claimed['id']}/decision"
    assert (await client.post(url, headers=auth(token), json=body)).status == 200
    return str(claimed["id"])


async def _made(client: Any) -> dict[str, str]:
    """One submission in each state retention looks at, and one it leaves alone."""
    draft = await new_draft(client, name="Zarmina")
    url = await create_url(client, draft["submitter_token"], 3 * 1024 * 1024)
    await patch_ok(client, url, draft["submitter_token"], 0, media.mp4_h264()[:4096])
    first, second = (
        await _sent(client, media.jpeg_with_exif()),
        await _sent(client, media.png_image()),
    )
    failed = await _sent(client, JPEG_HEAD + os.urandom(3000))
    withdrawn = await _sent(client, media.jpeg_with_exif())
    await client.server.app[WORKER].run_until_idle()
    token = await moderator_token(client.server.app, "amina")
    decided = {await _decide(client, token, d): d for d in ("reject", "approve")}
    assert set(decided) == {first["id"], second["id"]}
    by_decision = {d: i for i, d in decided.items()}
    auth_withdrawn = auth(withdrawn["submitter_token"])
    assert (
        await client.delete(f"/api/v1/submissions/{withdrawn['id']}", headers=auth_withdrawn)
    ).status == 204
    return {"draft": draft["id"], "rejected": by_decision["reject"],
            "approved": by_decision["approve"], "failed": failed["id"],
            "withdrawn": withdrawn["id"], "upload": upload_id(url)}  # fmt: skip


async def _rows(client: Any) -> dict[str, str]:
    async with client.server.app[REPOSITORIES].engine.connect() as conn:
        rows = await conn.execute(select(submissions.c.id, submissions.c.state))
        return {row.id: row.state for row in rows}


async def test_the_janitor_purges_what_was_kept_long_enough(
    make_client: Callable[..., Any], s3_store: S3ObjectStore
) -> None:
    clock = ShiftedClock()
    client = await make_client(clock=clock)
    made = await _made(client)
    upload = made.pop("upload")
    assert await tail_rows(client.server.app, upload), "the draft's upload keeps its tail"
    ids = {i: name for name, i in made.items()}
    app = client.server.app
    prefixes = {name: (await app[REPOSITORIES].submissions.get_submission(i)).prefix
                for name, i in made.items()}  # fmt: skip

    async def sweep_after(days: int) -> set[str]:
        clock.advance(days * DAY)
        settings = app[SETTINGS]
        async with open_services(settings, s3_store, app[REPOSITORIES], clock) as services:
            await Janitor(settings, services, clock).sweep()
        return {ids[i] for i in await _rows(client)}

    assert await sweep_after(6) == set(made)
    assert await sweep_after(2) == {"rejected", "approved", "withdrawn"}  # drafts, failed: 7 d
    assert await sweep_after(23) == {"approved"}  # rejected, withdrawn: 30 days
    for name in ("draft", "failed", "rejected", "withdrawn"):
        assert await s3_store.list_keys(prefixes[name]) == [], name
    assert await s3_store.list_keys(f"incoming/{upload}/") == []
    assert await tail_rows(client.server.app, upload) == []
    assert await s3_store.list_keys(prefixes["approved"])

    async with app[REPOSITORIES].engine.connect() as conn:
        left = (await conn.execute(select(func.count()).select_from(files))).scalar()
        upload_rows = (await conn.execute(select(func.count()).select_from(uploads))).scalar()
        trail = (await conn.execute(select(audit_log).order_by(audit_log.c.id))).all()
    assert (left, upload_rows) == (1, 0)
    purged = {row.submission_id for row in trail if row.action == "purged"}
    assert purged == {made["draft"], made["failed"], made["rejected"]}
    assert all(row.actor == "retention" for row in trail if row.action in ("purged", "forgotten"))
    forgotten = {row.submission_id for row in trail if row.action == "forgotten"}
    assert forgotten == {made[n] for n in ("draft", "failed", "rejected", "withdrawn")}

    await sweep_after(335)  # a year after the decisions: details and notes go, entries stay
    trail = await app[REPOSITORIES].submissions.audit_trail(made["approved"])
    assert [a.action for a in trail][-1] == "decided"
    assert all(a.detail == {} for a in trail)
    assert await app[REPOSITORIES].submissions.get_submission(made["approved"]) is not None


async def test_zero_days_keeps_everything(
    make_client: Callable[..., Any], s3_store: S3ObjectStore
) -> None:
    clock = ShiftedClock()
    keep = {f"retention_{k}_days": "0" for k in ("draft", "rejected", "failed", "withdrawn",
                                                  "audit_detail")}  # fmt: skip
    client = await make_client(clock=clock, **keep)
    made = await _made(client)
    made.pop("upload")
    clock.advance(3650 * DAY)
    app = client.server.app
    async with open_services(app[SETTINGS], s3_store, app[REPOSITORIES], clock) as services:
        assert await Janitor(app[SETTINGS], services, clock).sweep() == (1, 0)
    assert set(await _rows(client)) == set(made.values())
