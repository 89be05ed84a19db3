"""A fresh PostgreSQL database for a benchmark's ``intake serve``, and the server
processes that serve it (to count their CPU beside intake's).

The server is ``$INTAKE_BENCH_DATABASE_URL`` (default: the local one, trust auth).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
import psutil
from sqlalchemy.engine import make_url

from intake.keys.master import new_entry

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True)
class BenchDatabase:
    name: str
    env: dict[str, str]
    """What ``intake serve`` needs to run on it (PostgreSQL asks for the secrets)."""

    def backend_pids(self) -> list[int]:
        """The PostgreSQL backends connected to this database now."""
        marker = f" {self.name} "
        pids = []
        for proc in psutil.process_iter(["cmdline"]):
            with contextlib.suppress(psutil.Error):
                cmdline = " ".join(proc.info["cmdline"] or ())
                if cmdline.startswith("postgres:") and marker in cmdline:
                    pids.append(proc.pid)
        return pids


@contextlib.asynccontextmanager
async def postgres_database() -> AsyncIterator[BenchDatabase]:
    """A new database, dropped (with whatever is connected) when the block exits."""
    url = make_url(os.environ.get("INTAKE_BENCH_DATABASE_URL", DEFAULT_PG))
    name = f"intake_bench_{secrets.token_hex(4)}"
    admin_dsn = url.set(drivername="postgresql", database="postgres").render_as_string(False)
    admin = await asyncpg.connect(admin_dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    dsn = url.set(drivername="postgresql+asyncpg", database=name).render_as_string(False)
    env = {
        "INTAKE_DATABASE_URL": dsn,
        "INTAKE_KEYS_MASTER_KEY": new_entry("bench"),
        "INTAKE_SERVER_ADDRESS_SECRET": secrets.token_hex(16),
    }
    try:
        yield BenchDatabase(name, env)
    finally:
        admin = await asyncpg.connect(admin_dsn)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()
