"""Async engines for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from intake.adapters.db.sqlite_driver import OneTripDbapi
from intake.adapters.private_files import private_directory, private_file, tighten

PAGE_SIZE = 16 * 1024
"""Bytes per page of a new SQLite database."""
IDLE_BEFORE_PING = 1.0
"""Seconds a pooled PostgreSQL connection may sit unused before it is pinged."""


BITS_APART = "intake_bits_apart"
"""SQLite function: how many bits two 64-bit hashes (as signed integers) differ by; what
PostgreSQL's ``bit_count`` of their XOR gives."""
_LOW_64 = (1 << 64) - 1


def bits_apart(a: int, b: int) -> int:
    return ((a ^ b) & _LOW_64).bit_count()


def sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.create_function(BITS_APART, 2, bits_apart, deterministic=True)
    cursor = dbapi_connection.cursor()
    # A new database's pages are 16 KiB (SQLite's default is 4 KiB): an upload's tail is
    # stored in pieces of up to 1 MiB, and writing one in four times fewer pages costs a
    # third less CPU and time; a small row costs the same. Only before the database file
    # is made (journal_mode makes it): an existing database keeps its pages.
    cursor.execute(f"PRAGMA page_size={PAGE_SIZE}")
    cursor.execute("PRAGMA secure_delete=ON")  # freed pages and cells are zeroed
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # Each pooled connection's page cache (2 MiB by default) is emptied whenever another
    # connection has written: with uploads writing all the time it held memory, not hits.
    cursor.execute("PRAGMA cache_size=-256")
    cursor.close()


def _private_sqlite_file(database: str) -> None:
    """The database file and its directory made private before SQLite opens them (its
    ``-wal`` and ``-shm`` files take the database file's mode)."""
    path = Path(database)
    private_directory(path.parent, tighten_existing=False)
    private_file(path)
    for suffix in ("-wal", "-shm", "-journal"):
        tighten(path.with_name(path.name + suffix))


def _note_idle(_dbapi_connection: Any, record: Any) -> None:
    record.info["idle_since"] = time.monotonic()


def _pinger(idle_before_ping: float) -> Callable[[Any, Any, Any], None]:
    """A pool ``checkout`` hook that pings a connection idle for longer than
    ``idle_before_ping`` seconds, so one the server closed meanwhile (it restarted, say)
    is replaced before use. SQLAlchemy's ``pool_pre_ping`` costs three round trips
    (BEGIN, a ping, ROLLBACK on asyncpg) before every transaction; a connection handed
    straight back under load needs none."""

    def ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is not None and time.monotonic() - since > idle_before_ping:
            try:
                dbapi_connection.ping()
            except Exception as exc:
                raise DisconnectionError("the server closed a pooled connection") from exc

    return ping_if_idle


def create_engine(
    url: str, *, pool_size: int = 10, idle_before_ping: float = IDLE_BEFORE_PING
) -> AsyncEngine:
    """An engine for ``url``; SQLite gets WAL, durable commits, a busy timeout and
    ``secure_delete``, in a file only its owner can read, and each statement in one trip
    to aiosqlite's thread (:mod:`.sqlite_driver`)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _private_sqlite_file(parsed.database)
        # Every connection is used in a transaction that ends (commits or rolls back) before
        # it goes back to the pool: the pool's own ROLLBACK on return would be one more trip
        # to aiosqlite's thread per transaction (three per tus PATCH) that changes nothing.
        engine = create_async_engine(
            url,
            connect_args={"timeout": 30},
            pool_reset_on_return=None,
            **({"module": OneTripDbapi()} if parsed.get_driver_name() == "aiosqlite" else {}),
        )
        event.listen(engine.sync_engine, "connect", sqlite_pragmas)
        return engine
    engine = create_async_engine(url, pool_size=pool_size, max_overflow=pool_size)
    event.listen(engine.sync_engine, "checkin", _note_idle)
    event.listen(engine.sync_engine, "checkout", _pinger(idle_before_ping))
    return engine


StatementObserver = Callable[[str, float, bool], None]
_KINDS = frozenset({"select", "insert", "update", "delete", "with"})


def _kind(statement: str) -> str:
    word = statement.lstrip().split(None, 1)[0].lower() if statement.strip() else ""
    return word if word in _KINDS else "other"


def observe_statements(engine: AsyncEngine, observer: StatementObserver) -> None:
    """Tell ``observer`` each statement's kind (``select``, ``insert``, ``update``,
    ``delete``, ``with`` or ``other``: never its text or parameters), duration in seconds
    and whether it failed."""

    def before(
        _conn: Any, _cursor: Any, _statement: str, _params: Any, context: Any, _many: bool
    ) -> None:
        context._intake_started = time.perf_counter()

    def after(
        _conn: Any, _cursor: Any, statement: str, _params: Any, context: Any, _many: bool
    ) -> None:
        started = getattr(context, "_intake_started", None)
        if started is not None:
            observer(_kind(statement), time.perf_counter() - started, False)

    def failed(context: Any) -> None:
        started = getattr(context.execution_context, "_intake_started", None)
        elapsed = time.perf_counter() - started if started is not None else 0.0
        observer(_kind(context.statement or ""), elapsed, True)

    sync = engine.sync_engine
    event.listen(sync, "before_cursor_execute", before)
    event.listen(sync, "after_cursor_execute", after)
    event.listen(sync, "handle_error", failed)
