"""intake's SQLite engine: each statement one trip to aiosqlite's thread, and answers,
counts and errors exactly as SQLAlchemy gives them; a statement on its own commits in
its one trip; a statement marked ``UNZEROED`` frees its pages without zeroing them, and
only that statement; one marked ``UNSYNCED`` commits without waiting for the disk, and
only that one; a new database has 16 KiB pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import (
    Column,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    delete,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from intake.adapters.db.engine import create_engine
from intake.adapters.db.sqlite_driver import UNSYNCED, UNZEROED, deferring
from intake.adapters.db.transactions import Database

metadata = MetaData()
rows = Table("rows", metadata, Column("id", String, primary_key=True), Column("n", Integer))
blobs = Table("blobs", metadata, Column("id", String, primary_key=True),
              Column("data", LargeBinary))  # fmt: skip


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/driver.db")
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of each function sent to a connection's thread, in order."""
    sent: list[str] = []
    real = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(getattr(fn, "__name__", repr(fn)))
        return await real(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return sent


async def test_rows_counts_and_returning_come_back_as_sqlalchemy_gives_them(
    engine: AsyncEngine,
) -> None:
    async with engine.begin() as conn:
        many = await conn.execute(insert(rows), [{"id": f"r{i}", "n": i} for i in range(5)])
        assert many.rowcount == 5
        returned = await conn.execute(insert(rows).values(id="x", n=9).returning(rows.c.id))
        assert returned.all() == [("x",)]
        changed = await conn.execute(update(rows).where(rows.c.n < 3).values(n=rows.c.n + 10))
        assert changed.rowcount == 3
    async with engine.connect() as conn:
        result = await conn.execute(select(rows.c.id, rows.c.n).order_by(rows.c.id))
        assert result.keys() == ["id", "n"]
        assert result.all() == [("r0", 10), ("r1", 11), ("r2", 12), ("r3", 3), ("r4", 4),
                                ("x", 9)]  # fmt: skip
        assert (await conn.execute(select(rows).where(rows.c.id == "none"))).first() is None


async def test_a_failed_statement_raises_sqlalchemys_error_and_its_transaction_rolls_back(
    engine: AsyncEngine,
) -> None:
    async def twice() -> None:
        async with engine.begin() as conn:
            await conn.execute(insert(rows).values(id="a", n=1))
            await conn.execute(insert(rows).values(id="a", n=2))

    with pytest.raises(IntegrityError):
        await twice()
    async with engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(rows))).scalar() == 0


async def test_each_statement_is_one_trip_to_the_connections_thread(
    engine: AsyncEngine, trips: list[str]
) -> None:
    async with engine.begin() as conn:
        await conn.execute(insert(rows).values(id="a", n=1))
        await conn.execute(select(rows.c.n).where(rows.c.id == "a"))
        await conn.execute(insert(rows), [{"id": "b", "n": 2}, {"id": "c", "n": 3}])
    assert trips == ["_run", "_run", "_run", "commit"]


async def test_only_a_transaction_that_wrote_commits_and_what_it_wrote_stays(
    engine: AsyncEngine, tmp_path: Path, trips: list[str]
) -> None:
    async with engine.begin() as conn:
        await conn.execute(select(rows.c.n))
    assert trips == ["_run"]  # nothing to commit: no trip for it
    async with engine.begin() as conn:
        await conn.execute(insert(rows).values(id="a", n=1))
        await conn.execute(select(rows.c.n))
    assert trips[1:] == ["_run", "_run", "commit"]
    async with aiosqlite.connect(tmp_path / "driver.db") as other:
        assert list(await other.execute_fetchall("SELECT id, n FROM rows")) == [("a", 1)]


async def test_a_write_rolled_back_is_undone_and_the_connection_goes_on(
    engine: AsyncEngine,
) -> None:
    async with engine.connect() as conn:
        await conn.execute(insert(rows).values(id="a", n=1))
        await conn.rollback()
        await conn.execute(insert(rows).values(id="b", n=2))
        await conn.commit()
        assert (await conn.execute(select(rows.c.id))).all() == [("b",)]


async def _stored_after(engine: AsyncEngine, tmp_path: Path, statement: Any) -> int:
    """How often the database file holds a 64 KiB blob's pattern once the blob was
    written, checkpointed, deleted by ``statement`` and checkpointed again."""
    marker = b"intake-driver-blob" * (64 * 1024 // 18)
    async with engine.begin() as conn:
        await conn.execute(insert(blobs).values(id="b", data=marker))
    async with engine.connect() as conn:
        await conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    async with engine.begin() as conn:
        await conn.execute(statement)
    async with engine.connect() as conn:
        await conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        assert (await conn.execute(text("PRAGMA secure_delete"))).scalar() == 1
    return (tmp_path / "driver.db").read_bytes().count(b"intake-driver-blob")


async def test_only_a_statement_marked_unzeroed_leaves_its_freed_pages_as_they_were(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    assert await _stored_after(engine, tmp_path, delete(blobs)) == 0
    assert await _stored_after(engine, tmp_path, delete(blobs).prefix_with(UNZEROED)) > 3000
    assert await _stored_after(engine, tmp_path, delete(blobs)) == 0, "zeroed again after it"


async def test_a_marked_statement_that_fails_leaves_its_connection_zeroing(
    engine: AsyncEngine,
) -> None:
    async with engine.connect() as conn:
        await conn.execute(insert(rows).values(id="a", n=1))
        with pytest.raises(IntegrityError):
            await conn.execute(insert(rows).values(id="a", n=2).prefix_with(UNZEROED))
        await conn.rollback()
        assert (await conn.execute(text("PRAGMA secure_delete"))).scalar() == 1


async def test_a_statement_on_its_own_commits_in_its_one_trip_and_transactions_stay_whole(
    engine: AsyncEngine, tmp_path: Path, trips: list[str]
) -> None:
    database = Database(engine)
    async with database.statement() as conn:
        await conn.execute(insert(rows).values(id="a", n=1))
    assert trips == ["_run"]
    async with aiosqlite.connect(tmp_path / "driver.db") as other:
        assert list(await other.execute_fetchall("SELECT id, n FROM rows")) == [("a", 1)]

    class Refused(Exception):
        pass

    async def refused_after_writing() -> None:
        async with database.statement() as conn:
            await conn.execute(insert(rows).values(id="b", n=2))
            raise Refused

    async def twice_the_same_id() -> None:
        async with database.transaction() as conn:
            await conn.execute(insert(rows).values(id="c", n=3))
            await conn.execute(insert(rows).values(id="a", n=4))

    with pytest.raises(Refused):
        await refused_after_writing()
    for _ in range(2):  # the pool hands the same connection back: it commits no more alone
        with pytest.raises(IntegrityError):
            await twice_the_same_id()
    async with database.read() as conn:
        assert (await conn.execute(select(rows.c.id).order_by(rows.c.id))).all() == [("a",), ("b",)]


async def test_a_transactions_last_statements_go_in_one_trip_that_commits_or_nothing_is_kept(
    engine: AsyncEngine, trips: list[str]
) -> None:
    database = Database(engine)
    async with database.transaction() as conn:
        await conn.execute(insert(rows).values(id="a", n=1))
        await database.finish(conn, [(insert(rows), [{"id": "b", "n": 2}]),
                                     (update(rows).values(n=rows.c.n + 1), None)])  # fmt: skip
    assert trips == ["_run", "_run"]

    async def one_fails(steps: list[Any]) -> None:
        async with database.transaction() as conn:
            await conn.execute(insert(rows).values(id="c", n=3))
            await database.finish(conn, steps)

    with pytest.raises(IntegrityError):  # the last
        await one_fails([(insert(rows).values(id="a", n=4), None)])
    with pytest.raises(IntegrityError):  # one held back for the last one's trip
        await one_fails([(insert(rows).values(id="d", n=4), None),
                         (insert(rows).values(id="a", n=4), None),
                         (update(rows).values(n=rows.c.n + 1), None)])  # fmt: skip
    async with database.read() as conn:
        assert (await conn.execute(select(rows.c.id, rows.c.n).order_by(rows.c.id))).all() == [
            ("a", 2),
            ("b", 3),
        ]
    async with database.transaction() as conn:  # the connections go on whole
        await database.finish(conn, [(insert(rows).values(id="e", n=5), None),
                                     (insert(rows).values(id="f", n=6), None)])  # fmt: skip
    async with database.read() as conn:
        assert len((await conn.execute(select(rows.c.id))).all()) == 4


async def _traced(conn: Any) -> list[str]:
    """What SQLite runs on ``conn``'s connection from now on (statements, PRAGMAs,
    COMMITs), in order."""
    seen: list[str] = []
    raw = (await conn.get_raw_connection()).dbapi_connection._connection
    await raw._execute(raw._conn.set_trace_callback, seen.append)
    return seen


async def test_only_a_statement_marked_unsynced_commits_without_waiting_for_the_disk(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    database = Database(engine)
    async with database.statement() as conn:
        seen = await _traced(conn)
        await conn.execute(insert(rows).values(id="a", n=1).prefix_with(UNSYNCED))
        await conn.execute(insert(rows).values(id="b", n=2))
    events = [s for s in seen if s.startswith(("PRAGMA synchronous", "INSERT", "COMMIT"))]
    assert [e.split(" (")[0] for e in events] == [
        "PRAGMA synchronous", "PRAGMA synchronous=NORMAL", f"INSERT {UNSYNCED} INTO rows", "COMMIT",
        "PRAGMA synchronous=2", "INSERT INTO rows", "COMMIT",
    ]  # fmt: skip
    async with aiosqlite.connect(tmp_path / "driver.db") as other:
        assert list(await other.execute_fetchall("SELECT id FROM rows ORDER BY id")) == [
            ("a",), ("b",),
        ]  # fmt: skip
    async with engine.connect() as conn:
        assert (await conn.execute(text("PRAGMA synchronous"))).scalar() == 2


async def test_a_marked_statement_that_fails_leaves_its_connection_syncing(
    engine: AsyncEngine,
) -> None:
    database = Database(engine)
    async with database.statement() as conn:
        await conn.execute(insert(rows).values(id="a", n=1))
    with pytest.raises(IntegrityError):
        async with database.statement() as conn:
            await conn.execute(insert(rows).values(id="a", n=2).prefix_with(UNSYNCED))
    async with engine.connect() as conn:
        assert (await conn.execute(text("PRAGMA synchronous"))).scalar() == 2


async def test_a_new_database_has_pages_of_16_kib(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        assert (await conn.execute(text("PRAGMA page_size"))).scalar() == 16 * 1024


async def test_statements_held_back_go_with_the_commit_or_with_the_rollback(
    engine: AsyncEngine, trips: list[str]
) -> None:
    database = Database(engine)
    async with database.transaction() as conn, deferring(conn):
        await conn.execute(insert(rows).values(id="a", n=1))
        await conn.execute(insert(rows).values(id="b", n=2))
    assert trips == ["_commit_after"]

    async def failing() -> None:
        async with database.transaction() as conn, deferring(conn):
            await conn.execute(insert(rows).values(id="c", n=3))
            raise RuntimeError("the request failed")

    with pytest.raises(RuntimeError):
        await failing()
    async with database.read() as conn:
        assert (await conn.execute(select(rows.c.id).order_by(rows.c.id))).all() == [
            ("a",), ("b",),
        ]  # fmt: skip


async def test_statements_kept_only_if_their_check_changed_one_row_go_in_one_trip(
    engine: AsyncEngine, trips: list[str]
) -> None:
    database = Database(engine)
    async with database.transaction() as conn:
        await database.finish(conn, [(insert(rows).values(id="a", n=1), None)])
    trips.clear()
    check = (update(rows).where(rows.c.id == "a", rows.c.n == 1).values(n=2), None)
    async with database.transaction() as conn:
        assert await database.finish_if_one(conn, check, [(insert(rows).values(id="b", n=1),
                                                          None)])  # fmt: skip
    assert trips == ["_run"]
    async with database.transaction() as conn:  # the check finds no row: nothing is kept,
        # and a step that could not have run after it (a duplicate) is never tried
        assert not await database.finish_if_one(conn, check, [
            (insert(rows).values(id="c", n=1), None), (insert(rows).values(id="b", n=9), None),
        ])  # fmt: skip
    async with database.read() as conn:
        assert (await conn.execute(select(rows.c.id, rows.c.n).order_by(rows.c.id))).all() == [
            ("a", 2), ("b", 1),
        ]  # fmt: skip
