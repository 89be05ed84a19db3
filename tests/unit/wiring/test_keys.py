"""The master keys: from the settings, or made once into the data directory on SQLite."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from intake.core.errors import ConfigurationError
from intake.keys.master import new_entry
from intake.wiring.keys import KEY_FILE, master_keys
from tests.conftest import make_settings


def test_on_sqlite_a_master_key_is_made_once_into_the_data_directory(tmp_path: Path) -> None:
    settings = make_settings(server_data_dir=str(tmp_path / "var"), keys_master_key="")
    first, second = master_keys(settings), master_keys(settings)
    assert first == second and first.current == "local"
    kept = tmp_path / "var" / KEY_FILE
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(kept.parent.stat().st_mode) == 0o700


def test_configured_master_keys_are_used_the_first_current(tmp_path: Path) -> None:
    settings = make_settings(keys_master_key=f"{new_entry('b')},{new_entry('a')}")
    assert master_keys(settings).current == "b"
    assert not (tmp_path / KEY_FILE).exists()


def test_postgresql_needs_a_shared_master_key() -> None:
    settings = make_settings(
        database_url="postgresql+asyncpg://intake@db/intake", keys_master_key=""
    )
    with pytest.raises(ConfigurationError, match="the same on every instance"):
        master_keys(settings)
