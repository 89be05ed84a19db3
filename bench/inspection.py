"""Inspection throughput (not a test): photos per second, and video time against size.

Starts SeaweedFS on loopback and a SQLite database in a temp dir, stores generated
originals, and runs :class:`intake.inspection.service.InspectionService` on them exactly as a
worker does (fetch from S3, decode in the decoder processes, upload derivatives,
record the verdict):

- photos: ``--photos`` 12 MP JPEGs on ``--processes`` decoder processes, ``--jobs`` at a
  time (as a worker runs ``workers.concurrency`` jobs); photos per second;
- videos: two H.264 MP4s of the same length (``--video-seconds`` at 1280x720, 30 fps),
  about 10 MB and about 500 MB; seconds per step (fetch, probe, poster, remux,
  upload, record). Probe and poster must not grow with the size; fetch, remux and
  upload copy bytes and do.

    .venv/bin/python bench/inspection.py            # make bench-inspection

Generated videos are kept in ``var/bench-media/`` between runs. Figures are printed
and written to ``bench/results/inspection.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import hashlib
import io
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import av
from PIL import Image, ImageDraw

from intake.adapters.db.engine import create_engine
from intake.adapters.db.migrate import migrate
from intake.adapters.db.submissions import SqlSubmissionRepository
from intake.adapters.db.transactions import Database
from intake.adapters.embedded.seaweedfs import run_seaweedfs
from intake.adapters.s3 import S3Connection, S3ObjectStore
from intake.core.bucket_layout import original_key, submission_prefix
from intake.core.ids import new_id, new_reference
from intake.core.object_store import SpooledBody
from intake.core.settings.loading import load_settings
from intake.inspection.decoders import DecoderPool
from intake.inspection.service import InspectionRules, InspectionService
from intake.submissions.records import (
    FileState,
    StoredFile,
    Submission,
    SubmissionState,
    SubmitterDetails,
)

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "var" / "bench-media"
RESULTS = ROOT / "bench" / "results" / "inspection.json"
MB = 1_000_000


def photo_12mp(seed: int) -> bytes:
    """A 4000x3000 JPEG that compresses like a photo (shapes, gradients, fine grain)."""
    size = (4000, 3000)
    base = Image.merge(
        "RGB",
        [Image.linear_gradient("L").resize(size),
         Image.radial_gradient("L").resize(size),
         Image.effect_noise(size, 18 + seed)],
    )  # fmt: skip
    draw = ImageDraw.Draw(base)
    for i in range(40):
        x, y = (i * 397 + seed * 61) % 3800, (i * 251 + seed * 37) % 2800
        draw.ellipse((x, y, x + 200, y + 150), fill=(i * 6 % 255, 200 - i * 3, 40 + i * 5))
    out = io.BytesIO()
    base.save(out, "JPEG", quality=90)
    return out.getvalue()


def make_video(path: Path, seconds: int, bit_rate: int | None) -> None:
    """``seconds`` of 1280x720 30 fps H.264 (noise: every bit costs, so size follows
    the bitrate); ``bit_rate=None`` is lossless (about 1.5 MB a frame)."""
    frames = [
        Image.merge("RGB", [Image.effect_noise((1280, 720), 60) for _ in range(3)])
        for _ in range(6)
    ]
    options = {"preset": "ultrafast", "g": "30"}
    if bit_rate is None:
        options["qp"] = "0"
    tmp = path.with_suffix(".part")
    with av.open(str(tmp), "w", format="mp4") as out:
        out.metadata["creation_time"] = "2026-11-28T10:00:00.000000Z"
        out.metadata["location"] = "+34.5553+069.2075/"
        stream = out.add_stream("libx264", rate=30, options=options)
        stream.width, stream.height, stream.pix_fmt = 1280, 720, "yuv420p"
        if bit_rate:
            stream.bit_rate = bit_rate
        for i in range(seconds * 30):
            frame = av.VideoFrame.from_image(frames[i % len(frames)]).reformat(format="yuv420p")
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    tmp.rename(path)


def cached_video(name: str, seconds: int, bit_rate: int | None) -> Path:
    path = CACHE / f"{name}-{seconds}s.mp4"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        print(f"generating {path.name}...", flush=True)
        make_video(path, seconds, bit_rate)
    return path


class Bench:
    def __init__(self, store: S3ObjectStore, repository: SqlSubmissionRepository,
                 service: InspectionService) -> None:  # fmt: skip
        self.store, self.repository, self.service = store, repository, service

    async def submission(self, files: list[tuple[Path | bytes, str, str]]) -> Submission:
        """A submission (processing) whose originals are stored; ``files`` are
        (content, media type, kind)."""
        now = dt.datetime.now(dt.UTC)
        sid = new_id()
        submission = Submission(sid, new_reference(), SubmissionState.PROCESSING, now, now,
                                SubmitterDetails(consent_terms=True), "bench", "x" * 64,
                                submission_prefix(sid, now), len(files))  # fmt: skip
        stored = []
        for position, (content, mime, kind) in enumerate(files):
            fid = new_id()
            key = original_key(submission.prefix, fid)
            if isinstance(content, Path):
                size = content.stat().st_size
                body: bytes | SpooledBody = SpooledBody(content, size)
                digest = hashlib.sha256(content.read_bytes()).hexdigest()
            else:
                size, body, digest = len(content), content, hashlib.sha256(content).hexdigest()
            await self.store.put(key, body, content_type=mime, metadata={})
            stored.append(StoredFile(fid, sid, position, f"f{position}", mime, kind, size,
                                     digest, key, FileState.STORED, now))  # fmt: skip
        await self.repository.add_submission(submission, stored, [])
        return submission

    async def photos(self, count: int, parallel: int) -> dict[str, Any]:
        print(f"photos: {count} x 12 MP JPEG, {parallel} at a time", flush=True)
        images = [photo_12mp(i) for i in range(min(count, 4))]
        files = [(images[i % len(images)], "image/jpeg", "photo") for i in range(count)]
        submission = await self.submission(files)
        stored = await self.repository.files_of(submission.id)
        await self.service.inspect_file(submission, stored[0])  # warm the decoders up
        timings: list[dict[str, float]] = []
        gate = asyncio.Semaphore(parallel)

        async def one(file: StoredFile) -> None:
            async with gate:
                spent: dict[str, float] = {}
                await self.service.inspect_file(submission, file, spent)
                timings.append(spent)

        started = time.perf_counter()
        await asyncio.gather(*(one(f) for f in stored[1:]))
        elapsed = time.perf_counter() - started
        steps = {k: round(statistics.median(t[k] for t in timings), 3) for k in timings[0]}
        return {"photos": count - 1, "seconds": round(elapsed, 2),
                "photos_per_second": round((count - 1) / elapsed, 2),
                "jpeg_mb": round(statistics.mean(len(i) for i in images) / MB, 2),
                "median_step_seconds": steps}  # fmt: skip

    async def video(self, path: Path, runs: int) -> dict[str, Any]:
        size = path.stat().st_size
        print(f"video: {path.name} ({size / MB:.0f} MB), {runs} runs", flush=True)
        results = []
        for _ in range(runs):
            submission = await self.submission([(path, "video/mp4", "video")])
            [file] = await self.repository.files_of(submission.id)
            spent: dict[str, float] = {}
            started = time.perf_counter()
            verdict = await self.service.inspect_file(submission, file, spent)
            spent["total"] = time.perf_counter() - started
            assert verdict.state is FileState.INSPECTED, verdict.reject_reason
            results.append(spent)
        steps = {k: round(statistics.median(r[k] for r in results), 3) for k in results[0]}
        return {"file": path.name, "mb": round(size / MB, 1), "median_seconds": steps}


async def main(args: argparse.Namespace) -> None:
    settings = load_settings(None, {"INTAKE_INSPECTION_PROCESSES": str(args.processes)})
    jobs = args.jobs or settings.workers.concurrency
    rules = dataclasses.replace(InspectionRules.from_settings(settings), near_duplicate_bits=0)
    small = cached_video("h264-10mb", args.video_seconds, 6_500_000)
    large = cached_video("h264-500mb", args.video_seconds, None)
    with tempfile.TemporaryDirectory(prefix="bench-inspection-") as tmp:
        async with run_seaweedfs(Path(tmp) / "s3", ROOT / "storage" / "seaweedfs-s3.json") as s3:
            store = S3ObjectStore(S3Connection(s3.endpoint, "us-east-1", "bench",
                                               s3.access_key_id, s3.secret_access_key))  # fmt: skip
            await store.ensure_bucket()
            engine = create_engine(f"sqlite+aiosqlite:///{tmp}/bench.db")
            await migrate(engine)
            repository = SqlSubmissionRepository(Database(engine))
            decoders = DecoderPool(args.processes, 3600)
            bench = Bench(store, repository, InspectionService(store, repository, decoders,
                                                               None, rules))  # fmt: skip
            try:
                report = {
                    "cpus": os.cpu_count(),
                    "processes": args.processes,
                    "jobs": jobs,
                    "photos": await bench.photos(args.photos, jobs),
                    "videos": [] if args.photos_only else [await bench.video(small, args.runs),
                                                           await bench.video(large, args.runs)],
                }  # fmt: skip
            finally:
                decoders.close()
                await engine.dispose()
                store.close()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--photos", type=int, default=25)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--video-seconds", type=int, default=12)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--jobs",
        type=int,
        default=0,
        help="photos inspected at once (default: workers.concurrency)",
    )
    parser.add_argument("--photos-only", action="store_true")
    asyncio.run(main(parser.parse_args()))
