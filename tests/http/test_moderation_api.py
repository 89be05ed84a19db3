"""The moderation API: who may call it, claims and leases, decisions, and looking."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from intake.adapters.s3 import S3ObjectStore
from intake.core.errors import ConfigurationError
from intake.moderation.records import Role
from intake.submissions.records import FileFlag, FileState, FlagKind, SubmissionState
from intake.web.app import create_app
from intake.web.keys import REPOSITORY
from tests.clocks import ShiftedClock
from tests.conftest import make_settings
from tests.moderation_helpers import (
    MODERATION,
    a_file,
    auth,
    moderation_routes,
    moderator_token,
    queue,
    waiting_submission,
)
from tests.tus_helpers import new_draft

NO_SUCH_ID = "0190a000-0000-7000-8000-000000000000"


async def test_every_moderation_route_refuses_anonymous_and_submitter_tokens(
    client: Any,
) -> None:
    app = client.server.app
    routes = moderation_routes(app)
    assert len(routes) >= 12, routes
    draft = await new_draft(client)
    submitter = auth(draft["submitter_token"])
    for method, path in sorted(routes):
        url = path.replace("{submission_id}", draft["id"]).replace("{moderator_id}", NO_SUCH_ID)
        url = url.replace("{token_id}", "no-such-token")
        url = url.replace("{file_id}", NO_SUCH_ID).replace("{variant}", "original")
        for headers in ({}, submitter, auth("imod_not-a-real-token"), {"Authorization": "Basic x"}):
            response = await client.request(method, url, headers=headers, json={})
            assert response.status == 401, (method, path, headers, await response.text())
            problem = await response.json()
            assert problem["type"] == "/problems/unauthorized"


async def test_only_admins_manage_accounts(client: Any) -> None:
    app = client.server.app
    for role in (Role.MODERATOR, Role.SENIOR):
        token = await moderator_token(app, f"not-admin-{role.value}", role)
        for method, path in sorted(moderation_routes(app)):
            if "/moderators" not in path:
                continue
            url = path.replace("{moderator_id}", NO_SUCH_ID).replace("{token_id}", "none")
            response = await client.request(method, url, headers=auth(token), json={})
            assert response.status == 403, (role, method, path)


async def test_claim_decide_and_the_audit_trail_in_order(client: Any) -> None:
    app = client.server.app
    [older, newer] = await queue(app[REPOSITORY], 2)
    token = await moderator_token(app, "amina")
    claimed = await client.post(f"{MODERATION}/claim", headers=auth(token))
    assert claimed.status == 200
    body = await claimed.json()
    assert body["id"] == older.id and body["state"] == "in_review"
    assert body["lease"]["mine"] is True and body["lease"]["claimed_from"] == "pending_review"
    file_id = body["files"][0]["id"]
    assert body["files"][0]["urls"]["original"] == (
        f"{MODERATION}/submissions/{older.id}/files/{file_id}/original"
    )
    url = f"{MODERATION}/submissions/{older.id}/decision"
    bad = await client.post(url, headers=auth(token), json={"decision": "approve", "reason": "x"})
    assert bad.status == 422
    assert (await client.post(url, headers=auth(token), data=b"{")).status == 400
    decided = await client.post(
        url,
        headers=auth(token),
        json={"decision": "approve", "reason": "newsworthy", "note": "checked with the reporter"},
    )
    assert decided.status == 200, await decided.text()
    done = await decided.json()
    assert done["state"] == "approved" and done["lease"] is None
    steps = [(a["action"], a["from_state"], a["to_state"], a["actor"]) for a in done["audit"]]
    assert steps == [
        ("queued_for_review", "received", "pending_review", "system"),
        ("claimed", "pending_review", "in_review", "amina"),
        ("decided", "in_review", "approved", "amina"),
    ]
    assert done["audit"][-1]["detail"]["reason"] == "newsworthy"
    again = await client.post(
        url, headers=auth(token), json={"decision": "reject", "reason": "spam"}
    )
    assert again.status == 409
    second = await client.post(f"{MODERATION}/claim", headers=auth(token))
    assert (await second.json())["id"] == newer.id
    assert (await client.post(f"{MODERATION}/claim", headers=auth(token))).status == 204


async def test_a_lapsed_lease_returns_the_item_and_the_late_decision_is_refused(
    make_client: Any,
) -> None:
    clock = ShiftedClock()
    client = await make_client(moderation_lease_seconds="60", clock=clock)
    app = client.server.app
    [submission] = await queue(app[REPOSITORY], 1)
    slow, quick = await moderator_token(app, "slow"), await moderator_token(app, "quick")
    assert (await client.post(f"{MODERATION}/claim", headers=auth(slow))).status == 200
    assert (await client.post(f"{MODERATION}/claim", headers=auth(quick))).status == 204
    clock.advance(61)
    listed = await client.get(f"{MODERATION}/submissions?state=pending_review", headers=auth(quick))
    assert [s["id"] for s in (await listed.json())["submissions"]] == [submission.id]
    late = await client.post(
        f"{MODERATION}/submissions/{submission.id}/decision",
        headers=auth(slow),
        json={"decision": "approve", "reason": "newsworthy"},
    )
    assert late.status == 409
    assert (
        await client.post(f"{MODERATION}/submissions/{submission.id}/lease", headers=auth(slow))
    ).status == 409
    taken = await client.post(f"{MODERATION}/claim", headers=auth(quick))
    assert taken.status == 200
    trail = [(a["action"], a["actor"]) for a in (await taken.json())["audit"]]
    assert trail[1:] == [("claimed", "slow"), ("lease_expired", "system"), ("claimed", "quick")]


async def test_extend_and_release(client: Any) -> None:
    app = client.server.app
    [submission] = await queue(app[REPOSITORY], 1)
    token, other = await moderator_token(app, "keeper"), await moderator_token(app, "other")
    first = await (await client.post(f"{MODERATION}/claim", headers=auth(token))).json()
    lease = f"{MODERATION}/submissions/{submission.id}/lease"
    assert (await client.post(lease, headers=auth(other))).status == 409
    extended = await client.post(lease, headers=auth(token))
    assert extended.status == 200
    assert (await extended.json())["lease"]["expires_at"] > first["lease"]["expires_at"]
    assert (await client.delete(lease, headers=auth(other))).status == 409
    assert (await client.delete(lease, headers=auth(token))).status == 204
    assert (await client.delete(lease, headers=auth(token))).status == 409
    retaken = await client.post(f"{MODERATION}/claim", headers=auth(other))
    assert (await retaken.json())["id"] == submission.id
    trail = [a["action"] for a in (await retaken.json())["audit"]]
    assert trail == ["queued_for_review", "claimed", "lease_renewed", "released", "claimed"]
    assert (
        await client.post(f"{MODERATION}/submissions/{NO_SUCH_ID}/lease", headers=auth(token))
    ).status == 404


async def test_escalated_items_go_to_seniors_first(client: Any) -> None:
    app = client.server.app
    [first, second] = await queue(app[REPOSITORY], 2)
    junior = await moderator_token(app, "junior")
    senior = await moderator_token(app, "senior", Role.SENIOR)
    claimed = await (await client.post(f"{MODERATION}/claim", headers=auth(junior))).json()
    assert claimed["id"] == first.id
    decision = f"{MODERATION}/submissions/{first.id}/decision"
    escalated = await client.post(
        decision, headers=auth(junior), json={"decision": "escalate", "reason": "needs_senior"}
    )
    assert (await escalated.json())["state"] == "escalated"
    assert (
        await client.get(f"{MODERATION}/submissions/{first.id}", headers=auth(junior))
    ).status == 403
    assert (
        await client.post(f"{MODERATION}/submissions/{first.id}/lease", headers=auth(junior))
    ).status == 403
    taken = await (await client.post(f"{MODERATION}/claim", headers=auth(senior))).json()
    assert taken["id"] == first.id and taken["lease"]["claimed_from"] == "escalated"
    again = await client.post(
        decision, headers=auth(senior), json={"decision": "escalate", "reason": "other"}
    )
    assert again.status == 422
    rejected = await client.post(
        decision, headers=auth(senior), json={"decision": "reject", "reason": "graphic"}
    )
    assert (await rejected.json())["state"] == "rejected"
    nxt = await (await client.post(f"{MODERATION}/claim", headers=auth(senior))).json()
    assert nxt["id"] == second.id


async def test_claim_filters_by_kind_and_locale(client: Any) -> None:
    app = client.server.app
    repository = app[REPOSITORY]
    [photo] = await queue(repository, 1)
    [video] = await queue(repository, 1, kind="video")
    [pashto] = await queue(repository, 1, locale="ps")
    token = await moderator_token(app, "filters")
    by_kind = await client.post(f"{MODERATION}/claim?kind=video", headers=auth(token))
    assert (await by_kind.json())["id"] == video.id
    by_locale = await client.post(f"{MODERATION}/claim?locale=ps", headers=auth(token))
    assert (await by_locale.json())["id"] == pashto.id
    assert (await client.post(f"{MODERATION}/claim?locale=ps", headers=auth(token))).status == 204
    assert (await client.post(f"{MODERATION}/claim?kind=pdf", headers=auth(token))).status == 422
    rest = await client.post(f"{MODERATION}/claim", headers=auth(token))
    assert (await rest.json())["id"] == photo.id


async def test_list_pages_with_a_cursor_and_filters(client: Any) -> None:
    app = client.server.app
    made = await queue(app[REPOSITORY], 7, title="Flood at the bridge")
    await queue(app[REPOSITORY], 2, title="Market fire")
    token = await moderator_token(app, "reader")
    seen: list[str] = []
    url = f"{MODERATION}/submissions?q=BRIDGE&limit=3&state=pending_review"
    while url:
        page = await (await client.get(url, headers=auth(token))).json()
        seen += [s["id"] for s in page["submissions"]]
        cursor = page["next_cursor"]
        url = f"{MODERATION}/submissions?q=BRIDGE&limit=3&cursor={cursor}" if cursor else ""
    assert seen == [s.id for s in reversed(made)]
    dated = await client.get(
        f"{MODERATION}/submissions?from=2026-11-01T00:00:03Z&to=2026-11-01T00:00:05Z&kind=photo",
        headers=auth(token),
    )
    assert [s["created_at"][-3:] for s in (await dated.json())["submissions"]] == ["04Z", "03Z"]
    for bad in ("state=nope", "from=yesterday", "limit=0", "cursor=%%%", "kind=pdf"):
        response = await client.get(f"{MODERATION}/submissions?{bad}", headers=auth(token))
        assert response.status == 422, bad


async def test_stats_count_the_queue_and_the_decisions(client: Any) -> None:
    app = client.server.app
    await queue(app[REPOSITORY], 3)
    token = await moderator_token(app, "counter")
    for decision in ("approve", "reject"):
        claimed = await (await client.post(f"{MODERATION}/claim", headers=auth(token))).json()
        await client.post(
            f"{MODERATION}/submissions/{claimed['id']}/decision",
            headers=auth(token),
            json={"decision": decision, "reason": "other"},
        )
    stats = await (await client.get(f"{MODERATION}/stats", headers=auth(token))).json()
    assert stats["depth"]["pending_review"] == 1
    assert stats["depth"]["approved"] == 1 and stats["depth"]["rejected"] == 1
    assert stats["oldest_waiting"]["pending_review"] == "2026-11-01T00:00:02Z"
    assert sum(h["count"] for h in stats["decisions_per_hour"]) == 2
    assert stats["per_moderator"] == [
        {"moderator": "counter", "total": 2, "approved": 1, "rejected": 1, "escalated": 0}
    ]


async def test_admins_manage_accounts_over_the_api(client: Any) -> None:
    app = client.server.app
    admin = await moderator_token(app, "root", Role.ADMIN)
    created = await client.post(
        f"{MODERATION}/moderators",
        headers=auth(admin),
        json={"name": "farid", "role": "moderator", "password": "a long enough secret"},
    )
    assert created.status == 201
    farid = await created.json()
    assert farid["token"].startswith("imod_")
    assert (await client.get(f"{MODERATION}/me", headers=auth(farid["token"]))).status == 200
    one = f"{MODERATION}/moderators/{farid['moderator']['id']}"
    promoted = await client.patch(one, headers=auth(admin), json={"role": "senior"})
    assert (await promoted.json())["role"] == "senior"
    new = await (await client.post(f"{one}/token", headers=auth(admin))).json()
    assert (await client.get(f"{MODERATION}/me", headers=auth(farid["token"]))).status == 401
    assert (await client.get(f"{MODERATION}/me", headers=auth(new["token"]))).status == 200
    disabled = await client.patch(one, headers=auth(admin), json={"disabled": True})
    assert (await disabled.json())["disabled"] is True
    assert (await client.get(f"{MODERATION}/me", headers=auth(new["token"]))).status == 401
    listed = await (await client.get(f"{MODERATION}/moderators", headers=auth(admin))).json()
    assert [m["name"] for m in listed["moderators"]] == ["farid", "root"]
    duplicate = await client.post(
        f"{MODERATION}/moderators", headers=auth(admin), json={"name": "farid"}
    )
    assert duplicate.status == 409
    me = (await (await client.get(f"{MODERATION}/me", headers=auth(admin))).json())["id"]
    assert (
        await client.patch(
            f"{MODERATION}/moderators/{me}", headers=auth(admin), json={"disabled": True}
        )
    ).status == 409
    assert (
        await client.patch(
            f"{MODERATION}/moderators/{NO_SUCH_ID}", headers=auth(admin), json={"role": "senior"}
        )
    ).status == 404
    assert (await client.patch(one, headers=auth(admin), json={"role": "boss"})).status == 422


@pytest.mark.parametrize("wrong", ["wrong password!", "x"])
async def test_login_and_failed_logins_slowed_down(make_client: Any, wrong: str) -> None:
    client = await make_client(moderation_login_max_failures="3")
    app = client.server.app
    admin = await moderator_token(app, "root", Role.ADMIN)
    await client.post(
        f"{MODERATION}/moderators",
        headers=auth(admin),
        json={"name": "nadia", "password": "correct horse battery"},
    )
    login = "/api/v1/moderation-login"
    ok = await client.post(login, json={"name": "nadia", "password": "correct horse battery"})
    assert ok.status == 200
    session = await ok.json()
    assert session["token"].startswith("imod_") and session["expires_at"]
    assert (await client.get(f"{MODERATION}/me", headers=auth(session["token"]))).status == 200
    for _ in range(3):
        failed = await client.post(login, json={"name": "nadia", "password": wrong})
        assert failed.status == 401
    throttled = await client.post(
        login, json={"name": "nadia", "password": "correct horse battery"}
    )
    assert throttled.status == 429 and int(throttled.headers["Retry-After"]) > 0
    unknown = await client.post(login, json={"name": "nobody", "password": "whatever it is"})
    assert unknown.status == 401
    assert (await client.post(login, json={"name": "nadia"})).status == 422
    assert (
        await client.post(login, data=b"[]", headers={"Content-Type": "application/json"})
    ).status == 400


async def test_withdrawn_submissions_keep_their_audit_and_show_no_media(client: Any) -> None:
    draft = await new_draft(client, name="Zarmina")
    token = await moderator_token(client.server.app, "looker")
    gone = await client.delete(
        f"/api/v1/submissions/{draft['id']}", headers=auth(draft["submitter_token"])
    )
    assert gone.status == 204
    detail = await (
        await client.get(f"{MODERATION}/submissions/{draft['id']}", headers=auth(token))
    ).json()
    assert detail["state"] == SubmissionState.WITHDRAWN.value and detail["name"] == ""
    assert [a["action"] for a in detail["audit"]] == ["draft_created", "withdrawn"]


async def test_webhook_urls_without_a_secret_stop_the_start(
    s3_store: S3ObjectStore, tmp_path: Path
) -> None:
    settings = make_settings(
        webhooks_urls="http://127.0.0.1:9/hook",
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'a.db'}",
        server_data_dir=str(tmp_path / "var"),
    )
    runner = web.AppRunner(create_app(settings, object_store=s3_store))
    try:
        with pytest.raises(ConfigurationError, match=r"webhooks\.secret"):
            await runner.setup()
    finally:
        await runner.cleanup()


async def test_the_detail_shows_what_inspection_found_and_links_every_copy(client: Any) -> None:
    app = client.server.app
    submission = waiting_submission(title="Bridge")
    inspected = a_file(
        submission,
        extracted={"width": 4032, "height": 3024, "device": "Pixel 8"},
        flags=(FileFlag(FlagKind.DUPLICATE, submission_id=NO_SUCH_ID, file_id=NO_SUCH_ID),),
        public_key=f"{submission.prefix}f/public.jpg",
        thumbnail_key=f"{submission.prefix}f/thumb.jpg",
        phash="8f0f0f0f0f0f0f0f",
        state=FileState.INSPECTED,
    )
    await app[REPOSITORY].add_submission(submission, [inspected], [])
    token = await moderator_token(app, "viewer")
    detail = await client.get(f"{MODERATION}/submissions/{submission.id}", headers=auth(token))
    assert detail.status == 200
    [shown] = (await detail.json())["files"]
    assert shown["extracted"]["device"] == "Pixel 8"
    assert shown["flags"][0]["kind"] == "duplicate" and shown["phash"] == "8f0f0f0f0f0f0f0f"
    base = f"{MODERATION}/submissions/{submission.id}/files/{inspected.id}"
    assert shown["urls"] == {"original": f"{base}/original", "public": f"{base}/public",
                             "thumbnail": f"{base}/thumbnail"}  # fmt: skip
    assert "urls_expire_at" not in await detail.json()
    missing = await client.get(f"{MODERATION}/submissions/{NO_SUCH_ID}", headers=auth(token))
    assert missing.status == 404
