"""The address secret: from the settings, or kept in the data directory on SQLite."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from intake.core.errors import ConfigurationError
from intake.safeguards.addresses import AddressKeys
from intake.wiring.addresses import KEY_FILE, address_keys
from tests.conftest import make_settings


def test_on_sqlite_a_secret_is_made_once_into_the_data_directory(tmp_path: Path) -> None:
    settings = make_settings(server_data_dir=str(tmp_path / "var"), server_address_secret="")
    first, second = address_keys(settings), address_keys(settings)
    assert first.of("203.0.113.9") == second.of("203.0.113.9") != first.of("203.0.113.10")
    kept = tmp_path / "var" / KEY_FILE
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(kept.parent.stat().st_mode) == 0o700
    assert "203.0.113.9" not in first.of("203.0.113.9")


def test_a_configured_secret_is_used_and_must_be_long_enough(tmp_path: Path) -> None:
    settings = make_settings(server_address_secret="sixteen or more characters")
    assert address_keys(settings).of("x") == AddressKeys(b"sixteen or more characters").of("x")
    with pytest.raises(ConfigurationError, match=r"server\.address_secret"):
        address_keys(make_settings(server_address_secret="short"))


def test_postgresql_needs_a_shared_secret() -> None:
    settings = make_settings(
        database_url="postgresql+asyncpg://intake@db/intake", server_address_secret=""
    )
    with pytest.raises(ConfigurationError, match="the same on every instance"):
        address_keys(settings)
