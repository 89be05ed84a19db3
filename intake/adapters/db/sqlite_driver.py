"""SQLAlchemy's aiosqlite driver with each statement one trip to the connection's thread.

aiosqlite runs a connection's calls on a thread of its own; every call is a trip: a queue
put, a thread wake-up, and the event loop woken through its self-pipe with the answer.
SQLAlchemy's adapter makes a statement four trips (make a cursor, execute, fetch the
rows, close the cursor), which cost more CPU than SQLite takes to run it. Here the cursor
is made, executed, read and closed in one trip; the rows come back with it, as the
adapter kept them anyway; and a transaction is committed (or rolled back) only when its
statements left one open: SQLite's module opens none for a read, and a ``COMMIT`` of
nothing was one more trip for every read. Everything else (transactions, errors,
server-side cursors) is SQLAlchemy's own. ``make bench-sqlite`` measures both side by
side (the stock driver spent 1.4 to 1.6 times the CPU per transaction on the development
VM).

A connection in :func:`committing_each_statement` commits each statement that leaves a
transaction open in the same trip (a single statement atomic on its own, as
``Database.statement`` runs them: one trip where the ``COMMIT`` was a second). One in
:func:`deferring` holds its statements back, to run in the trip of the next statement or
of the commit: a transaction's last statements, whose results no one reads, go in one
trip (``Database.finish`` and ``finish_if_one``).

A statement that carries the comment :data:`UNZEROED` (``prefix_with``) runs with
``secure_delete`` off, set back in the same trip whatever the statement does: for rows
whose bytes are sealed and stored elsewhere, which zeroing would only write to the WAL
and the database once more. One that carries :data:`UNSYNCED` and commits in its own trip
is committed with ``synchronous=NORMAL`` (elsewhere the mark is ignored): written to the
WAL without waiting for the disk (a crash of the process loses nothing; a power cut may
lose it, and only it: the next durable commit syncs the WAL with every commit before
it). For what a power cut may forget: an upload's lease, a rate count.
"""

from __future__ import annotations

import collections
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Sequence
from typing import Any, cast

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.util.concurrency import await_


class _Ran:
    """What the cursor tells after its statement ran (the real one is closed by then)."""

    __slots__ = ("arraysize", "description", "lastrowid", "rowcount")

    def __init__(self, cursor: sqlite3.Cursor | None = None) -> None:
        self.description = cursor.description if cursor else None
        self.rowcount = cursor.rowcount if cursor else -1
        self.lastrowid = cursor.lastrowid if cursor else None
        self.arraysize = 1

    def close(self) -> None:
        pass


UNZEROED = "/* freed pages not zeroed */"
UNSYNCED = "/* committed without waiting for the disk */"

Deferred = tuple[str, Any, bool]
"""A statement held back (:func:`deferring`): its SQL, its parameters, whether many."""


def _run(
    connection: sqlite3.Connection,
    operation: str,
    parameters: Any,
    many: bool,
    commit: bool,
    deferred: Sequence[Deferred] = (),
    only_if_one: bool = False,
) -> tuple[_Ran, list[Any], bool]:
    """On the connection's thread: run the statements held back, then this one; read its
    rows, close its cursor, commit if ``commit``; and tell whether a transaction is open
    after it. With ``only_if_one`` this one runs first, and the statements held back
    and the commit only if it changed exactly one row (the transaction is rolled back
    otherwise)."""
    unsynced = (
        UNSYNCED in operation and commit and not connection.in_transaction and (not deferred)
    )  # SQLite changes it only between transactions
    if unsynced:
        (syncing,) = connection.execute("PRAGMA synchronous").fetchone()
        connection.execute("PRAGMA synchronous=NORMAL")
    try:
        if only_if_one:
            ran, rows = _run_statement(connection, operation, parameters, many)
            if ran.rowcount != 1:
                connection.rollback()
                return ran, rows, connection.in_transaction
        for held in deferred:
            _run_statement(connection, *held)
        if not only_if_one:
            ran, rows = _run_statement(connection, operation, parameters, many)
        if commit and connection.in_transaction:
            connection.commit()
    except BaseException:
        if unsynced and connection.in_transaction:
            connection.rollback()  # a statement on its own: nothing of it is kept
        raise
    finally:
        if unsynced:
            connection.execute(f"PRAGMA synchronous={int(syncing)}")
    return ran, rows, connection.in_transaction


def _commit_after(connection: sqlite3.Connection, deferred: Sequence[Deferred]) -> None:
    for held in deferred:
        _run_statement(connection, *held)
    connection.commit()


def _run_statement(
    connection: sqlite3.Connection, operation: str, parameters: Any, many: bool
) -> tuple[_Ran, list[Any]]:
    if UNZEROED not in operation:
        return _run_cursor(connection, operation, parameters, many)
    (zeroing,) = connection.execute("PRAGMA secure_delete").fetchone()
    connection.execute("PRAGMA secure_delete=OFF")
    try:
        return _run_cursor(connection, operation, parameters, many)
    finally:
        connection.execute(f"PRAGMA secure_delete={int(zeroing)}")


def _run_cursor(
    connection: sqlite3.Connection, operation: str, parameters: Any, many: bool
) -> tuple[_Ran, list[Any]]:
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        rows = cursor.fetchall() if cursor.description else []
        return _Ran(cursor), rows
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ()
    _awaitable_cursor_close = False

    def _make_new_cursor(self, connection: Any) -> Any:
        return _Ran()

    def _aenter_cursor(self, cursor: Any) -> Any:
        return cursor

    async def _trip(self, operation: Any, parameters: Any, many: bool) -> None:
        adapted = cast(OneTripConnection, self._adapt_connection)
        if adapted.defers and UNSYNCED not in operation:
            adapted.deferred.append((operation, parameters, many))
            adapted.open_transaction = True
            self._cursor = cast(Any, _Ran())
            self._rows = collections.deque()
            return
        async with adapted._execute_mutex:
            connection = self._connection
            deferred, adapted.deferred = adapted.deferred, []
            try:
                ran, rows, adapted.open_transaction = await connection._execute(
                    _run, connection._conn, operation, parameters, many, adapted.commits_each,
                    deferred, adapted.only_if_one,
                )  # fmt: skip
            except BaseException:
                adapted.open_transaction = True
                raise
        self._cursor = ran
        self._rows = collections.deque(rows)

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        await self._trip(operation, parameters, False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Sequence[Any]) -> Any:
        await self._trip(operation, seq_of_parameters, True)


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    """Commits and rolls back only when a transaction may be open: SQLite opens one for
    a write, not for a read, and a ``COMMIT`` of none is a trip that does nothing (one
    per read of the database)."""

    __slots__ = ("commits_each", "deferred", "defers", "only_if_one", "open_transaction")
    _cursor_cls = OneTripCursor

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self.open_transaction = True
        """False only when the connection's last statement, run by :func:`_run`, left no
        transaction open."""
        self.commits_each = False
        """Whether each statement is committed in its own trip."""
        self.only_if_one = False
        """Whether that commit is made only when the statement changed exactly one row (a
        rollback otherwise)."""
        self.defers = False
        """Whether statements are held back, to go with the next one's trip."""
        self.deferred: list[Deferred] = []

    def commit(self) -> None:
        deferred, self.deferred = self.deferred, []
        if deferred:
            await_(self._connection._execute(_commit_after, self._connection._conn, deferred))
            self.open_transaction = False
        elif self.open_transaction:
            super().commit()
            self.open_transaction = False

    def rollback(self) -> None:
        self.deferred = []
        if self.open_transaction:
            super().rollback()
            self.open_transaction = False


class OneTripDbapi(AsyncAdapt_aiosqlite_dbapi):
    """The DBAPI module SQLAlchemy's aiosqlite dialect is given (``module=``)."""

    def __init__(self) -> None:
        super().__init__(aiosqlite, sqlite3)

    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        adapted = super().connect(*arg, **kw)
        return OneTripConnection(self, adapted._connection)


@contextlib.asynccontextmanager
async def committing_each_statement(
    conn: AsyncConnection, *, only_if_one: bool = False
) -> AsyncIterator[AsyncConnection]:
    """``conn`` with each statement committed in the trip that runs it, for as long as
    the block lasts (then as before, however the block ends); with ``only_if_one``, only
    when it changed exactly one row, the transaction rolled back otherwise. As it is on a
    driver other than this one."""
    raw = (await conn.get_raw_connection()).dbapi_connection
    if not isinstance(raw, OneTripConnection):
        yield conn
        return
    raw.commits_each, raw.only_if_one = True, only_if_one
    try:
        yield conn
    finally:
        raw.commits_each = raw.only_if_one = False


@contextlib.asynccontextmanager
async def deferring(conn: AsyncConnection) -> AsyncIterator[AsyncConnection]:
    """``conn`` with each statement of the block held back, to run in the trip of the next
    one (or of the commit): for statements whose results no one reads. A statement that
    fails is reported by that trip. One marked :data:`UNSYNCED` is never held back (it
    commits on its own). As it is on a driver other than this one."""
    raw = (await conn.get_raw_connection()).dbapi_connection
    if not isinstance(raw, OneTripConnection):
        yield conn
        return
    raw.defers = True
    try:
        yield conn
    finally:
        raw.defers = False
