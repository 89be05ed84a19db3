from __future__ import annotations

from pathlib import Path

import pytest

from intake.core.errors import ConfigurationError
from intake.core.settings.declaring import GiB, MiB
from intake.core.settings.loading import load_settings, parse_size, render_toml, setting_table

ROOT = Path(__file__).resolve().parents[3]


def test_config_file_is_the_documented_table() -> None:
    """config/intake.toml must be exactly what the settings table generates."""
    assert (ROOT / "config" / "intake.toml").read_text() == render_toml(), (
        "config/intake.toml is out of date: run `make config`"
    )


def test_every_setting_has_help_and_a_unique_env_name() -> None:
    table = list(setting_table())
    assert all(info.help.strip() for info in table)
    names = [info.env_var for info in table]
    assert len(names) == len(set(names))


def test_the_shipped_file_loads_to_the_defaults() -> None:
    assert load_settings(ROOT / "config" / "intake.toml", {}) == load_settings(None, {})


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    path = tmp_path / "intake.toml"
    path.write_text('[s3]\nbucket = "from-file"\n[limits]\nphoto_max_bytes = "10 MiB"\n')
    settings = load_settings(path, {"INTAKE_S3_BUCKET": "from-env"})
    assert settings.s3.bucket == "from-env"
    assert settings.limits.photo_max_bytes == 10 * MiB


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"INTAKE_SERVER_PORT": "eighty"}, "server.port"),
        ({"INTAKE_S3_PART_SIZE": "1 MiB"}, "s3.part_size"),
        ({"INTAKE_S3_ADDRESSING_STYLE": "sideways"}, "s3.addressing_style"),
        ({"INTAKE_DATABASE_URL": "mysql://x"}, "database.url"),
        ({"INTAKE_MEDIA_ACCEPTED_TYPES": "image/jpeg,text/html"}, "media.accepted_types"),
        ({"INTAKE_S3_SERVER_SIDE_ENCRYPTION": "maybe"}, "s3.server_side_encryption"),
        ({"INTAKE_LIMITS_MAX_FILES": "0"}, "limits.max_files"),
        ({"INTAKE_SCAN_CLAMD_ADDRESS": "10.0.0.5:3310"}, "scan.clamd_address"),
        ({"INTAKE_SCAN_CLAMD_ADDRESS": "clamd.example.org:3310"}, "scan.clamd_address"),
        ({"INTAKE_WORKERS_IN_PROCESS": "sometimes"}, "workers.in_process"),
        ({"INTAKE_INSPECTION_PROCESSES": "0"}, "inspection.processes"),
    ],
)
def test_a_bad_value_fails_naming_its_key(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_settings(None, env)
    assert named in str(caught.value)


def test_an_unknown_key_in_the_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "intake.toml"
    path.write_text("[limits]\nphoto_max_byte = 5\n")
    with pytest.raises(ConfigurationError, match=r"limits\.photo_max_byte"):
        load_settings(path, {})


@pytest.mark.parametrize(
    ("text", "size"),
    [("30 MiB", 30 * MiB), ("2GiB", 2 * GiB), ("500MB", 500_000_000), (1234, 1234), ("77", 77)],
)
def test_sizes_read_as_people_write_them(text: str | int, size: int) -> None:
    assert parse_size(text) == size


def test_secrets_never_show_in_repr() -> None:
    settings = load_settings(None, {"INTAKE_S3_SECRET_ACCESS_KEY": "hunter2-very-secret"})
    assert settings.s3.secret_access_key == "hunter2-very-secret"
    assert "hunter2" not in repr(settings)


def test_lists_come_from_comma_separated_env() -> None:
    settings = load_settings(None, {"INTAKE_MEDIA_ACCEPTED_TYPES": "image/jpeg, video/mp4"})
    assert settings.media.accepted_types == ("image/jpeg", "video/mp4")


@pytest.mark.parametrize("address", ["/run/clamav/clamd.ctl", "127.0.0.1:3310", "[::1]:3310"])
def test_clamd_is_reached_on_a_socket_or_loopback(address: str) -> None:
    assert load_settings(None, {"INTAKE_SCAN_CLAMD_ADDRESS": address}).scan.clamd_address == (
        address
    )
