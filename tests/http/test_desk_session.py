"""The desk's session: sign-in with the cookie's attributes, plain words on a lockout, the
CSRF token on every change, sign-out that ends the token, and the pages' headers."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import ClientSession

from intake.moderation.records import Role
from intake.submissions.records import SubmissionState
from intake.web.keys import REPOSITORY
from tests.desk_helpers import PASSWORD, SIGN_IN, desk_account, signed_in
from tests.moderation_helpers import MODERATION, queue

PAGES = ("/moderate", "/en/moderate", "/moderate/accounts", "/fa-AF/moderate/items/x")
NO_SUCH_ID = "0190a000-0000-7000-8000-000000000000"


async def test_every_desk_page_sends_a_stranger_to_sign_in(client: Any) -> None:
    for path in PAGES:
        answer = await client.get(path, allow_redirects=False)
        assert answer.status == 303, path
        assert answer.headers["Location"].endswith("/moderate/sign-in")
    changes = ("next", "sign-out", f"items/{NO_SUCH_ID}/release")
    for path in (f"/en/moderate/{change}" for change in changes):
        answer = await client.post(path, data={"csrf_token": "x"}, allow_redirects=False)
        assert answer.status == 303, path
    claimed = await client.post(f"{MODERATION}/claim")
    assert claimed.status == 401


async def test_signing_in_sets_a_strict_httponly_cookie(client: Any) -> None:
    await desk_account(client.server.app, "amina")
    answer = await client.post(
        SIGN_IN, data={"name": "amina", "password": PASSWORD}, allow_redirects=False
    )
    assert answer.status == 303 and answer.headers["Location"] == "/en/moderate"
    cookie = answer.headers["Set-Cookie"]
    assert cookie.startswith("intake_desk=imod_")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie, "plain http on loopback: a Secure cookie would be dropped"
    page = await client.get("/en/moderate")
    assert page.status == 200 and "amina" in await page.text()


async def test_the_cookie_is_secure_behind_a_trusted_tls_proxy(make_client: Any) -> None:
    client = await make_client(rate_trusted_proxies="127.0.0.1/32")
    await desk_account(client.server.app, "amina")
    answer = await client.post(
        SIGN_IN,
        data={"name": "amina", "password": PASSWORD},
        headers={"X-Forwarded-Proto": "https"},
        allow_redirects=False,
    )
    assert "Secure" in answer.headers["Set-Cookie"]


async def test_an_untrusted_peer_cannot_claim_tls(client: Any) -> None:
    await desk_account(client.server.app, "amina")
    answer = await client.post(
        SIGN_IN,
        data={"name": "amina", "password": PASSWORD},
        headers={"X-Forwarded-Proto": "https"},
        allow_redirects=False,
    )
    assert "Secure" not in answer.headers["Set-Cookie"]


async def test_a_wrong_password_and_a_lockout_are_said_in_plain_words(make_client: Any) -> None:
    client = await make_client(moderation_login_max_failures="2")
    await desk_account(client.server.app, "amina")
    wrong = await client.post(SIGN_IN, data={"name": "amina", "password": "not it at all"})
    assert wrong.status == 401
    assert "The name or the password is wrong." in await wrong.text()
    await client.post(SIGN_IN, data={"name": "amina", "password": "not it either"})
    locked = await client.post(SIGN_IN, data={"name": "amina", "password": PASSWORD})
    assert locked.status == 429 and int(locked.headers["Retry-After"]) > 0
    text = await locked.text()
    assert "Too many failed tries: signing in is locked for" in text and "15" in text
    dari = await client.post(
        "/fa-AF/moderate/sign-in", data={"name": "amina", "password": PASSWORD}
    )
    assert dari.status == 429 and "۱۵" in await dari.text()
    empty = await client.post(SIGN_IN, data={"name": "", "password": ""})
    assert empty.status == 422


async def test_changes_need_the_csrf_token(client: Any) -> None:
    app = client.server.app
    await queue(app[REPOSITORY], 1)
    await desk_account(app, "amina")
    csrf = await signed_in(client, "amina")
    refused = await client.post(f"{MODERATION}/claim")
    assert refused.status == 403
    wrong = await client.post(f"{MODERATION}/claim", headers={"X-CSRF-Token": "guess"})
    assert wrong.status == 403
    form = await client.post("/en/moderate/next", data={}, allow_redirects=False)
    assert form.status == 403
    assert "did not come from the desk&#39;s own page" in await form.text()
    claimed = await client.post(f"{MODERATION}/claim", headers={"X-CSRF-Token": csrf})
    assert claimed.status == 200
    looked = await client.get(f"{MODERATION}/submissions/{(await claimed.json())['id']}")
    assert looked.status == 200, "reading needs no token"


async def test_signing_out_ends_the_session_token(client: Any) -> None:
    await desk_account(client.server.app, "amina")
    csrf = await signed_in(client, "amina")
    token = client.session.cookie_jar.filter_cookies(client.make_url("/"))["intake_desk"].value
    refused = await client.post("/en/moderate/sign-out", allow_redirects=False)
    assert refused.status == 403
    out = await client.post(
        "/en/moderate/sign-out", data={"csrf_token": csrf}, allow_redirects=False
    )
    assert out.status == 303 and out.headers["Location"] == "/en/moderate/sign-in"
    assert 'intake_desk=""' in out.headers["Set-Cookie"]
    async with ClientSession() as other:
        again = await other.get(
            client.make_url(f"{MODERATION}/me"), headers={"Authorization": f"Bearer {token}"}
        )
        assert again.status == 401, "the token itself is forgotten, not only the cookie"


async def test_a_cross_site_sign_in_is_refused(client: Any) -> None:
    await desk_account(client.server.app, "amina")
    answer = await client.post(
        SIGN_IN,
        data={"name": "amina", "password": PASSWORD},
        headers={"Sec-Fetch-Site": "cross-site"},
        allow_redirects=False,
    )
    assert answer.status == 403 and "Set-Cookie" not in answer.headers


@pytest.mark.parametrize("path", ["/en/moderate", "/en/moderate/accounts", "/en/moderate/sign-in"])
async def test_desk_pages_are_never_stored_and_never_framed(client: Any, path: str) -> None:
    await desk_account(client.server.app, "root", Role.ADMIN)
    await signed_in(client, "root")
    page = await client.get(path)
    assert page.status == 200
    policy = page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"


async def test_a_plain_moderator_never_sees_an_escalated_submission(client: Any) -> None:
    app = client.server.app
    [escalated] = await queue(
        app[REPOSITORY],
        1,
        state=SubmissionState.ESCALATED,
        story="the senior-only story",
        title="senior-only",
    )
    await desk_account(app, "plain")
    await signed_in(client, "plain")
    item = await client.get(f"/en/moderate/items/{escalated.id}")
    assert item.status == 403 and "senior-only" not in await item.text()
    found = await client.get("/en/moderate?q=senior-only")
    assert escalated.reference not in await found.text()
    by_state = await client.get("/en/moderate?state=escalated")
    assert escalated.reference not in await by_state.text()
