"""Logins under concurrency: no burst gets more password checks than the limits allow."""

from __future__ import annotations

import asyncio
import secrets
from collections import Counter
from typing import Any

from intake.moderation.records import Role
from intake.web.keys import MODERATORS

LOGIN = "/api/v1/moderation-login"
RIGHT = "correct horse battery"


async def _account(app: Any) -> None:
    await app[MODERATORS].add("nadia", Role.MODERATOR, RIGHT, "test")


async def _burst(client: Any, bodies: list[dict[str, str]]) -> Counter[int]:
    answers = await asyncio.gather(*(client.post(LOGIN, json=body) for body in bodies))
    return Counter(answer.status for answer in answers)


async def test_a_burst_of_wrong_passwords_gets_no_more_checks_than_the_limit(
    make_client: Any,
) -> None:
    client = await make_client(moderation_login_max_failures="5")
    await _account(client.server.app)
    statuses = await _burst(
        client, [{"name": "nadia", "password": f"wrong {n}"} for n in range(40)]
    )
    assert statuses[401] <= 5 and statuses[429] >= 35, statuses
    assert set(statuses) <= {401, 429}
    late = await client.post(LOGIN, json={"name": "nadia", "password": RIGHT})
    assert late.status == 429, "the right password past the limit does not get in"


async def test_random_names_from_one_address_are_limited_too(make_client: Any) -> None:
    client = await make_client(moderation_login_max_per_address="10")
    bodies = [{"name": f"n{secrets.token_hex(4)}", "password": "guess"} for _ in range(41)]
    statuses = await _burst(client, bodies)
    assert statuses[401] <= 10 and statuses[429] >= 31, statuses


async def test_password_checks_beyond_the_waiting_room_are_answered_at_once(
    make_client: Any,
) -> None:
    client = await make_client(
        moderation_hash_threads="1", moderation_hash_waiting="0",
        moderation_login_max_per_address="1000", moderation_login_max_failures="1000",
    )  # fmt: skip
    await _account(client.server.app)
    bodies = [{"name": "nadia", "password": f"wrong {n}"} for n in range(8)]
    answers = await asyncio.gather(*(client.post(LOGIN, json=body) for body in bodies))
    statuses = Counter(answer.status for answer in answers)
    assert statuses[429] >= 1 and statuses[401] >= 1, statuses
    busy = [a for a in answers if a.status == 429]
    assert all(int(a.headers["Retry-After"]) >= 1 for a in busy), "says when to come back"
    ok = await client.post(LOGIN, json={"name": "nadia", "password": RIGHT})
    assert ok.status == 200, "refused checks were not counted against the account"
