"""Logs that cannot betray a reader: a whole visit, every log line of every logger
captured (DEBUG), and none holds the reader's address, User-Agent, fields, tokens,
references or the moderators' notes."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from intake.cli.logs import hold_libraries
from intake.web.keys import WORKER
from tests import reader_flow
from tests.moderation_helpers import moderator_token

MODERATION = "/api/v1/moderation"


@pytest.fixture
def every_log_line(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every record at DEBUG, with the libraries held at INFO as ``intake`` holds them."""
    before = hold_libraries()
    caplog.set_level(logging.DEBUG)
    yield caplog
    for name, level in before.items():
        logging.getLogger(name).setLevel(level)


def _lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return [formatter.format(record) for record in caplog.records]


async def test_a_whole_visit_leaves_nothing_of_the_reader_in_the_logs(
    make_client: Callable[..., Any], every_log_line: pytest.LogCaptureFixture
) -> None:
    client = await make_client()
    token = await moderator_token(client.app, "amina")

    async def settle() -> None:
        await client.app[WORKER].run_until_idle()

    secrets = await reader_flow.visit(str(client.make_url("/")), token, settle)

    lines = _lines(every_log_line)
    assert any(line.startswith("intake.access INFO") for line in lines)
    leaks = {s: [line for line in lines if s in line] for s in secrets}
    assert {s: hits for s, hits in leaks.items() if hits} == {}


def _access_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "intake.access"]


@pytest.mark.parametrize(
    ("method", "path", "route"),
    [
        ("GET", "/receipt/81100-V8QSY", "/receipt/…"),
        ("GET", "/api/v1/submissions/01a2-secret-id?token=abc", "/api/v1/submissions/…"),
        ("POST", "/api/v1/submissions/01a2-secret-id/submit", "/api/v1/submissions/…/submit"),
        ("HEAD", "/api/v1/uploads/01a2-upload-id", "/api/v1/uploads/…"),
        ("DELETE", "/api/v1/moderation/submissions/01a2-id/lease",
         "/api/v1/moderation/submissions/…/lease"),
        ("GET", "/api/v1/moderation/submissions?q=Zarmina", "/api/v1/moderation/submissions"),
        ("GET", "/receipts-of/81100-V8QSY", "(no route)"),
        ("GET", "/healthz", "/healthz"),
    ],
)  # fmt: skip
async def test_the_private_access_log_names_routes_never_paths(
    make_client: Callable[..., Any], caplog: pytest.LogCaptureFixture, method: str, path: str,
    route: str,
) -> None:  # fmt: skip
    client = await make_client()
    caplog.set_level(logging.INFO, "intake.access")
    response = await client.request(method, path, headers={"User-Agent": "Phone/1.0"})
    [line] = _access_lines(caplog)
    rid = response.headers["X-Request-Id"]
    assert line.startswith(f"{rid} {method} {route} {response.status} ")
    for leak in ("81100", "secret-id", "upload-id", "01a2-id", "Zarmina", "token=", "Phone/1.0",
                 "127.0.0.1"):  # fmt: skip
        assert leak not in line


async def test_the_full_access_log_names_the_client_and_off_writes_none(
    make_client: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "intake.access")
    full = await make_client(server_access_log="full")
    await full.get("/receipt/81100-V8QSY?x=1", headers={"User-Agent": "Phone/1.0"})
    [line] = _access_lines(caplog)
    assert '127.0.0.1 "/receipt/81100-V8QSY?x=1" "Phone/1.0"' in line
    caplog.clear()
    off = await make_client(server_access_log="off")
    await off.get("/healthz")
    assert _access_lines(caplog) == []


async def test_a_body_longer_than_announced_is_neither_logged_nor_echoed(
    make_client: Callable[..., Any], every_log_line: pytest.LogCaptureFixture
) -> None:
    client = await make_client()
    story = "SECRET-STORY from the bridge " * 20
    answer = await reader_flow._overlong_body("127.0.0.1", client.port, story)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert b" 400 " in head and b"application/problem+json" in head
    assert b"SECRET-STORY" not in answer and b"R58M12ABCDE" not in answer
    rid = json.loads(body)["request_id"]
    lines = _lines(every_log_line)
    assert [line for line in lines if "SECRET-STORY" in line or reader_flow.ADDRESS in line] == []
    assert any(rid in line and "(not HTTP) 400" in line for line in lines)
