"""The master keys, the key ring and the sealing store over the bucket."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from intake.adapters.private_files import private_directory, write_private
from intake.core.clock import Clock, utcnow
from intake.core.errors import ConfigurationError
from intake.core.object_store import ObjectStore
from intake.core.settings import Settings
from intake.keys.keyring import KeyRing
from intake.keys.master import MasterKeys, new_entry
from intake.keys.sealing import SealingStore
from intake.wiring.database import Repositories

KEY_FILE = "master.key"


def _kept_master_key(path: Path) -> str:
    """The master keys in ``path`` (0600), one made on first use; processes starting
    together agree on one (the first to link its file in place wins)."""
    if not path.exists():
        private_directory(path.parent, tighten_existing=False)
        candidate = path.with_name(f".{path.name}.{os.getpid()}")
        write_private(candidate, (new_entry("local") + "\n").encode())
        try:
            os.link(candidate, path)
        except FileExistsError:
            pass
        finally:
            candidate.unlink()
    return path.read_text()


def master_keys(settings: Settings) -> MasterKeys:
    """From ``keys.master_key``; without it, on SQLite, from ``<data_dir>/master.key``
    (made at first start). Instances sharing PostgreSQL must share it: there it is set."""
    if settings.keys.master_key:
        return MasterKeys.parse(settings.keys.master_key)
    if settings.database_url.startswith("postgresql"):
        raise ConfigurationError(
            "keys.master_key: set it (INTAKE_KEYS_MASTER_KEY, the same on every instance; "
            "`intake keys generate` makes one) when the database is PostgreSQL"
        )
    return MasterKeys.parse(_kept_master_key(settings.data_path / KEY_FILE))


def key_ring(settings: Settings, repos: Repositories, clock: Clock = utcnow) -> KeyRing:
    return KeyRing(repos.data_keys, master_keys(settings), clock)


@contextlib.contextmanager
def sealing(settings: Settings, store: ObjectStore, keys: KeyRing) -> Iterator[SealingStore]:
    """``store`` with every object of a submission sealed (a sealing store as it is)."""
    if isinstance(store, SealingStore):
        yield store
        return
    sealed = SealingStore(store, keys, settings.s3.part_size, settings.keys.seal_threads)
    try:
        yield sealed
    finally:
        sealed.close()
