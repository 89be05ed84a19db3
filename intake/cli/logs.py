"""How the commands log: one format (``operations.log_format``: plain text for a
developer's terminal, or one JSON object per line for a log collector), one level; and
libraries that would write what a reader sent kept at INFO whatever the level.

At DEBUG, aiosqlite logs every statement with its parameters (a story, an email),
botocore every request with its body (a ``manifest.json``), urllib3 and s3transfer what
they send; a log that holds them betrays readers as surely as an access log with their
addresses. ``server.log_level = debug`` debugs intake, not them.

A JSON line has ``timestamp``, ``level``, ``logger``, ``message`` (the same text as the
plain line, so the same privacy rules hold), ``event`` (the message's template, the
same for every line of its kind, e.g. ``%s failed: %s``), ``request_id`` when logged
about a request, and the fields the code adds (the access log: ``method``, ``route``,
``status``, ``bytes``, ``ms``).
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from intake.web.request_ids import current_request_id

HELD_AT_INFO = ("aiosqlite", "asyncpg", "sqlalchemy", "botocore", "boto3", "s3transfer",
                "urllib3", "aiohttp.client", "PIL", "multipart")  # fmt: skip
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
JSON_FIELDS = ("asctime", "levelname", "name", "message")
_RENAMED = {"asctime": "timestamp", "levelname": "level", "name": "logger"}


def hold_libraries() -> dict[str, int]:
    """Keep the libraries of :data:`HELD_AT_INFO` at INFO or above; return their levels
    before, to restore them."""
    before = {}
    for name in HELD_AT_INFO:
        logger = logging.getLogger(name)
        before[name] = logger.level
        logger.setLevel(max(logger.getEffectiveLevel(), logging.INFO))
    return before


class RequestContext(logging.Filter):
    """Gives each record the id of the request it was logged about (``request_id``) and
    its ``event``, unless the code set them."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            rid = current_request_id()
            if rid:
                record.request_id = rid
        if not getattr(record, "event", None):
            record.event = str(record.msg)
        return True


class JsonLines(JsonFormatter):
    def __init__(self) -> None:
        super().__init__(
            JSON_FIELDS, rename_fields=_RENAMED, datefmt="%Y-%m-%dT%H:%M:%S%z",
            json_ensure_ascii=False,
        )  # fmt: skip

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        stamp = super().formatTime(record, datefmt)
        return f"{stamp[:-5]}.{int(record.msecs):03d}{stamp[-5:]}"

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        super().add_fields(log_data, record, message_dict)
        log_data["level"] = record.levelname.lower()


def handler(log_format: str) -> logging.Handler:
    """A stderr handler writing ``text`` or ``json`` lines."""
    out = logging.StreamHandler(sys.stderr)
    out.addFilter(RequestContext())
    out.setFormatter(JsonLines() if log_format == "json" else logging.Formatter(FORMAT))
    return out


def configure(level: str, log_format: str = "text") -> None:
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler(log_format))
    root.setLevel(level.upper())
    hold_libraries()
