from __future__ import annotations

import socket
from typing import Any

from intake.adapters.s3 import S3Connection, S3ObjectStore


async def test_healthz_answers(client: Any) -> None:
    response = await client.get("/healthz")
    assert response.status == 200
    assert (await response.json())["status"] == "ok"


async def test_readyz_checks_storage_and_database(client: Any) -> None:
    response = await client.get("/readyz")
    body = await response.json()
    assert response.status == 200
    assert body["checks"] == {"object_store": "ok", "database": "ok"}


async def test_readyz_is_503_when_storage_does_not_answer(make_client: Any) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead_port = s.getsockname()[1]
    dead = S3ObjectStore(
        S3Connection(
            endpoint=f"http://127.0.0.1:{dead_port}",
            region="us-east-1",
            bucket="nowhere",
            access_key_id="x",
            secret_access_key="y",
        )
    )
    try:
        client = await make_client(object_store=dead)
        response = await client.get("/readyz")
        assert response.status == 503
        assert response.content_type == "application/problem+json"
        body = await response.json()
        assert body["checks"]["database"] == "ok"
        assert body["checks"]["object_store"] != "ok"
    finally:
        dead.close()
