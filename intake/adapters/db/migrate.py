"""Alembic migrations, run programmatically on an async engine.

Alembic is imported only when used: a running service does not keep it in memory, and a
schema already at the latest revision is recognised without it (one query).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"
_LOCK_ID = 0x1A7A6E  # PostgreSQL advisory lock: one migrating instance at a time


def _config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection, revision: str) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
    from alembic import command

    command.upgrade(_config(connection), revision)


def _current(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def latest_revision() -> str:
    """The newest revision, from the file names (``0011_verification.py`` is ``0011``),
    without loading alembic: each revision is numbered after the one it follows."""
    return max(path.name.split("_", 1)[0] for path in (MIGRATIONS / "versions").glob("[0-9]*.py"))


def _revision_if_any(connection: Connection) -> str | None:
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


async def migrate(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema to ``revision``; safe when several instances start at once."""
    if revision == "head":
        async with engine.connect() as connection:
            if await connection.run_sync(_revision_if_any) == latest_revision():
                return
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade, revision)


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as connection:
        return await connection.run_sync(_current)


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config()).get_current_head()
