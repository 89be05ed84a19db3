"""The desk's plain forms: admins manage accounts, a leaving page gives its submission
back, the next submission is claimed without scripts, and the queue counts."""

from __future__ import annotations

import re
from typing import Any

from intake.moderation.records import Role
from intake.submissions.records import SubmissionState
from intake.web.keys import MODERATORS, REPOSITORY
from tests.desk_helpers import desk_account, signed_in
from tests.moderation_helpers import MODERATION, auth, queue

ACCOUNTS = "/en/moderate/accounts"


async def test_admins_manage_accounts_from_the_desk(client: Any) -> None:
    app = client.server.app
    await desk_account(app, "root", Role.ADMIN)
    csrf = await signed_in(client, "root")
    added = await client.post(
        ACCOUNTS, data={"csrf_token": csrf, "action": "add", "name": "nadia", "role": "moderator"}
    )
    assert added.status == 200
    token = re.search(r'id="token-value">(imod_[^<]+)<', await added.text())
    assert token is not None
    me = await client.get(f"{MODERATION}/me", headers=auth(token.group(1)))
    assert (await me.json())["name"] == "nadia"
    nadia = await app[MODERATORS].named("nadia")
    for action, extra in (("role", {"role": "senior"}), ("disable", {})):
        changed = await client.post(
            ACCOUNTS,
            allow_redirects=False,
            data={"csrf_token": csrf, "action": action, "moderator_id": nadia.id, **extra},
        )
        assert changed.status == 303
    nadia = await app[MODERATORS].named("nadia")
    assert nadia.role is Role.SENIOR and nadia.disabled
    gone = await client.get(f"{MODERATION}/me", headers=auth(token.group(1)))
    assert gone.status == 401, "disabling ends the account's tokens"
    taken = await client.post(
        ACCOUNTS, data={"csrf_token": csrf, "action": "add", "name": "nadia", "role": "moderator"}
    )
    assert taken.status == 409 and "the name is taken" in await taken.text()
    bad = await client.post(ACCOUNTS, data={"csrf_token": csrf, "action": "add", "name": "N!"})
    assert bad.status == 422 and "A name is 2 to 80" in await bad.text()
    root = await app[MODERATORS].named("root")
    self_demotion = await client.post(
        ACCOUNTS,
        data={"csrf_token": csrf, "action": "role", "moderator_id": root.id, "role": "moderator"},
    )
    assert self_demotion.status == 409
    page = await client.get(ACCOUNTS)
    assert page.status == 200 and "nadia" in await page.text()


async def test_only_admins_see_the_accounts_page(client: Any) -> None:
    await desk_account(client.server.app, "senior", Role.SENIOR)
    csrf = await signed_in(client, "senior")
    assert (await client.get(ACCOUNTS)).status == 403
    posted = await client.post(ACCOUNTS, data={"csrf_token": csrf, "action": "add", "name": "x"})
    assert posted.status == 403


async def test_next_without_scripts_and_the_release_of_a_leaving_page(client: Any) -> None:
    app = client.server.app
    [waiting] = await queue(app[REPOSITORY], 1)
    await desk_account(app, "amina")
    csrf = await signed_in(client, "amina")
    claimed = await client.post(
        "/en/moderate/next", data={"csrf_token": csrf}, allow_redirects=False
    )
    assert claimed.status == 303
    assert claimed.headers["Location"] == f"/en/moderate/items/{waiting.id}"
    item = await client.get(claimed.headers["Location"])
    assert item.status == 200 and 'data-held="yes"' in await item.text()
    release = f"/en/moderate/items/{waiting.id}/release"
    assert (await client.post(release, data={})).status == 403
    released = await client.post(release, data={"csrf_token": csrf})
    assert released.status == 204
    back = await app[REPOSITORY].get_submission(waiting.id)
    assert back is not None and back.state is SubmissionState.PENDING_REVIEW
    assert (await client.post(release, data={"csrf_token": csrf})).status == 409
    none_left = await client.post(
        "/en/moderate/next", allow_redirects=False, data={"csrf_token": csrf, "skip": waiting.id}
    )
    assert none_left.headers["Location"] == "/en/moderate?empty=1"
    page = await client.get(none_left.headers["Location"])
    assert "Nothing waits for review right now." in await page.text()
