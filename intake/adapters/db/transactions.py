"""Transactions, with the database's connection failures turned into intake's own.

SQLite allows one writer at a time; concurrent writers there would wait in SQLite's
busy handler, which sleeps in growing steps. One process-wide queue (an asyncio lock
per :class:`Database`) lets them take turns without sleeping. PostgreSQL needs none.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any

from sqlalchemy import CursorResult
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.base import Executable

from intake.adapters.db.sqlite_driver import committing_each_statement, deferring
from intake.core.errors import DatabaseUnavailable

log = logging.getLogger(__name__)

Step = tuple[Executable, Any]
"""A statement and its parameters, for :meth:`Database.finish`."""


class Database:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"
        self._turns = None if self.postgres else asyncio.Lock()
        self._autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")

    @contextlib.asynccontextmanager
    async def transaction(self, *, write: bool = True) -> AsyncIterator[AsyncConnection]:
        """One transaction; SQLite writers take turns (readers never wait, in WAL mode)."""
        async with self._connection(self.engine, write) as conn:
            yield conn

    @contextlib.asynccontextmanager
    async def statement(self, *, write: bool = True) -> AsyncIterator[AsyncConnection]:
        """A connection for ONE statement, atomic on its own. On PostgreSQL it runs in
        autocommit: one round trip, where a transaction adds a ``BEGIN`` and a
        ``COMMIT``. On SQLite a write is committed in the trip to aiosqlite's thread that
        runs it, where the ``COMMIT`` was a second trip."""
        if self.postgres:
            async with self._connection(self._autocommit, write) as conn:
                yield conn
            return
        async with self._connection(self.engine, write) as conn:
            if not write:
                yield conn
                return
            async with committing_each_statement(conn):
                yield conn

    async def finish(
        self, conn: AsyncConnection, steps: Sequence[Step]
    ) -> CursorResult[Any] | None:
        """Run the last statements of a :meth:`transaction` (each with its parameters),
        in order, and answer the last one's result. On SQLite they all go in one trip to
        aiosqlite's thread, which commits the transaction (where each statement and the
        ``COMMIT`` were a trip of their own): nothing may follow them in the block."""
        if not steps:
            return None
        *before, last = steps
        if self.postgres:
            for statement, parameters in before:
                await conn.execute(statement, parameters)
            return await conn.execute(*last)
        async with deferring(conn):
            for statement, parameters in before:
                await conn.execute(statement, parameters)
        async with committing_each_statement(conn):
            return await conn.execute(*last)

    async def finish_if_one(
        self, conn: AsyncConnection, check: Step, steps: Sequence[Step]
    ) -> bool:
        """Run ``check`` and ``steps``, the last statements of a :meth:`transaction`, and
        keep them only if ``check`` changed exactly one row; whether it did. ``check``
        runs first, and ``steps`` only once it changed its row; on SQLite all in one trip
        to aiosqlite's thread, which commits the transaction or rolls it back. Nothing
        may follow them in the block."""
        if self.postgres:
            if (await conn.execute(*check)).rowcount != 1:
                return False
            for statement, parameters in steps:
                await conn.execute(statement, parameters)
            return True
        async with deferring(conn):
            for statement, parameters in steps:
                await conn.execute(statement, parameters)
        async with committing_each_statement(conn, only_if_one=True):
            return bool((await conn.execute(*check)).rowcount == 1)

    def read(self) -> contextlib.AbstractAsyncContextManager[AsyncConnection]:
        """A connection for reading, one statement or several. On PostgreSQL in
        autocommit: each statement sees what was committed when it began, as it would
        inside a READ COMMITTED transaction, without a ``BEGIN`` and a ``COMMIT`` round
        trip around them. On SQLite the same: SQLite's module opens no transaction for a
        read, so each statement reads its own snapshot (and never waits, in WAL mode)."""
        return self.statement(write=False)

    @contextlib.asynccontextmanager
    async def _connection(self, engine: AsyncEngine, write: bool) -> AsyncIterator[AsyncConnection]:
        turns = self._turns if write else None
        async with turns or contextlib.nullcontext():
            try:
                async with engine.begin() as conn:
                    yield conn
            except DBAPIError as exc:
                if isinstance(exc, OperationalError) or exc.connection_invalidated:
                    raise DatabaseUnavailable("the database did not answer") from exc
                raise
            except OSError as exc:
                raise DatabaseUnavailable("the database is unreachable") from exc

    async def reclaim(self, tables: Sequence[str], *, rewrite: bool = False) -> None:
        """After an erasure, have the database drop the erased values from its files (best
        effort: a failure is logged, the erasure itself is already committed).

        SQLite (``secure_delete`` on) has zeroed the freed cells and pages, in its WAL:
        a ``TRUNCATE`` checkpoint writes them into the database file over the old values
        and empties the WAL. PostgreSQL never overwrites a row in place: an UPDATE leaves
        the old version as a dead tuple until VACUUM removes it (and its TOAST chunks and
        index entries: ``INDEX_CLEANUP ON``) from ``tables``; its bytes may still lie in
        the page's free space until a new row takes it. ``rewrite`` copies the live rows
        into new files instead (``VACUUM FULL``, SQLite ``VACUUM``), holding an exclusive
        lock on each table while it does: for a quiet hour.
        """
        sqlite = self.engine.dialect.name == "sqlite"
        if sqlite:
            statements = ["VACUUM"] if rewrite else []
            statements.append("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            options = "FULL" if rewrite else "SKIP_LOCKED, INDEX_CLEANUP ON"
            statements = [f"VACUUM ({options}) {', '.join(tables)}"]
        turns = self._turns or contextlib.nullcontext()
        try:
            async with turns, self.engine.connect() as conn:
                autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
                for statement in statements:
                    await autocommit.exec_driver_sql(statement)
        except (DBAPIError, OSError) as exc:
            log.warning("reclaiming erased space failed (%s); autovacuum will get there", exc)
