"""``/metrics``: what an operator sees after a whole visit, and that it names no one."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from intake.web.keys import WORKER
from tests import reader_flow
from tests.moderation_helpers import moderator_token

TOKEN = "scrape-token-for-the-tests-0123456789"
UUID = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}")


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def _value(samples: dict[Any, float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_metrics_are_not_on_the_public_port_without_a_token(client: Any) -> None:
    response = await client.get("/metrics")
    assert response.status == 404


async def test_metrics_need_the_token_on_the_public_port(make_client: Any) -> None:
    client = await make_client(operations_metrics_token=TOKEN)
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN + "x"}):
        assert (await client.get("/metrics", headers=headers)).status == 404
    response = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")


async def test_a_whole_visit_is_counted_and_named_by_no_one(
    make_client: Callable[..., Any],
) -> None:
    client = await make_client(operations_metrics_token=TOKEN)
    token = await moderator_token(client.app, "amina")

    async def settle() -> None:
        await client.app[WORKER].run_until_idle()

    secrets = await reader_flow.visit(str(client.make_url("/")), token, settle)
    await client.post("/api/v1/submissions", data=b"not multipart",
                      headers={"Content-Type": "text/plain"})  # fmt: skip
    response = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    text = await response.text()

    samples = _samples(text)
    for door in ("multipart", "tus", "form"):
        assert _value(samples, "intake_upload_requests_total", door=door, outcome="accepted") >= 1
        assert _value(samples, "intake_upload_bytes_total", door=door) > 0
        assert _value(samples, "intake_uploads_in_flight", door=door) == 0
    refused = "/problems/unsupported-content-type"
    assert _value(samples, "intake_http_refusals_total", type=refused, status="415") == 1
    assert _value(samples, "intake_s3_call_duration_seconds_count", operation="put") > 0
    assert _value(samples, "intake_database_statement_duration_seconds_count", statement="insert")
    assert _value(samples, "intake_moderation_queue_depth", state="pending_review") >= 0
    assert ("intake_inspection_lag_seconds", ()) in samples
    assert ("intake_webhook_deliveries_waiting", ()) in samples
    assert ("intake_decoder_restarts_total", ()) in samples
    routes = {dict(labels).get("route") for name, labels in samples
              if name == "intake_http_request_duration_seconds_count"}  # fmt: skip
    assert "/api/v1/uploads/…" in routes
    assert "/api/v1/moderation/submissions/…/decision" in routes

    assert UUID.search(text) is None
    assert [s for s in secrets if s in text] == []
