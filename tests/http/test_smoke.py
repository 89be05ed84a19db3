from __future__ import annotations

from typing import Any


async def test_healthz_answers(client: Any) -> None:
    response = await client.get("/healthz")
    assert response.status == 200
    assert (await response.json())["status"] == "ok"


async def test_readyz_checks_storage_and_database(client: Any) -> None:
    response = await client.get("/readyz")
    body = await response.json()
    assert response.status == 200
    assert body["checks"] == {"object_store": "ok", "database": "ok"}
