"""`intake serve` at log level debug, a whole visit from a known address and User-Agent:
nothing in its whole output, JSON lines (nor in the embedded SeaweedFS's log, nor in its
metrics scraped afterwards) ties the reader to what they sent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests import reader_flow
from tests.eventually import eventually
from tests.integration.serving import free_port, intake

METRICS_PORT = free_port()


async def _moderator_token(served: dict[str, Any]) -> str:
    code, _, err = await intake(served, "moderator", "add", "amina", "--no-password")
    assert code == 0, err
    code, out, err = await intake(served, "moderator", "token", "amina")
    assert code == 0, err
    return out.strip()


@pytest.mark.parametrize(
    "served",
    [{"INTAKE_SERVER_LOG_LEVEL": "debug", "INTAKE_OPERATIONS_LOG_FORMAT": "json",
      "INTAKE_OPERATIONS_METRICS_LISTEN": f"127.0.0.1:{METRICS_PORT}"}],
    indirect=True,
)  # fmt: skip
async def test_nothing_of_the_reader_reaches_the_logs_of_intake_serve(
    served: dict[str, Any],
) -> None:
    token = await _moderator_token(served)
    base = served["base"]

    async def inspected() -> bool:
        auth = {"Authorization": f"Bearer {token}"}
        url = f"{base}/api/v1/moderation/submissions?state=processing,received"
        async with aiohttp.ClientSession() as http, http.get(url, headers=auth) as response:
            return response.status == 200 and (await response.json())["submissions"] == []

    async def settle() -> None:
        assert await eventually(inspected, 120)

    secrets = await reader_flow.visit(base + "/", token, settle)

    scrape = f"http://127.0.0.1:{METRICS_PORT}/metrics"
    async with aiohttp.ClientSession() as http, http.get(scrape) as response:
        assert response.status == 200
        metrics = await response.text()
    assert 'intake_upload_requests_total{door="tus",outcome="accepted"}' in metrics

    output = served["log"].read_text(errors="replace")
    lines = [json.loads(line) for line in output.splitlines()]
    assert {"debug", "info"} <= {line["level"] for line in lines}
    assert all(line["logger"] and line["event"] and line["timestamp"] for line in lines)
    access = [line for line in lines if line["logger"] == "intake.access"]
    assert access and all(len(line["request_id"]) == 32 for line in access)
    assert {"method", "route", "status", "ms"} <= access[0].keys()
    weed_log: Path = served["data"] / "seaweedfs" / "weed.log"
    for text in (output, weed_log.read_text(errors="replace"), metrics):
        assert [s for s in secrets if s in text] == []
