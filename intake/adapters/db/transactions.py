"""Transactions, with the database's connection failures turned into intake's own.

SQLite allows one writer at a time; concurrent writers there would wait in SQLite's
busy handler, which sleeps in growing steps. One process-wide queue (an asyncio lock
per :class:`Database`) lets them take turns without sleeping. PostgreSQL needs none.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from intake.core.errors import DatabaseUnavailable


class Database:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._turns = asyncio.Lock() if engine.dialect.name == "sqlite" else None

    @contextlib.asynccontextmanager
    async def transaction(self, *, write: bool = True) -> AsyncIterator[AsyncConnection]:
        """One transaction; SQLite writers take turns (readers never wait, in WAL mode)."""
        turns = self._turns if write else None
        async with turns or contextlib.nullcontext():
            try:
                async with self.engine.begin() as conn:
                    yield conn
            except DBAPIError as exc:
                if isinstance(exc, OperationalError) or exc.connection_invalidated:
                    raise DatabaseUnavailable("the database did not answer") from exc
                raise
            except OSError as exc:
                raise DatabaseUnavailable("the database is unreachable") from exc
