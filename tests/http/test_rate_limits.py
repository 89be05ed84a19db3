"""Rate limits per client address: 429 with Retry-After, shared across instances."""

from __future__ import annotations

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
        counted = (await conn.execute(select(rate_counters.c.key))).scalars().all()
        failed = (await conn.execute(select(login_failures.c.key))).scalars().all()
    keys = AddressKeys(TEST_ADDRESS_SECRET.encode())
    assert counted == [f"submissions:{keys.of('127.0.0.77')}"]
    hmac = keys.of("127.0.0.77")  # X-Forwarded-For is not believed: no trusted proxy
    assert sorted(failed) == [f"*|{hmac}", f"amina|{hmac}"]
    assert not any("127.0.0" in key or "198.51" in key for key in [*counted, *failed])
