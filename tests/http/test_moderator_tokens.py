"""Moderator tokens end when they should: a change of password, role or disabled ends
them all; API tokens expire; each token is listed with its last use and revoked alone."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from intake.moderation.records import Role
from tests.clocks import ShiftedClock
from tests.moderation_helpers import auth, moderator_token

MODERATION = "/api/v1/moderation"
LOGIN = "/api/v1/moderation-login"
PASSWORD = "correct horse battery"
DAY = 86_400


async def _farid(client: Any, admin: str) -> tuple[str, str, str]:
    """farid's account url, a session token from his login and an API token."""
    created = await client.post(f"{MODERATION}/moderators", headers=auth(admin),
                                json={"name": "farid", "password": PASSWORD})  # fmt: skip
    assert created.status == 201
    api_token = (await created.json())["token"]
    login = await client.post(LOGIN, json={"name": "farid", "password": PASSWORD})
    assert login.status == 200
    url = f"{MODERATION}/moderators/{(await created.json())['moderator']['id']}"
    return url, (await login.json())["token"], api_token


async def _works(client: Any, token: str) -> bool:
    status = (await client.get(f"{MODERATION}/me", headers=auth(token))).status
    assert status in (200, 401)
    return bool(status == 200)


@pytest.mark.parametrize(
    "change",
    [{"password": "another long password"}, {"role": "senior"}, {"disabled": True}],
    ids=["password", "role", "disabled"],
)
async def test_a_change_of_the_account_ends_its_sessions_and_api_tokens(
    client: Any, change: dict[str, Any]
) -> None:
    admin = await moderator_token(client.server.app, "root", Role.ADMIN)
    url, session, api_token = await _farid(client, admin)
    assert await _works(client, session) and await _works(client, api_token)
    assert (await client.patch(url, headers=auth(admin), json=change)).status == 200
    assert not await _works(client, session)
    assert not await _works(client, api_token)
    assert await _works(client, admin), "other accounts keep their tokens"


async def test_api_tokens_expire_after_the_configured_days(make_client: Any) -> None:
    clock = ShiftedClock()
    client = await make_client(clock=clock, moderation_api_token_days="30")
    admin = await moderator_token(client.server.app, "root", Role.ADMIN)
    created = await client.post(f"{MODERATION}/moderators", headers=auth(admin),
                                json={"name": "farid"})  # fmt: skip
    issued = await created.json()
    expires = dt.datetime.fromisoformat(issued["expires_at"].replace("Z", "+00:00"))
    assert dt.timedelta(days=29) < expires - clock() <= dt.timedelta(days=30)
    assert await _works(client, issued["token"])
    clock.advance(30 * DAY + 1)
    assert not await _works(client, issued["token"])


async def test_tokens_are_listed_with_their_last_use_and_revoked_one_by_one(
    client: Any,
) -> None:
    admin = await moderator_token(client.server.app, "root", Role.ADMIN)
    url, session, api_token = await _farid(client, admin)
    second = await (await client.post(LOGIN, json={"name": "farid", "password": PASSWORD})).json()
    assert await _works(client, session)

    mine = await (await client.get(f"{MODERATION}/me/tokens", headers=auth(session))).json()
    kinds = sorted(t["kind"] for t in mine["tokens"])
    assert kinds == ["api", "session", "session"]
    used = {t["id"]: t["last_used_at"] for t in mine["tokens"]}
    assert used[second["token_id"]] is None and all("token" not in t for t in mine["tokens"])
    assert sum(1 for when in used.values() if when) == 1, "the session in use is noted"

    revoke = await client.delete(f"{MODERATION}/me/tokens/{second['token_id']}",
                                 headers=auth(session))  # fmt: skip
    assert revoke.status == 204
    assert not await _works(client, second["token"])
    assert await _works(client, session) and await _works(client, api_token)
    again = await client.delete(f"{MODERATION}/me/tokens/{second['token_id']}",
                                headers=auth(session))  # fmt: skip
    assert again.status == 404

    listed = await (await client.get(f"{url}/tokens", headers=auth(admin))).json()
    api_id = next(t["id"] for t in listed["tokens"] if t["kind"] == "api")
    assert len(listed["tokens"]) == 2
    assert (await client.delete(f"{url}/tokens/{api_id}", headers=auth(admin))).status == 204
    assert not await _works(client, api_token) and await _works(client, session)


async def test_only_admins_see_or_revoke_other_accounts_tokens(client: Any) -> None:
    admin = await moderator_token(client.server.app, "root", Role.ADMIN)
    url, session, _ = await _farid(client, admin)
    admins = await (await client.get(f"{MODERATION}/me/tokens", headers=auth(admin))).json()
    admin_token_id = admins["tokens"][0]["id"]
    assert (await client.get(f"{url}/tokens", headers=auth(session))).status == 403
    foreign = await client.delete(f"{MODERATION}/me/tokens/{admin_token_id}",
                                  headers=auth(session))  # fmt: skip
    assert foreign.status == 404
    assert await _works(client, admin)
