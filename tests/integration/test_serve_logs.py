"""`intake serve` at log level debug, a whole visit from a known address and User-Agent:
nothing in its whole output (nor in the embedded SeaweedFS's log) ties the reader to what
they sent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests import reader_flow
from tests.eventually import eventually
from tests.integration.serving import intake


async def _moderator_token(served: dict[str, Any]) -> str:
    code, _, err = await intake(served, "moderator", "add", "amina", "--no-password")
    assert code == 0, err
    code, out, err = await intake(served, "moderator", "token", "amina")
    assert code == 0, err
    return out.strip()


@pytest.mark.parametrize("served", [{"INTAKE_SERVER_LOG_LEVEL": "debug"}], indirect=True)
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

    output = served["log"].read_text(errors="replace")
    assert "intake.access" in output and "DEBUG" in output
    weed_log: Path = served["data"] / "seaweedfs" / "weed.log"
    for text in (output, weed_log.read_text(errors="replace")):
        assert [s for s in secrets if s in text] == []
