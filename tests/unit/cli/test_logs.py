from __future__ import annotations

import io
import json
import logging

from intake.cli.logs import RequestContext, handler


def _emit(log_format: str, **extra: object) -> str:
    out = handler(log_format)
    buffer = io.StringIO()
    assert isinstance(out, logging.StreamHandler)
    out.setStream(buffer)
    record = logging.LogRecord("intake.web.x", logging.WARNING, __file__, 1,
                               "%s failed: %s", ("upload", "S3 down"), None)  # fmt: skip
    for key, value in extra.items():
        setattr(record, key, value)
    out.handle(record)
    return buffer.getvalue()


def test_a_json_line_has_level_logger_event_and_request_id() -> None:
    line = _emit("json", request_id="abc123")
    assert line.count("\n") == 1
    data = json.loads(line)
    assert data["level"] == "warning"
    assert data["logger"] == "intake.web.x"
    assert data["message"] == "upload failed: S3 down"
    assert data["event"] == "%s failed: %s"
    assert data["request_id"] == "abc123"
    assert data["timestamp"]


def test_text_stays_plain_for_a_terminal() -> None:
    line = _emit("text")
    assert line.rstrip().endswith("WARNING intake.web.x: upload failed: S3 down")


def test_a_line_logged_outside_a_request_has_no_request_id() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", (), None)
    assert RequestContext().filter(record)
    assert not getattr(record, "request_id", None)
