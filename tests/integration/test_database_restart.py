"""PostgreSQL restarts under a running service: pooled connections the server closed
are replaced before use, without a round trip per transaction while it runs."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from intake.adapters.db.engine import create_engine
from intake.adapters.db.transactions import Database
from intake.core.errors import DatabaseUnavailable
from tests.pgcluster import PostgresCluster, new_cluster, remove


@pytest.fixture
async def cluster() -> AsyncIterator[PostgresCluster]:
    made = await new_cluster()
    try:
        yield made
    finally:
        await remove(made)


async def one(database: Database) -> int:
    async with database.transaction() as conn:
        return int((await conn.execute(text("SELECT 1"))).scalar_one())


async def test_the_first_transaction_after_a_restart_succeeds(cluster: PostgresCluster) -> None:
    engine = create_engine(cluster.url(), pool_size=2, idle_before_ping=0.0)
    database = Database(engine)
    try:
        assert await one(database) == 1
        await cluster.restart()
        assert await one(database) == 1, "the stale pooled connection was replaced"
    finally:
        await engine.dispose()


async def test_without_the_idle_ping_a_restart_costs_one_failed_request(
    cluster: PostgresCluster,
) -> None:
    """The other side of the test above: what the ping saves a caller from."""
    engine = create_engine(cluster.url(), pool_size=1, idle_before_ping=math.inf)
    database = Database(engine)
    try:
        assert await one(database) == 1
        await cluster.restart()
        with pytest.raises(DatabaseUnavailable):
            await one(database)
        assert await one(database) == 1, "the pool dropped the dead connection"
    finally:
        await engine.dispose()
