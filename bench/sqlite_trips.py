"""CPU per SQLite transaction: intake's engine beside SQLAlchemy's stock aiosqlite driver.

Not a test: it prints figures and writes them to ``bench/results/sqlite_trips.json``.

Both engines run the same transactions, one after the other, on a fresh database file each
in a temp dir (WAL, ``synchronous=FULL``, as ``intake serve`` runs SQLite): a read of one
row, one insert, four inserts. The figure is this process's CPU (user + system, all
threads: aiosqlite's included) per transaction, the median of ``--repeats`` rounds, and the
stock driver's over intake's, measured side by side. :mod:`intake.adapters.db.sqlite_driver`
says what differs (one trip to aiosqlite's thread per statement instead of four).

    .venv/bin/python bench/sqlite_trips.py            # make bench-sqlite
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, event, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from intake.adapters.db.engine import create_engine, sqlite_pragmas

RESULTS = Path(__file__).resolve().parent / "results" / "sqlite_trips.json"
metadata = MetaData()
rows = Table("rows", metadata, Column("id", String, primary_key=True), Column("n", Integer))

Work = Callable[[AsyncConnection, int], Awaitable[None]]


async def read_one(conn: AsyncConnection, i: int) -> None:
    found = (await conn.execute(select(rows.c.n).where(rows.c.id == f"seed{i % 100}"))).first()
    assert found is not None


def inserts(count: int) -> Work:
    ids = itertools.count()

    async def run(conn: AsyncConnection, i: int) -> None:
        for _ in range(count):
            await conn.execute(insert(rows).values(id=f"{count}-{next(ids)}", n=i))

    return run


WORKS: dict[str, Work] = {"read 1 row": read_one, "insert 1 row": inserts(1),
                          "insert 4 rows": inserts(4)}  # fmt: skip


def stock_engine(url: str) -> AsyncEngine:
    """SQLAlchemy's aiosqlite driver, with intake's pragmas (the same engine otherwise)."""
    stock = create_async_engine(url, connect_args={"timeout": 30}, pool_reset_on_return=None)
    event.listen(stock.sync_engine, "connect", sqlite_pragmas)
    return stock


async def cpu_ms_per_transaction(engine: AsyncEngine, work: Work, count: int) -> float:
    started = time.process_time()
    for i in range(count):
        async with engine.begin() as conn:
            await work(conn, i)
    return (time.process_time() - started) / count * 1000


async def main(args: argparse.Namespace) -> dict[str, Any]:
    report: dict[str, Any] = {"transactions": args.transactions, "repeats": args.repeats}
    with tempfile.TemporaryDirectory(prefix="bench-sqlite-") as tmp:
        engines = {"intake": create_engine(f"sqlite+aiosqlite:///{tmp}/intake.db"),
                   "stock": stock_engine(f"sqlite+aiosqlite:///{tmp}/stock.db")}  # fmt: skip
        for engine in engines.values():
            async with engine.begin() as conn:
                await conn.run_sync(metadata.create_all)
                await conn.execute(insert(rows), [{"id": f"seed{i}", "n": i} for i in range(100)])
        samples: dict[str, dict[str, list[float]]] = {w: {"intake": [], "stock": []} for w in WORKS}
        for _ in range(args.repeats):
            for name, work in WORKS.items():
                for side, engine in engines.items():
                    cost = await cpu_ms_per_transaction(engine, work, args.transactions)
                    samples[name][side].append(cost)
        for engine in engines.values():
            await engine.dispose()
    for name, sides in samples.items():
        intake, stock = statistics.median(sides["intake"]), statistics.median(sides["stock"])
        report[name] = {"intake_cpu_ms": round(intake, 3), "stock_cpu_ms": round(stock, 3),
                        "stock_over_intake": round(stock / intake, 2)}  # fmt: skip
        print(f"{name:14} intake {intake:6.3f} CPU-ms   stock aiosqlite {stock:6.3f}   "
              f"stock/intake {stock / intake:4.2f}")  # fmt: skip
    return report


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--transactions", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    result = asyncio.run(main(parser.parse_args()))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2))
