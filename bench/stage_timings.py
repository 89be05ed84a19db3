"""``intake serve`` with wall-clock timings of its stages, for finding bottlenecks.

Runs the service in this process (same pid, so RSS sampling still applies) after
wrapping a few coroutines of the S3 adapter, the repositories, the file pipeline, the
resumable uploads (tus) and the request handler, and timing how long database
transactions wait for, and hold, SQLite's turn; at exit it writes, to
``$BENCH_STAGES_OUT`` (default ``bench/results/stages.json``), per stage: calls,
total/mean/p50/p95 milliseconds. Nothing under ``intake/`` is changed on disk.

    .venv/bin/python bench/upload_throughput.py \\
        --service-command ".venv/bin/python bench/stage_timings.py"
"""

from __future__ import annotations

import asyncio
import atexit
import functools
import json
import os
import re
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Literal

OUT = Path(os.environ.get("BENCH_STAGES_OUT", Path(__file__).parent / "results/stages.json"))
_timings: defaultdict[str, list[float]] = defaultdict(list)


def timed(name: str, fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    @functools.wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return await fn(*args, **kwargs)
        finally:
            _timings[name].append((time.perf_counter() - start) * 1000)

    return wrapper


def timed_sync(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            _timings[name].append((time.perf_counter() - start) * 1000)

    return wrapper


def patch(owner: Any, attribute: str, name: str, *, sync: bool = False) -> None:
    original = getattr(owner, attribute, None)
    if original is None:  # the code moved on: say so rather than fail to start
        print(f"stage_timings: {owner.__name__}.{attribute} not found", file=sys.stderr)
        return
    setattr(owner, attribute, (timed_sync if sync else timed)(name, original))


def record(name: str, start: float) -> None:
    _timings[name].append((time.perf_counter() - start) * 1000)


class TimedLock(asyncio.Lock):
    """SQLite's turn-taking lock, timing the wait for it and how long it is held."""

    _held_since = 0.0

    async def acquire(self) -> Literal[True]:
        start = time.perf_counter()
        acquired = await super().acquire()
        record("db turn: wait", start)
        self._held_since = time.perf_counter()
        return acquired

    def release(self) -> None:
        record("db turn: held", self._held_since)
        super().release()


def time_db_turns() -> None:
    from intake.adapters.db.transactions import Database

    original = Database.__init__

    @functools.wraps(original)
    def init(self: Database, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        if self._turns is not None:
            self._turns = TimedLock()

    Database.__init__ = init  # type: ignore[method-assign]


def time_sqlite_statements() -> None:
    """Time each statement on aiosqlite's thread (SQLite's own work, its commit's fsync
    included), named by its first words without comments (never its values)."""
    from intake.adapters.db import sqlite_driver

    original = sqlite_driver._run

    def run(connection: Any, operation: str, parameters: Any, many: bool, commit: bool,
            *rest: Any) -> Any:  # fmt: skip
        start = time.perf_counter()
        try:
            return original(connection, operation, parameters, many, commit, *rest)
        finally:
            words = " ".join(re.sub(r"/\*.*?\*/", "", operation).split()[:4])
            record(f"sqlite thread: {words}{' + commit' if commit else ''}", start)

    sqlite_driver._run = run


def install_tus() -> None:
    from intake.adapters.db import submissions as db
    from intake.adapters.db import uploads
    from intake.submissions import drafts
    from intake.uploads import chunks as chunk
    from intake.uploads import resumable as service

    for method in ("create", "status", "append", "_claim", "_receive"):
        patch(service.UploadService, method, f"tus.{method}")
    for method in ("receive", "commit", "_open_writer"):
        patch(chunk.ChunkWriter, method, f"tus chunk.{method}")
    for method in ("add_upload", "get_upload", "get_with_owner", "uploads_of", "claim",
                   "save", "release"):  # fmt: skip
        patch(uploads.SqlUploadRepository, method, f"db.{method}")
    for method in ("get_submission", "submit_draft"):
        patch(db.SqlSubmissionRepository, method, f"db.{method}")
    patch(drafts.DraftService, "create", "draft.create")
    patch(drafts.DraftService, "submit", "draft.submit")


def install() -> None:
    from intake.adapters import s3
    from intake.adapters.db import submissions as db
    from intake.submissions import receiving as submissions
    from intake.uploads import pipeline as file_receiver
    from intake.uploads import spool
    from intake.web.submissions import api as api_submissions

    store = s3.S3ObjectStore
    for method in ("put", "create_multipart", "upload_part", "complete_multipart",
                   "replace_metadata", "get_range", "delete", "list_multipart_uploads",
                   "list_keys"):  # fmt: skip
        patch(store, method, f"s3.{method}")
    for method in ("_put_sync", "_upload_part_sync", "_get_range_sync"):
        patch(store, method, f"s3 thread.{method}", sync=True)
    patch(db.SqlSubmissionRepository, "add_submission", "db.add_submission")
    patch(file_receiver.FilePolicy, "check_type", "sniff (in thread)", sync=True)
    patch(spool.PartBuffer, "_flush", "spool._flush (to disk)")
    patch(spool.PartBuffer, "close", "spool.close")
    patch(submissions, "receive_file", "receive_file (whole file)")
    patch(submissions.IncomingSubmission, "complete", "complete (manifest + row)")
    patch(api_submissions, "receive_form", "request (receive_form)")
    install_tus()
    time_db_turns()
    time_sqlite_statements()


def summary() -> dict[str, dict[str, float]]:
    table = {}
    for name, values in sorted(_timings.items()):
        ordered = sorted(values)
        table[name] = {
            "calls": len(values),
            "total_ms": sum(values),
            "mean_ms": statistics.fmean(values),
            "p50_ms": ordered[len(ordered) // 2],
            "p95_ms": ordered[int(len(ordered) * 0.95)],
        }
    return table


def write_summary() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(summary(), indent=2) + "\n")


def main() -> int:
    install()
    atexit.register(write_summary)
    from intake.cli.main import main as intake_main

    return intake_main(sys.argv[1:] or ["serve"])


if __name__ == "__main__":
    sys.exit(main())
