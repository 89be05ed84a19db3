"""How the commands log: one format, one level; and libraries that would write what a
reader sent kept at INFO whatever the level.

At DEBUG, aiosqlite logs every statement with its parameters (a story, an email),
botocore every request with its body (a ``manifest.json``), urllib3 and s3transfer what
they send; a log that holds them betrays readers as surely as an access log with their
addresses. ``server.log_level = debug`` debugs intake, not them.
"""

from __future__ import annotations

import logging

HELD_AT_INFO = ("aiosqlite", "asyncpg", "sqlalchemy", "botocore", "boto3", "s3transfer",
                "urllib3", "aiohttp.client", "PIL", "multipart")  # fmt: skip
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def hold_libraries() -> dict[str, int]:
    """Keep the libraries of :data:`HELD_AT_INFO` at INFO or above; return their levels
    before, to restore them."""
    before = {}
    for name in HELD_AT_INFO:
        logger = logging.getLogger(name)
        before[name] = logger.level
        logger.setLevel(max(logger.getEffectiveLevel(), logging.INFO))
    return before


def configure(level: str) -> None:
    logging.basicConfig(level=level.upper(), format=FORMAT)
    hold_libraries()
