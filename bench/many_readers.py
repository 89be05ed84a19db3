"""Many readers at once on slow connections: ``intake serve`` beside a direct-to-S3
baseline on the same SeaweedFS, in the same run. Not a test: it prints figures and
writes them to ``bench/results/many_readers.json``.

N simulated readers (default 1,000) start together, each sending one file at a reader's
pace (default 128 KiB/s, about 1 Mbit/s, in 16 KiB writes): mostly photos
(0.3 to 3 MiB) and every ``--video-every``-th a video (4 to 12 MiB). Through the service,
one multipart ``POST /api/v1/submissions`` each (the form's door); directly, one presigned
``PUT`` of the same bytes to the bucket, at the same pace. Reported per side: files and
bytes per second, p50/p99/max latency (request start to answer), errors, and the peak
resident memory of the process that took the load (``intake serve`` or SeaweedFS),
sampled every 50 ms, with its RSS before and after. The exit status is 1 when a reader
failed through intake (the baseline's failures are reported, not judged).

    .venv/bin/python bench/many_readers.py                       # 1,000 readers
    .venv/bin/python bench/many_readers.py --readers 200 --rate 256
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from upload_throughput import (
    MP4_HEADER,
    STORAGE_DIR,
    ProcessWatch,
    intake_command,
    make_s3_client,
    running_service,
)

from intake.adapters.embedded.seaweedfs import run_seaweedfs

KiB, MiB = 1024, 1024 * 1024
JPEG_HEADER = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
WRITE = 16 * KiB
RESULTS = Path(__file__).parent / "results" / "many_readers.json"


@dataclass
class Side:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    bytes_sent: int = 0
    seconds: float = 0.0
    peak_rss_mib: float = 0.0
    rss_before_mib: float = 0.0
    rss_after_mib: float = 0.0

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    def summary(self) -> dict[str, object]:
        done = sorted(self.latencies)
        pct = (statistics.quantiles(done, n=100, method="inclusive")
               if len(done) > 1 else done * 99)  # fmt: skip
        return {
            "side": self.name, "files": len(done), "errors": self.errors,
            "files_per_s": round(len(done) / self.seconds, 1),
            "mib_per_s": round(self.bytes_sent / MiB / self.seconds, 1),
            "p50_s": round(pct[49], 2), "p99_s": round(pct[98], 2),
            "max_s": round(done[-1], 2) if done else 0.0, "wall_s": round(self.seconds, 1),
            "peak_rss_mib": round(self.peak_rss_mib, 1),
            "rss_before_mib": round(self.rss_before_mib, 1),
            "rss_after_mib": round(self.rss_after_mib, 1),
        }  # fmt: skip


def files(readers: int, video_every: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    made = []
    block = os.urandom(12 * MiB)
    for number in range(readers):
        video = video_every and number % video_every == video_every - 1
        size = rng.randint(4 * MiB, 12 * MiB) if video else rng.randint(300 * KiB, 3 * MiB)
        head = MP4_HEADER if video else JPEG_HEADER
        start = rng.randint(0, len(block) - size)
        made.append(head + block[start : start + size - len(head)])
    return made


async def paced(data: bytes, rate: float) -> AsyncIterator[bytes]:
    """``data`` in 16 KiB writes, no faster than ``rate`` bytes per second."""
    started = time.monotonic()
    for offset in range(0, len(data), WRITE):
        yield data[offset : offset + WRITE]
        ahead = (offset + WRITE) / rate - (time.monotonic() - started)
        if ahead > 0:
            await asyncio.sleep(ahead)


async def crowd(side: Side, payloads: list[bytes],
                send: Callable[[int, bytes], Awaitable[int]]) -> None:  # fmt: skip
    async def one(number: int, data: bytes) -> None:
        started = time.monotonic()
        try:
            status = await send(number, data)
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            side.error(type(exc).__name__)
            return
        if status >= 300:
            side.error(str(status))
            return
        side.latencies.append(time.monotonic() - started)
        side.bytes_sent += len(data)

    started = time.monotonic()
    await asyncio.gather(*(one(n, d) for n, d in enumerate(payloads)))
    side.seconds = time.monotonic() - started


async def through_intake(http: aiohttp.ClientSession, base: str, rate: float,
                         number: int, data: bytes) -> int:  # fmt: skip
    form = aiohttp.FormData()
    form.add_field("consent_terms", "true")
    form.add_field("story", f"reader {number}")
    kind = "video/mp4" if data.startswith(MP4_HEADER) else "image/jpeg"
    form.add_field("files", paced(data, rate), filename="f", content_type=kind)
    async with http.post(base + "/api/v1/submissions", data=form) as response:
        await response.read()
        return response.status


async def run(args: argparse.Namespace) -> list[dict[str, object]]:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the service inherits it
    payloads = files(args.readers, args.video_every, args.seed)
    rate = args.rate * KiB
    print(f"{len(payloads)} readers at {args.rate} KiB/s, "
          f"{sum(map(len, payloads)) / MiB:.0f} MiB in all", flush=True)  # fmt: skip
    sides = [Side("intake"), Side("direct S3")]
    timeout = aiohttp.ClientTimeout(total=None, sock_read=300)
    with tempfile.TemporaryDirectory(prefix="intake-readers-") as tmp:
        workdir = Path(tmp)
        async with (
            run_seaweedfs(workdir / "seaweedfs", STORAGE_DIR / "seaweedfs-s3.json") as s3,
            running_service(s3, workdir, 32 * MiB, intake_command(None),
                            dict(e.split("=", 1) for e in args.service_env)) as service,
            aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),
                                  timeout=timeout) as http,
        ):  # fmt: skip
            client = make_s3_client(s3, 4)
            urls = [client.generate_presigned_url(
                        "put_object", Params={"Bucket": service.bucket, "Key": f"direct/{n}"},
                        ExpiresIn=3600)
                    for n in range(len(payloads))]  # fmt: skip

            async def direct(number: int, data: bytes) -> int:
                async with http.put(
                    urls[number], data=paced(data, rate), headers={"Content-Length": str(len(data))}
                ) as response:
                    await response.read()
                    return response.status

            async def intake(number: int, data: bytes) -> int:
                return await through_intake(http, service.base_url, rate, number, data)

            pids = {"intake": service.pid, "direct S3": s3.pid}
            with ProcessWatch(pids) as watch:
                for side, send in zip(sides, (intake, direct), strict=True):
                    print(f"-- {side.name}", flush=True)
                    watch.reset()
                    side.rss_before_mib = watch.rss_mib(side.name)
                    await crowd(side, payloads, send)
                    side.peak_rss_mib = watch.peaks_mib()[side.name]
                    side.rss_after_mib = watch.rss_mib(side.name)
            client.close()
    return [side.summary() for side in sides]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--readers", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=128, help="KiB/s per reader")
    parser.add_argument("--video-every", type=int, default=50, help="every N-th is a video")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument(
        "--service-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an INTAKE_* setting of the service (repeatable)",
    )
    args = parser.parse_args(argv)
    results = asyncio.run(run(args))
    header = f"{'side':<10} {'files':>6} {'err':>4} {'files/s':>8} {'MiB/s':>7} " \
             f"{'p50 s':>7} {'p99 s':>7} {'max s':>7} {'peak RSS MiB':>13}"  # fmt: skip
    print(header)
    for r in results:
        errors = sum(r["errors"].values())  # type: ignore[attr-defined]
        print(f"{r['side']:<10} {r['files']:>6} {errors:>4} {r['files_per_s']:>8} "
              f"{r['mib_per_s']:>7} {r['p50_s']:>7} {r['p99_s']:>7} {r['max_s']:>7} "
              f"{r['peak_rss_mib']:>13}")  # fmt: skip
    intake_side = results[0]
    print(
        f"intake RSS before {intake_side['rss_before_mib']} MiB, peak "
        f"{intake_side['peak_rss_mib']} MiB, after {intake_side['rss_after_mib']} MiB"
    )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({
        "readers": args.readers, "rate_kib_s": args.rate, "video_every": args.video_every,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "results": results,
    }, indent=2) + "\n")  # fmt: skip
    return 1 if results[0]["errors"] else 0  # the baseline's failures are its own


if __name__ == "__main__":
    sys.exit(main())
