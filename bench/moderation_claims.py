"""Claims per second and claim latency with 32 concurrent moderators on PostgreSQL,
100,000 submissions waiting. Not a test: it prints figures and writes them to
``bench/results/moderation_claims.json``.

1. A fresh PostgreSQL database (on ``INTAKE_BENCH_DATABASE_URL``, default the test
   server), migrated, with N submissions waiting (one photo each), inserted in bulk.
2. EXPLAIN ANALYZE of the claim statement (rolled back): it should walk the partial
   index ``ix_submissions_waiting``.
3. The service layer alone: M moderators claim and decide in a loop for S seconds.
4. Over HTTP against a real ``intake serve`` (with its embedded SeaweedFS): the same
   loop, each moderator a bearer token; the claim answer is the submission in full
   (files with their URLs through intake, audit trail).

The service layer is measured twice: claims alone (each moderator claims again and
again, holding every lease), then cycles of one claim and one decision (the queue drains
as in real use), as over HTTP. claims/s counts claims; the latency is that of the claim.

    .venv/bin/python bench/moderation_claims.py                    # 100,000 waiting, 32
    .venv/bin/python bench/moderation_claims.py --waiting 5000 --seconds 5   # quick
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import secrets
import signal
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import psutil
from sqlalchemy import insert, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from intake.adapters.db.engine import create_engine  # noqa: E402
from intake.adapters.db.migrate import migrate  # noqa: E402
from intake.adapters.db.moderation import SqlModerationQueue  # noqa: E402
from intake.adapters.db.moderators import SqlModeratorRepository  # noqa: E402
from intake.adapters.db.schema import files, submissions  # noqa: E402
from intake.adapters.db.submissions import SqlSubmissionRepository  # noqa: E402
from intake.adapters.db.transactions import Database  # noqa: E402
from intake.core.settings.loading import load_settings  # noqa: E402
from intake.keys.master import new_entry  # noqa: E402
from intake.moderation.accounts import ModeratorService  # noqa: E402
from intake.moderation.passwords import Passwords  # noqa: E402
from intake.moderation.ports import QueueFilter  # noqa: E402
from intake.moderation.queue import ModerationRules, ModerationService  # noqa: E402
from intake.moderation.records import Moderator, Role  # noqa: E402
from intake.safeguards.addresses import AddressKeys  # noqa: E402
from intake.submissions.records import SubmissionState  # noqa: E402
from intake.wiring.services import login_rules  # noqa: E402
from tests.moderation_helpers import a_file, waiting_submission  # noqa: E402

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
RESULTS = ROOT / "bench" / "results" / "moderation_claims.json"


class CpuMeter:
    """CPU seconds spent by some processes and by the PostgreSQL backends serving the
    bench's database (the same machine, read through /proc) between two readings."""

    def __init__(self, admin_dsn: str, database: str) -> None:
        self._dsn = admin_dsn
        self._database = database

    async def backends(self) -> list[int]:
        conn = await asyncpg.connect(self._dsn)
        try:
            rows = await conn.fetch(
                "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                self._database,
            )
        finally:
            await conn.close()
        return [row["pid"] for row in rows]

    @staticmethod
    def cpu(pids: list[int]) -> dict[int, float]:
        seconds = {}
        for pid in pids:
            with contextlib.suppress(psutil.Error):
                times = psutil.Process(pid).cpu_times()
                seconds[pid] = times.user + times.system
        return seconds

    async def reading(self, pids: list[int]) -> tuple[dict[int, float], dict[int, float]]:
        return self.cpu(pids), self.cpu(await self.backends())

    async def since(
        self, start: tuple[dict[int, float], dict[int, float]], pids: list[int], claims: int
    ) -> dict[str, float]:
        """CPU milliseconds per claim: ``intake`` (``pids``) and ``postgres``."""
        own, backends = await self.reading(pids)

        def spent(now: dict[int, float], then: dict[int, float]) -> float:
            return sum(value - then.get(pid, 0.0) for pid, value in now.items())

        per = 1000 / max(1, claims)
        return {"intake_cpu_ms_per_claim": round(spent(own, start[0]) * per, 2),
                "postgres_cpu_ms_per_claim": round(spent(backends, start[1]) * per, 2)}  # fmt: skip


async def fresh_database(
    server: str,
) -> tuple[str, Callable[[], Awaitable[None]], CpuMeter]:
    url = make_url(server)
    name = f"intake_bench_{secrets.token_hex(4)}"
    admin_dsn = url.set(drivername="postgresql", database="postgres").render_as_string(False)
    admin = await asyncpg.connect(admin_dsn)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()

    async def drop() -> None:
        conn = await asyncpg.connect(admin_dsn)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()

    url_text = url.set(drivername="postgresql+asyncpg", database=name).render_as_string(False)
    return url_text, drop, CpuMeter(admin_dsn, name)


async def fill(database: Database, count: int) -> None:
    batch = 5000
    from intake.adapters.db.submissions import file_row, submission_row

    for start in range(0, count, batch):
        made = [waiting_submission(n) for n in range(start, min(count, start + batch))]
        async with database.transaction() as conn:
            await conn.execute(insert(submissions), [submission_row(s) for s in made])
            await conn.execute(insert(files), [file_row(a_file(s)) for s in made])
    async with database.transaction() as conn:
        await conn.execute(text("ANALYZE submissions"))
        await conn.execute(text("ANALYZE files"))


async def explain_claim(database: Database) -> str:
    s = submissions.c
    from sqlalchemy import select, update

    oldest = (
        select(s.id)
        .where(s.state == SubmissionState.PENDING_REVIEW.value)
        .order_by(s.created_at)
        .limit(1)
        .with_for_update(skip_locked=True, of=submissions)
    )
    now = dt.datetime.now(dt.UTC)
    statement = (
        update(submissions)
        .where(s.id == oldest.scalar_subquery(), s.state == SubmissionState.PENDING_REVIEW.value)
        .values(
            state="in_review",
            lease_holder="bench",
            lease_expires_at=now,
            claimed_from="pending_review",
            updated_at=now,
        )
        .returning(s.id)
    )
    sql = str(
        statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    )
    async with database.engine.connect() as conn:
        transaction = await conn.begin()
        rows = await conn.execute(text("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql))
        plan = "\n".join(r[0] for r in rows)
        await transaction.rollback()
    return f"{sql}\n\n{plan}"


def summary(latencies: list[float], claims: int, seconds: float) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "claims": claims,
        "seconds": round(seconds, 2),
        "claims_per_second": round(claims / seconds, 1),
        "p50_ms": round(1000 * statistics.median(ordered), 2),
        "p99_ms": round(1000 * ordered[int(0.99 * (len(ordered) - 1))], 2),
    }


async def run_loop(
    moderators: int, seconds: float, cycle: Callable[[int], Awaitable[float | None]]
) -> dict[str, float]:
    latencies: list[float] = []
    deadline = time.monotonic() + seconds
    started = time.monotonic()

    async def one(number: int) -> None:
        while time.monotonic() < deadline:
            latency = await cycle(number)
            if latency is None:
                return
            latencies.append(latency)

    await asyncio.gather(*(one(n) for n in range(moderators)))
    return summary(latencies, len(latencies), time.monotonic() - started)


async def service_layer(
    database: Database, meter: CpuMeter, moderators: int, seconds: float, *, decide: bool = True
) -> dict[str, float]:
    repository = SqlSubmissionRepository(database)
    service = ModerationService(
        SqlModerationQueue(database),
        repository,
        ModerationRules(dt.timedelta(minutes=10), ("other",)),
    )
    now = dt.datetime.now(dt.UTC)
    people = [
        Moderator(f"00000000-0000-7000-8000-{n:012d}", f"svc{n}", Role.MODERATOR, False, now, now)
        for n in range(moderators)
    ]

    async def cycle(number: int) -> float | None:
        began = time.perf_counter()
        claimed = await service.claim(people[number], QueueFilter())
        latency = time.perf_counter() - began
        if claimed is None:
            return None
        if decide:
            await service.decide(people[number], claimed.id, "approve", "other", "")
        return latency

    await run_loop(moderators, 1.0, cycle)  # warm: pool filled, statements cached
    start = await meter.reading([os.getpid()])
    result = await run_loop(moderators, seconds, cycle)
    return {**result, **await meter.since(start, [os.getpid()], int(result["claims"]))}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def over_http(url: str, meter: CpuMeter, moderators: int, seconds: float) -> dict[str, Any]:
    settings = load_settings(None, {"INTAKE_DATABASE_URL": url})
    engine = create_engine(url)
    passwords = Passwords(1)
    accounts = ModeratorService(
        SqlModeratorRepository(Database(engine)),
        passwords,
        login_rules(settings),
        AddressKeys(os.urandom(32)),
    )
    tokens = []
    for n in range(moderators):
        added = await accounts.add(f"http{n}", Role.MODERATOR, None, "bench")
        tokens.append((await accounts.issue_token(added, "bench")).token)
    passwords.close()
    await engine.dispose()
    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="intake-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
    env.update(
        INTAKE_DATABASE_URL=url,
        INTAKE_SERVER_PORT=str(port),
        INTAKE_SERVER_DATA_DIR=str(workdir / "var"),
        INTAKE_SERVER_LOG_LEVEL="warning",
        INTAKE_SERVER_STORAGE_DIR=str(ROOT / "storage"),
        INTAKE_DATABASE_POOL_SIZE="16",
        INTAKE_SERVER_ADDRESS_SECRET=os.urandom(16).hex(),
        INTAKE_KEYS_MASTER_KEY=new_entry("bench"),  # required on PostgreSQL
    )
    log = (workdir / "serve.log").open("wb")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "intake", "serve", cwd=ROOT, env=env, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
            for _ in range(300):
                try:
                    async with http.get(base + "/readyz") as response:
                        if response.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.2)
            statuses: dict[int, int] = {}

            async def cycle(number: int) -> float | None:
                headers = {"Authorization": f"Bearer {tokens[number]}"}
                began = time.perf_counter()
                async with http.post(f"{base}/api/v1/moderation/claim", headers=headers) as r:
                    body = await r.json() if r.status == 200 else None
                    statuses[r.status] = statuses.get(r.status, 0) + 1
                latency = time.perf_counter() - began
                if body is None:
                    return None
                decision = {"decision": "approve", "reason": "newsworthy"}
                async with http.post(
                    f"{base}/api/v1/moderation/submissions/{body['id']}/decision",
                    headers=headers,
                    json=decision,
                ) as r:
                    await r.read()
                    statuses[r.status] = statuses.get(r.status, 0) + 1
                return latency

            await run_loop(moderators, 1.0, cycle)
            start = await meter.reading([proc.pid])
            result: dict[str, Any] = await run_loop(moderators, seconds, cycle)
            result.update(await meter.since(start, [proc.pid], int(result["claims"])))
            result["statuses"] = statuses
            return result
    finally:
        proc.send_signal(signal.SIGINT)
        await asyncio.wait_for(proc.wait(), 30)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--waiting", type=int, default=100_000)
    parser.add_argument("--moderators", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    server = os.environ.get("INTAKE_BENCH_DATABASE_URL", DEFAULT_PG)
    url, drop, meter = await fresh_database(server)
    try:
        engine = create_engine(url, pool_size=args.moderators)
        await migrate(engine)
        database = Database(engine)
        began = time.monotonic()
        await fill(database, args.waiting)
        print(f"{args.waiting} submissions waiting ({time.monotonic() - began:.1f} s to insert)")
        plan = await explain_claim(database)
        print("EXPLAIN ANALYZE of the claim:\n" + plan + "\n")
        claims_only = await service_layer(
            database, meter, args.moderators, args.seconds, decide=False
        )
        print(f"service layer, claims only, {args.moderators} moderators: {claims_only}")
        service = await service_layer(database, meter, args.moderators, args.seconds)
        print(f"service layer, claim + decide, {args.moderators} moderators: {service}")
        await engine.dispose()
        http = await over_http(url, meter, args.moderators, args.seconds)
        print(f"HTTP (intake serve), claim + decide, {args.moderators} moderators: {http}")
    finally:
        await drop()
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "waiting": args.waiting,
                "moderators": args.moderators,
                "service_claims_only": claims_only,
                "service": service,
                "http": http,
                "explain": plan,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    asyncio.run(main())
