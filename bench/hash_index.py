"""Near-duplicate lookups among 1,000,000 stored perceptual hashes, on SQLite and
PostgreSQL. Not a test: it prints figures and writes them to
``bench/results/hash_index.json``.

For each backend: a fresh database, migrated; N random 64-bit hashes loaded in bulk
into ``media_hashes`` (files of many submissions, a tenth of them near copies of others,
as re-sent photos and videos are; then VACUUM ANALYZE, as autovacuum does to an
insert-only table); then L lookups through
:class:`intake.adapters.db.media_hashes.SqlHashIndex` (``near``, at most B bits apart:
the candidates by band equality within ``B // 4`` bits, then the Hamming check), half of
them of hashes stored with a few bits changed, half of new ones. p50, p99 and max per
lookup (wall clock, so a loaded machine shows in p99: the load average is recorded), the
CPU intake spent per lookup (SQLite's included: it runs in-process), and a check that a
sample of the lookups found exactly what a scan finds; and the database engine's own time
for the candidate query (EXPLAIN ANALYZE on PostgreSQL; a plain connection on SQLite).

    .venv/bin/python bench/hash_index.py                      # 1,000,000 hashes, 6 bits
    .venv/bin/python bench/hash_index.py --hashes 100000 --lookups 200   # quick
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from intake.adapters.db.engine import BITS_APART, bits_apart, create_engine  # noqa: E402
from intake.adapters.db.media_hashes import SqlHashIndex, _candidates, row  # noqa: E402
from intake.adapters.db.migrate import migrate  # noqa: E402
from intake.adapters.db.schema import media_hashes  # noqa: E402
from intake.adapters.db.transactions import Database  # noqa: E402

DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


@asynccontextmanager
async def fresh_postgres(server: str) -> AsyncIterator[str]:
    url = make_url(server)
    name = f"intake_bench_hashes_{secrets.token_hex(4)}"
    admin_dsn = url.set(drivername="postgresql", database="postgres").render_as_string(False)
    admin = await asyncpg.connect(admin_dsn)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(drivername="postgresql+asyncpg", database=name).render_as_string(False)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def _flip(value: int, bits: int, rng: random.Random) -> int:
    for bit in rng.sample(range(64), bits):
        value ^= 1 << bit
    return value


def stored_hashes(count: int, rng: random.Random) -> list[int]:
    """Random hashes, a tenth of them within a few bits of an earlier one."""
    values: list[int] = []
    for i in range(count):
        if i > 100 and rng.random() < 0.1:
            values.append(_flip(values[rng.randrange(len(values))], rng.randrange(1, 5), rng))
        else:
            values.append(rng.getrandbits(64))
    return values


COLUMNS = ("file_id", "submission_id", "kind", "hash", "band0", "band1", "band2", "band3")


def _records(values: list[int]) -> list[tuple[Any, ...]]:
    rows = [row(f"f{i}", f"s{i // 3}", "photo", v) for i, v in enumerate(values)]
    return [tuple(r[c] for c in COLUMNS) for r in rows]


async def fill(url: str, values: list[int]) -> float:
    """Bulk load (COPY on PostgreSQL, one executemany on SQLite): rows as the index
    writes them (:func:`intake.adapters.db.media_hashes.row`)."""
    started = time.perf_counter()
    records = _records(values)
    if url.startswith("postgresql"):
        dsn = make_url(url).set(drivername="postgresql").render_as_string(False)
        conn = await asyncpg.connect(dsn)
        try:
            await conn.copy_records_to_table("media_hashes", records=records, columns=COLUMNS)
            await conn.execute("VACUUM ANALYZE media_hashes")  # as autovacuum would
        finally:
            await conn.close()
    else:
        with sqlite3.connect(make_url(url).database or "") as conn:
            marks = ",".join("?" * len(COLUMNS))
            conn.executemany(
                f"INSERT INTO media_hashes ({','.join(COLUMNS)}) VALUES ({marks})",
                records,
            )
            conn.execute("ANALYZE")
    return time.perf_counter() - started


async def measure(database: Database, values: list[int], lookups: int, bits: int,
                  rng: random.Random) -> dict[str, Any]:  # fmt: skip
    index = SqlHashIndex(database)
    queries = [_flip(values[rng.randrange(len(values))], rng.randrange(0, bits + 1), rng)
               if i % 2 == 0 else rng.getrandbits(64) for i in range(lookups)]  # fmt: skip
    for q in queries[:20]:  # warm the caches
        await index.near([f"{q:016x}"], bits, "nobody")
    times: list[float] = []
    found_total = 0
    cpu_started = time.process_time()
    for q in queries:
        started = time.perf_counter()
        found = await index.near([f"{q:016x}"], bits, "nobody")
        times.append((time.perf_counter() - started) * 1000)
        found_total += len(found)
    cpu_ms = (time.process_time() - cpu_started) * 1000 / lookups
    checked = queries[:: max(1, lookups // 20)]
    for q in checked:  # what a scan finds, for a sample of the lookups
        expected = sum(1 for v in values if (v ^ q).bit_count() <= bits)
        assert len(await index.near([f"{q:016x}"], bits, "nobody")) == expected, "missed"
    times.sort()
    return {
        "lookups": lookups, "p50_ms": round(statistics.median(times), 3),
        "p99_ms": round(times[int(len(times) * 0.99) - 1], 3), "max_ms": round(times[-1], 3),
        "mean_found": round(found_total / lookups, 2), "checked_against_a_scan": len(checked),
        "intake_cpu_ms_per_lookup": round(cpu_ms, 3),
        "load_average_1min": round(os.getloadavg()[0], 1), "cpus": os.cpu_count(),
    }  # fmt: skip


async def engine_ms(url: str, queries: list[int], bits: int) -> float:
    """Median time the database engine itself spends on the candidate query: PostgreSQL's
    EXPLAIN ANALYZE execution time; SQLite's, timed on a plain in-process connection
    (no event loop, no thread hop)."""
    times: list[float] = []
    radius = bits // 4
    if url.startswith("postgresql"):
        dsn = make_url(url).set(drivername="postgresql").render_as_string(False)
        conn = await asyncpg.connect(dsn)
        try:
            for q in queries:
                sql = _candidates(q, radius, bits, "postgresql")
                plan = await conn.fetchval(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
                times.append(float(json.loads(plan)[0]["Execution Time"]))
        finally:
            await conn.close()
    else:
        with sqlite3.connect(make_url(url).database or "") as conn:
            conn.create_function(BITS_APART, 2, bits_apart, deterministic=True)
            for q in queries:
                sql = _candidates(q, radius, bits, "sqlite")
                started = time.perf_counter()
                conn.execute(sql).fetchall()
                times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 3)


async def run_backend(name: str, url: str, args: argparse.Namespace) -> dict[str, Any]:
    engine = create_engine(url)
    try:
        await migrate(engine)
        database = Database(engine)
        rng = random.Random(21)
        values = stored_hashes(args.hashes, rng)
        seconds = await fill(url, values)
        async with database.transaction() as conn:
            stored = (await conn.execute(select(func.count()).select_from(media_hashes))).scalar()
        figures = await measure(database, values, args.lookups, args.bits, rng)
        sample = [rng.getrandbits(64) for _ in range(100)]
        figures["engine_p50_ms"] = await engine_ms(url, sample, args.bits)
    finally:
        await engine.dispose()
    result = {"backend": name, "stored": stored, "insert_seconds": round(seconds, 1),
              "max_bits": args.bits, **figures}  # fmt: skip
    print(json.dumps(result))
    return result


async def main(args: argparse.Namespace) -> None:
    results = []
    if args.backend in ("both", "sqlite"):
        with tempfile.TemporaryDirectory() as directory:
            sqlite = f"sqlite+aiosqlite:///{Path(directory) / 'hashes.db'}"
            results.append(await run_backend("sqlite", sqlite, args))
    if args.backend in ("both", "postgresql"):
        server = os.environ.get("INTAKE_BENCH_DATABASE_URL", DEFAULT_PG)
        async with fresh_postgres(server) as url:
            results.append(await run_backend("postgresql", url, args))
    out = ROOT / "bench" / "results" / "hash_index.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    for r in results:
        verdict = "ok" if r["p99_ms"] < 10 else "OVER 10 ms"
        print(f"{r['backend']:>10}: {r['stored']:,} hashes, lookup p50 {r['p50_ms']} ms, "
              f"p99 {r['p99_ms']} ms, max {r['max_ms']} ms ({verdict}); "
              f"{r['intake_cpu_ms_per_lookup']} CPU-ms in intake, the database engine's "
              f"own p50 {r['engine_p50_ms']} ms; "
              f"load {r['load_average_1min']} on {r['cpus']} CPUs")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hashes", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=1000)
    parser.add_argument("--bits", type=int, default=6)
    parser.add_argument("--backend", choices=("both", "sqlite", "postgresql"), default="both")
    asyncio.run(main(parser.parse_args()))
