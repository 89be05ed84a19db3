"""Rate limits per client address: 429 with Retry-After, shared across instances."""

from __future__ import annotations

import re
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from intake.adapters.db.schema import login_failures, rate_counters
from intake.safeguards.addresses import AddressKeys
from intake.web.keys import REPOSITORIES
from tests.conftest import TEST_ADDRESS_SECRET
from tests.tus_helpers import create, new_draft


async def test_submission_creation_is_limited_per_address(make_client: Any) -> None:
    client = await make_client(rate_submissions="3")
    for _ in range(3):
        ok = await client.post("/api/v1/submissions", json={"consent_terms": True})
        assert ok.status == 201
    refused = await client.post("/api/v1/submissions", json={"consent_terms": True})
    assert refused.status == 429
    assert refused.content_type == "application/problem+json"
    assert 1 <= int(refused.headers["Retry-After"]) <= 3600
    assert (await refused.json())["type"] == "/problems/too-many-requests"


async def test_upload_creation_is_limited_per_address(make_client: Any) -> None:
    client = await make_client(rate_uploads="2")
    draft = await new_draft(client)
    statuses = [(await create(client, draft["submitter_token"], 100)).status for _ in range(3)]
    assert statuses == [201, 201, 429]


async def test_forwarded_addresses_count_only_behind_a_trusted_proxy(make_client: Any) -> None:
    trusting = await make_client(rate_submissions="1", rate_trusted_proxies="127.0.0.1")
    for client_ip in ("198.51.100.1", "198.51.100.2"):
        response = await trusting.post(
            "/api/v1/submissions", json={"consent_terms": True},
            headers={"X-Forwarded-For": client_ip},
        )  # fmt: skip
        assert response.status == 201, "each forwarded client has its own allowance"


async def test_forwarded_addresses_from_untrusted_peers_are_ignored(make_client: Any) -> None:
    client = await make_client(rate_submissions="1")
    statuses = []
    for client_ip in ("198.51.100.1", "198.51.100.2"):
        response = await client.post(
            "/api/v1/submissions", json={"consent_terms": True},
            headers={"X-Forwarded-For": client_ip},
        )  # fmt: skip
        statuses.append(response.status)
    assert statuses == [201, 429]


@pytest.mark.postgres
async def test_limits_hold_across_instances_on_postgres(
    make_client: Any, postgres_url: str
) -> None:
    first = await make_client(database_url=postgres_url, rate_submissions="2")
    second = await make_client(database_url=postgres_url, rate_submissions="2")
    statuses = []
    for client in (first, second, first):
        response = await client.post("/api/v1/submissions", json={"consent_terms": True})
        statuses.append(response.status)
    assert statuses == [201, 201, 429]


async def test_a_bot_filling_the_honeypot_is_refused_quietly(client: Any) -> None:
    response = await client.post(
        "/api/v1/submissions", json={"consent_terms": True, "website": "http://spam"}
    )
    assert response.status == 400
    body = await response.json()
    assert body["type"] == "/problems/not-accepted"
    assert "website" not in body["detail"] and "honeypot" not in body["detail"]


async def test_counters_and_failed_logins_are_keyed_by_an_hmac_never_the_address(
    make_client: Any,
) -> None:
    client = await make_client(rate_submissions="5")
    forwarded = {"X-Forwarded-For": "198.51.100.77"}
    connector = aiohttp.TCPConnector(local_addr=("127.0.0.77", 0))
    async with aiohttp.ClientSession(str(client.make_url("/")), connector=connector) as http:
        async with http.post("/api/v1/submissions", json={"consent_terms": True}) as r:
            assert r.status == 201
        login = {"name": "amina", "password": "not the password"}
        async with http.post("/api/v1/moderation-login", json=login, headers=forwarded) as r:
            assert r.status == 401
    async with client.server.app[REPOSITORIES].engine.connect() as conn:
        counted = (
            (
                await conn.execute(
                    select(rate_counters.c.key).where(rate_counters.c.key != "submissions:*")
                )
            )
            .scalars()
            .all()
        )
        failed = (await conn.execute(select(login_failures.c.key))).scalars().all()
    keys = AddressKeys(TEST_ADDRESS_SECRET.encode())
    assert counted == [f"submissions:{keys.of('127.0.0.77')}"]
    hmac = keys.of("127.0.0.77")  # X-Forwarded-For is not believed: no trusted proxy
    assert sorted(failed) == [f"*|{hmac}", f"amina|{hmac}"]
    assert not any("127.0.0" in key or "198.51" in key for key in [*counted, *failed])


def _from(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


async def test_refused_submissions_and_uploads_do_not_count(make_client: Any) -> None:
    """One abuser behind a carrier's shared address cannot use up its readers' allowance
    with requests that are refused."""
    client = await make_client(rate_submissions="2", rate_uploads="2")
    for _ in range(5):
        refused = await client.post("/api/v1/submissions", json={"consent_terms": False})
        assert refused.status == 422
    token = (await new_draft(client))["submitter_token"]
    for _ in range(5):
        assert (await create(client, token, 10 * 1024**4)).status == 413
    assert (await create(client, token, 100)).status == 201
    assert (await create(client, token, 100)).status == 201
    assert (await create(client, token, 100)).status == 429
    assert (await client.post("/api/v1/submissions", json={"consent_terms": True})).status == 201
    again = await client.post("/api/v1/submissions", json={"consent_terms": True})
    assert again.status == 429


async def test_ipv6_clients_count_by_their_64_network(make_client: Any) -> None:
    client = await make_client(rate_submissions="1", rate_trusted_proxies="127.0.0.1")
    statuses = []
    for address in ("2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:fffe", "2001:db8:1:3::1"):
        response = await client.post(
            "/api/v1/submissions", json={"consent_terms": True}, headers=_from(address)
        )
        statuses.append(response.status)
    assert statuses == [201, 429, 201], "a new address in the same /64 is the same client"


async def test_the_ipv6_prefix_is_a_setting(make_client: Any) -> None:
    client = await make_client(
        rate_submissions="1", rate_trusted_proxies="127.0.0.1", rate_ipv6_prefix="48"
    )
    statuses = []
    for address in ("2001:db8:1:2::1", "2001:db8:1:3::1", "2001:db8:2:2::1"):
        response = await client.post(
            "/api/v1/submissions", json={"consent_terms": True}, headers=_from(address)
        )
        statuses.append(response.status)
    assert statuses == [201, 429, 201]


async def test_a_global_ceiling_protects_the_service(make_client: Any) -> None:
    client = await make_client(
        rate_global_submissions="2", rate_trusted_proxies="127.0.0.1"
    )  # fmt: skip
    answers = [
        await client.post("/api/v1/submissions", json={"consent_terms": True},
                          headers=_from(f"198.51.100.{n}"))
        for n in range(1, 4)
    ]  # fmt: skip
    assert [a.status for a in answers] == [201, 201, 429]
    body = await answers[2].json()
    assert body["scope"] == "everyone" and int(answers[2].headers["Retry-After"]) >= 1


@pytest.mark.parametrize(
    ("locale", "scope", "words"),
    [
        ("ps", "address", "دقیقې وروسته بیا هڅه وکړئ"),
        ("fa-AF", "address", "دقیقه بعد دوباره کوشش کنید"),
        ("ps", "everyone", "اوس ډېر لوستونکي کیسې لېږي"),
        ("fa-AF", "everyone", "اکنون خوانندگان زیادی روایت می‌فرستند"),
        ("en", "everyone", "Many readers are sending stories right now"),
    ],
)
async def test_the_form_says_when_to_come_back_in_the_readers_language(
    make_client: Any, locale: str, scope: str, words: str
) -> None:
    limits = {"rate_submissions": "1"} if scope == "address" else {"rate_global_submissions": "1"}
    client = await make_client(**limits)
    assert (await client.post("/api/v1/submissions", json={"consent_terms": True})).status == 201
    form = aiohttp.FormData({"locale": locale, "consent_terms": "yes", "story": "x"})
    headers = {"Accept": "text/html", "Accept-Language": f"{locale},en;q=0.5"}
    page = await client.post("/submit", data=form, headers=headers)
    assert page.status == 429
    text = await page.text()
    assert words in text
    sentence = re.search(f"[^<>]*{words}[^<>]*", text)
    assert sentence is not None
    digits = "[۰-۹]" if locale != "en" else "[0-9]"
    assert re.search(digits, sentence.group()), "the minutes to wait, in the reader's digits"
