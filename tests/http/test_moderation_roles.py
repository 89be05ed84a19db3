"""Roles hold on every moderation route: a plain moderator never sees an escalated
submission (lists, search, stats, claims, the item), and only admins manage accounts."""

from __future__ import annotations

import json
from typing import Any

import pytest

from intake.moderation.records import Role
from intake.submissions.records import SubmissionState
from intake.web.keys import MODERATORS, REPOSITORY
from tests.moderation_helpers import auth, moderation_routes, moderator_token, queue

SECRET_STORY = "the senior-only story about the bridge"
ADMIN_ONLY = {"/api/v1/moderation/moderators"}


def _query(path: str) -> str:
    return "?state=escalated&q=senior-only" if path.endswith("/submissions") else ""


def _body(method: str, path: str) -> dict[str, Any]:
    if path.endswith("/decision"):
        return {"decision": "approve", "reason": "newsworthy"}
    if path.endswith("/moderators") and method == "POST":
        return {"name": "newcomer", "role": "moderator"}
    if path.endswith("}") and "moderators/" in path:
        return {"role": "senior"}
    return {}


def _without_instance(text: str) -> str:
    """The answer, without the problem's ``instance`` (the caller's own request path)."""
    try:
        body = json.loads(text)
    except ValueError:
        return text
    if isinstance(body, dict):
        body.pop("instance", None)
    return json.dumps(body)


@pytest.fixture
async def world(client: Any) -> dict[str, Any]:
    app = client.server.app
    [escalated] = await queue(
        app[REPOSITORY], 1, state=SubmissionState.ESCALATED, story=SECRET_STORY, name="Zarmina"
    )
    tokens = {role: await moderator_token(app, f"as-{role.value}", role) for role in Role}
    target = await app[MODERATORS].add("target", Role.MODERATOR, None, "test")
    return {"escalated": escalated, "tokens": tokens, "target": target.id}


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
async def test_every_route_with_every_role(client: Any, world: dict[str, Any], role: Role) -> None:
    app = client.server.app
    escalated, token = world["escalated"], world["tokens"][role]
    senior = role.at_least(Role.SENIOR)
    routes = sorted(moderation_routes(app))
    assert len(routes) >= 12, routes
    for method, path in routes:
        url = path.replace("{submission_id}", escalated.id)
        url = url.replace("{moderator_id}", world["target"]).replace("{token_id}", "none")
        answer = await client.request(
            method, url + _query(path), headers=auth(token), json=_body(method, path)
        )
        text = _without_instance(await answer.text())
        where = (role.value, method, path, answer.status, text[:300])
        if any(path.startswith(p) for p in ADMIN_ONLY):
            assert (answer.status == 403) == (role is not Role.ADMIN), where
            continue
        if not senior:
            assert escalated.id not in text and SECRET_STORY not in text, where
            assert "Zarmina" not in text, where
            if "{submission_id}" in path:
                assert answer.status in (403, 404, 409), where
        if path.endswith("/stats"):
            figures = json.loads(text)
            assert figures["depth"].get("escalated", 0) == (1 if senior else 0), where
            assert (figures["oldest_waiting"].get("escalated") is None) != senior, where


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
async def test_search_shows_escalated_submissions_to_seniors_only(
    client: Any, world: dict[str, Any], role: Role
) -> None:
    token = world["tokens"][role]
    for query in ("state=escalated", "q=senior-only", "q=Zarmina", ""):
        listed = await client.get(f"/api/v1/moderation/submissions?{query}", headers=auth(token))
        assert listed.status == 200
        ids = [s["id"] for s in (await listed.json())["submissions"]]
        assert (world["escalated"].id in ids) == role.at_least(Role.SENIOR), (role, query)
