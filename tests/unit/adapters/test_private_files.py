"""Private local state: directories 0700, files 0600, made so or tightened."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from intake.adapters.private_files import private_directory, private_file, tighten, write_private


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_missing_directories_are_made_private_with_their_missing_parents(tmp_path: Path) -> None:
    made = private_directory(tmp_path / "a" / "b" / "c")
    assert [_mode(p) for p in (tmp_path / "a", tmp_path / "a" / "b", made)] == [0o700] * 3


def test_an_existing_directory_is_tightened_unless_someone_else_chose_it(tmp_path: Path) -> None:
    loose = tmp_path / "loose"
    loose.mkdir(mode=0o755)
    os.chmod(loose, 0o755)
    private_directory(loose, tighten_existing=False)
    assert _mode(loose) == 0o755
    private_directory(loose)
    assert _mode(loose) == 0o700


def test_files_are_created_or_tightened_to_0600(tmp_path: Path) -> None:
    made = private_file(tmp_path / "new.db")
    assert (_mode(made), made.read_bytes()) == (0o600, b"")
    old = tmp_path / "old.db-wal"
    old.write_bytes(b"kept")
    old.chmod(0o644)
    tighten(old)
    tighten(tmp_path / "missing")
    assert (_mode(old), old.read_bytes()) == (0o600, b"kept")
    write_private(old, b"new")
    assert (_mode(old), old.read_bytes()) == (0o600, b"new")
