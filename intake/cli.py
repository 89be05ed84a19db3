"""The ``intake`` command: ``serve``, ``migrate``, ``janitor``, ``moderator``, ``settings``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from aiohttp import web

from intake import moderator_cli
from intake.adapters.db.engine import create_engine
from intake.adapters.db.migrate import current_revision, migrate
from intake.errors import ConfigurationError
from intake.settings import Settings, default_config_path, load_settings, render_toml


def _settings(args: argparse.Namespace) -> Settings:
    path = Path(args.config) if args.config else default_config_path()
    return load_settings(path)


def _logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.server.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def _limit_malloc_arenas() -> None:
    """glibc gives each busy thread (S3 calls, file writes) a malloc arena of its own and
    memory fragments across them; two arenas keep the footprint of a node steady."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").mallopt(-8, 2)  # M_ARENA_MAX


def serve(settings: Settings) -> None:
    from intake.web.app import create_app

    _limit_malloc_arenas()
    _logging(settings)
    web.run_app(
        create_app(settings),
        host=settings.server.host,
        port=settings.server.port,
        print=lambda text: logging.getLogger("intake").info(
            "serving on http://%s:%d", settings.server.host, settings.server.port
        ),
    )


async def _janitor(settings: Settings) -> int:
    """Expire abandoned uploads once, with the same wiring as the service (for cron)."""
    from intake.web.app import create_app
    from intake.web.keys import UPLOADS

    runner = web.AppRunner(create_app(settings))
    await runner.setup()
    try:
        total = 0
        while expired := await runner.app[UPLOADS].expire_due():
            total += expired
        return total
    finally:
        await runner.cleanup()


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
    commands.add_parser("migrate", help="apply database migrations")
    commands.add_parser("janitor", help="remove expired resumable uploads once (for cron)")
    moderator_cli.add_parser(commands)
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
        elif args.command == "migrate":
            _logging(settings)
            print(f"database at revision {asyncio.run(_migrate(settings))}")
        elif args.command == "janitor":
            _logging(settings)
            print(f"{asyncio.run(_janitor(settings))} expired uploads removed")
        elif args.command == "moderator":
            print(asyncio.run(moderator_cli.run(settings, args)))
        elif args.command == "settings":
            print(settings)
    except ConfigurationError as exc:
        print(f"intake: configuration error: {exc.detail}", file=sys.stderr)
        return 2
    except moderator_cli.CommandFailed as exc:
        print(f"intake moderator: {exc}", file=sys.stderr)
        return 1
    return 0
