"""CPU per request of ``intake serve``, request by request: a bare one, then each step of a
1 MiB tus flow (draft, upload creation, PATCH, HEAD, submit).

Not a test: it prints figures and writes them to ``bench/results/request_costs.json``.

One SeaweedFS and one ``intake serve`` run on loopback, configured as ``make bench``
configures them (:func:`upload_throughput.service_env`: SQLite in a temporary directory,
no rate limits). Each kind of request is sent ``--count`` times, ``--concurrency`` at a
time, after the kinds before it; the figure is the service's CPU (user + system, all its
threads) over the requests of that kind, read from ``/proc`` before and after, so the
other processes on the machine do not count (though they slow it: compare builds side by
side, ``--service-env PYTHONPATH=`` an export of each). Where ``make bench`` tells what a
whole upload costs, this tells which request of it costs what.

    .venv/bin/python bench/request_costs.py                 # make bench-requests
    .venv/bin/python bench/request_costs.py --service-env PYTHONPATH=/tmp/older
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

import upload_throughput as bench

from intake.adapters.embedded.seaweedfs import run_seaweedfs

RESULTS = bench.ROOT / "bench" / "results" / "request_costs.json"
SIZE = 1024 * 1024

Request = Callable[[int], Awaitable[None]]


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


async def cpu_ms_per_request(
    process: psutil.Process, count: int, concurrency: int, request: Request
) -> float:
    """The service's CPU-ms per request over ``count`` calls of ``request(i)``."""
    turns = asyncio.Semaphore(concurrency)

    async def one(i: int) -> None:
        async with turns:
            await request(i)

    before = cpu_seconds(process)
    await asyncio.gather(*(one(i) for i in range(count)))
    return (cpu_seconds(process) - before) / count * 1000


async def flow_costs(
    http: aiohttp.ClientSession, process: psutil.Process, count: int, concurrency: int
) -> dict[str, float]:
    drafts: dict[int, bench.Draft] = {}
    locations: dict[int, str] = {}
    payload = memoryview(bench.make_payload(SIZE))

    async def healthz(i: int) -> None:
        async with http.get("/healthz") as response:
            await bench.expect(response, 200, "healthz")

    async def draft(i: int) -> None:
        drafts[i] = await bench.create_draft(http, i)

    async def create(i: int) -> None:
        locations[i] = await bench.create_upload(http, drafts[i], SIZE, i)

    async def patch(i: int) -> None:
        await bench.patch_chunk(http, drafts[i], locations[i], 0, payload)

    async def head(i: int) -> None:
        async with http.head(locations[i], headers=drafts[i].headers()) as response:
            await bench.expect(response, 200, f"HEAD {locations[i]}")

    async def submit(i: int) -> None:
        await bench.submit_draft(http, drafts[i], SIZE, i)

    await cpu_ms_per_request(process, count, concurrency, healthz)  # warm-up
    costs: dict[str, float] = {}
    steps: list[tuple[str, Request]] = [
        ("GET /healthz", healthz), ("POST draft", draft), ("POST upload (1 MiB)", create),
        ("PATCH 1 MiB (completes it)", patch), ("HEAD upload", head), ("POST submit", submit),
    ]  # fmt: skip
    for name, request in steps:
        costs[name] = await cpu_ms_per_request(process, count, concurrency, request)
    return costs


async def main(args: argparse.Namespace) -> dict[str, Any]:
    overrides = dict(item.split("=", 1) for item in args.service_env)
    rounds: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="intake-requests-") as temporary:
        work = Path(temporary)
        identity = bench.STORAGE_DIR / "seaweedfs-s3.json"
        async with run_seaweedfs(work / "seaweedfs", identity) as s3:
            for number in range(args.rounds):
                workdir = work / f"round-{number}"
                workdir.mkdir()
                async with (
                    bench.running_service(
                        s3, workdir, 1 << 30, bench.intake_command(None), overrides
                    ) as service,
                    aiohttp.ClientSession(service.base_url) as http,
                ):
                    process = psutil.Process(service.pid)
                    rounds.append(await flow_costs(http, process, args.count, args.concurrency))
    names = list(rounds[0])
    print(f"intake CPU-ms per request, {args.count} of each, {args.concurrency} at a time:")
    for name in names:
        figures = ", ".join(f"{r[name]:6.2f}" for r in rounds)
        print(f"  {name:30s} {figures}")
    return {"count": args.count, "concurrency": args.concurrency, "rounds": rounds,
            "service_env": overrides}  # fmt: skip


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=400, help="requests of each kind")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2, help="fresh services, one after another")
    parser.add_argument(
        "--service-env", action="append", default=[], metavar="NAME=VALUE",
        help="an environment variable of the service (e.g. PYTHONPATH=...)",
    )  # fmt: skip
    return parser.parse_args(argv)


if __name__ == "__main__":
    document = asyncio.run(main(parse()))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(document, indent=2) + "\n")
    print(f"figures written to {RESULTS.relative_to(bench.ROOT)}")
