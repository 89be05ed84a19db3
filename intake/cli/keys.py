"""``intake keys``: make a master key, see which master keys wrap the data keys, rewrap
them all with the current one.

    intake keys generate [ID]   print a new master key entry (id:base64), to put first
                                in INTAKE_KEYS_MASTER_KEY (or <data_dir>/master.key)
    intake keys status          the master keys listed, and how many data keys each wraps
    intake keys rotate          rewrap every data key with the current master key (the
                                objects are not touched); then older keys may be dropped

Runs against the database alone (no object store).
"""

from __future__ import annotations

import argparse
import datetime as dt

from intake.core.settings import Settings
from intake.keys.master import new_entry
from intake.wiring.database import open_database, repositories
from intake.wiring.keys import key_ring


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("keys", help="master keys and the data keys they wrap")
    actions = parser.add_subparsers(dest="action", required=True)
    generate = actions.add_parser("generate", help="print a new master key entry (id:base64)")
    generate.add_argument("id", nargs="?", help="its id (default: the date and time, UTC)")
    actions.add_parser("status", help="how many data keys each master key wraps")
    actions.add_parser("rotate", help="rewrap every data key with the current master key")


async def run(settings: Settings, args: argparse.Namespace) -> str:
    if args.action == "generate":
        return new_entry(args.id or dt.datetime.now(dt.UTC).strftime("k%Y%m%d%H%M%S"))
    async with open_database(settings) as database:
        keys = key_ring(settings, repositories(database, settings))
        if args.action == "rotate":
            done = await keys.rotate()
            return f"{done} data keys rewrapped with master key {keys.masters.current!r}"
        counts = await keys.counts()
    lines = [f"current master key: {keys.masters.current!r}"]
    for key_id in {**dict.fromkeys(keys.masters.keys), **counts.by_master_key}:
        listed = "listed" if key_id in keys.masters.keys else "NOT LISTED: add it back"
        lines.append(f"  {key_id}: {counts.by_master_key.get(key_id, 0)} data keys ({listed})")
    lines.append(f"destroyed data keys (erased submissions): {counts.destroyed}")
    return "\n".join(lines)
