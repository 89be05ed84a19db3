"""The ``intake`` command: ``serve``, ``worker``, ``migrate``, ``janitor``, ``moderator``,
``keys``, ``settings``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import gc
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from intake.adapters.db.engine import create_engine
from intake.adapters.db.migrate import current_revision, migrate
from intake.cli import keys as keys_cli
from intake.cli import logs
from intake.cli import moderators as moderator_cli
from intake.core.errors import ConfigurationError
from intake.core.settings import Settings
from intake.core.settings.loading import default_config_path, load_settings, render_toml
from intake.web.metrics import metrics_listener
from intake.wiring.database import migrate_apart, open_database, repositories
from intake.wiring.inspection import open_worker
from intake.wiring.janitor import Janitor
from intake.wiring.loops import WORKER_LOOPS, run_loops
from intake.wiring.observing import Observed
from intake.wiring.services import open_services
from intake.wiring.storage import open_object_store

if TYPE_CHECKING:
    from aiohttp import web


def _settings(args: argparse.Namespace) -> Settings:
    path = Path(args.config) if args.config else default_config_path()
    return load_settings(path)


def _logging(settings: Settings) -> None:
    logs.configure(settings.server.log_level, settings.operations.log_format)


_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD, _M_ARENA_MAX = -1, -3, -8


def _tune_malloc() -> None:
    """Keep the footprint of a busy node steady under glibc.

    Each busy thread (S3 calls, file writes) would get a malloc arena of its own and memory
    fragments across them: two arenas suffice. Blocks over 1 MiB (parts, whole small
    files) are mapped on their own, so that freeing them gives the pages back at once
    instead of leaving holes in the heap (glibc's dynamic threshold would otherwise climb
    to 32 MiB). Socket reads (256 KiB) and the multipart parser's windows (twice that) stay
    under it: mapping those afresh for every read cost a fifth of the upload CPU. The heap
    keeps up to 16 MiB free at its top rather than giving back everything over 128 KiB
    each time and faulting it in again at the next read (five times fewer page faults in
    `make bench`, about a sixth less CPU per GiB, 2 to 5 MiB more at the peak).
    """
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(_M_ARENA_MAX, 2)
        libc.mallopt(_M_MMAP_THRESHOLD, 1024 * 1024)
        libc.mallopt(_M_TRIM_THRESHOLD, 16 * 1024 * 1024)


def _set_aside_startup_objects() -> None:
    """Keep what start-up made out of the cyclic collector's full passes.

    A started node holds about 160,000 objects that live as long as it does (modules,
    classes, botocore's models, the app); each full pass visited them all, 130 ms with the
    event loop stopped, twice in 20 seconds of 64 MiB uploads. Frozen after one last
    pass, they are left alone: a busy node's full passes take about 5 ms.
    """
    gc.collect()
    gc.freeze()


def serve(settings: Settings) -> None:
    from intake.web.app import create_app
    from intake.web.serving import serve as serve_app

    _tune_malloc()
    _logging(settings)
    migrate_apart(settings)
    host, port = settings.server.host, settings.server.port
    app = create_app(settings)

    async def set_aside(_: web.Application) -> None:
        _set_aside_startup_objects()

    app.on_startup.append(set_aside)  # after the resources start, before the port opens
    asyncio.run(
        serve_app(
            app, host, port,
            lambda: logging.getLogger("intake").info("serving on http://%s:%d", host, port),
        )
    )  # fmt: skip


async def _janitor(settings: Settings, rewrite: bool) -> tuple[int, int]:
    """One janitor round (for cron): expire abandoned uploads, forget rows kept only for
    a while, purge what retention lets go. No web, no job workers, no webhook dispatch."""
    async with (
        open_object_store(settings) as store,
        open_database(settings) as database,
        open_services(settings, store, repositories(database, settings)) as services,
    ):
        return await Janitor(settings, services).sweep(rewrite=rewrite)


async def _work(settings: Settings, until_idle: bool) -> int:
    """Run job workers (no web server) until SIGINT/SIGTERM, or until no job is due."""
    log = logging.getLogger("intake")
    async with (
        open_object_store(settings) as store,
        open_database(settings) as database,
    ):
        repos = repositories(database, settings)
        async with open_worker(settings, store, repos) as inspection:
            if until_idle:
                return await inspection.worker.run_until_idle()
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, stop.set)
            observed = Observed()
            observed.watch_store(store)
            observed.watch_database(database)
            observed.watch_decoders(inspection.decoders)
            async with (
                metrics_listener(observed, settings.operations.metrics_listen),
                open_services(settings, store, repos) as services,
                run_loops(WORKER_LOOPS, settings, services, inspection.worker) as background,
            ):
                _set_aside_startup_objects()
                log.info("intake worker running: %s", ", ".join(background.names))
                await stop.wait()
            return 0


async def _migrate(settings: Settings) -> str | None:
    engine = create_engine(settings.database_url)
    try:
        await migrate(engine)
        return await current_revision(engine)
    finally:
        await engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="intake", description=__doc__)
    parser.add_argument("--config", help="TOML file (default $INTAKE_CONFIG or config/intake.toml)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="run the web service")
    work = commands.add_parser("worker", help="run job workers (inspection) without the web")
    work.add_argument(
        "--until-idle", action="store_true", help="exit once no job is due (for cron, tests)"
    )
    commands.add_parser("migrate", help="apply database migrations")
    janitor = commands.add_parser(
        "janitor", help="remove expired uploads and rows kept only for a while, once (for cron)"
    )
    janitor.add_argument(
        "--rewrite", action="store_true",
        help="then copy the tables erasures touch into new files (VACUUM FULL; locks them)",
    )  # fmt: skip
    moderator_cli.add_parser(commands)
    keys_cli.add_parser(commands)
    show = commands.add_parser("settings", help="show the settings")
    show.add_argument("--toml", action="store_true", help="print the documented default file")
    args = parser.parse_args(argv)
    try:
        if args.command == "settings" and args.toml:
            sys.stdout.write(render_toml())
            return 0
        settings = _settings(args)
        if args.command == "serve":
            serve(settings)
        elif args.command == "worker":
            _tune_malloc()
            _logging(settings)
            migrate_apart(settings)
            ran = asyncio.run(_work(settings, args.until_idle))
            if args.until_idle:
                print(f"{ran} jobs run")
        elif args.command == "migrate":
            _logging(settings)
            print(f"database at revision {asyncio.run(_migrate(settings))}")
        elif args.command == "janitor":
            _logging(settings)
            ended, purged = asyncio.run(_janitor(settings, args.rewrite))
            print(f"{ended} expired uploads removed, {purged} submissions purged")
        elif args.command == "moderator":
            print(asyncio.run(moderator_cli.run(settings, args)))
        elif args.command == "keys":
            print(asyncio.run(keys_cli.run(settings, args)))
        elif args.command == "settings":
            print(settings)
    except ConfigurationError as exc:
        print(f"intake: configuration error: {exc.detail}", file=sys.stderr)
        return 2
    except moderator_cli.CommandFailed as exc:
        print(f"intake moderator: {exc}", file=sys.stderr)
        return 1
    return 0
