"""Local state only its owner can read: directories 0700, files 0600.

Everything intake keeps under ``server.data_dir`` (the SQLite database and its WAL, the
embedded SeaweedFS's volumes, keys and credentials) is made with these, and what an older
version left readable is tightened when it is opened again.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

DIRECTORY_MODE = 0o700
FILE_MODE = 0o600


def _owned(path: Path) -> bool:
    try:
        return path.stat().st_uid == os.getuid()
    except OSError:
        return False


def private_directory(path: Path, *, tighten_existing: bool = True) -> Path:
    """``path`` as a directory only its owner may enter: made with the parents it lacks
    (each 0700), or tightened to 0700 when it exists and is ours (unless
    ``tighten_existing`` is false: a directory someone else chose stays as it is)."""
    missing: list[Path] = []
    probe = path
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    for directory in reversed(missing):
        with contextlib.suppress(FileExistsError):
            directory.mkdir(DIRECTORY_MODE)
    if (missing or tighten_existing) and _owned(path):
        path.chmod(DIRECTORY_MODE)
    return path


def private_file(path: Path) -> Path:
    """``path`` as a file only its owner may read: created empty (0600) when missing,
    tightened when it exists and is ours."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE)
    os.close(fd)
    if _owned(path):
        path.chmod(FILE_MODE)
    return path


def tighten(path: Path) -> None:
    """Make an existing file of ours 0600 (nothing when it is missing)."""
    if _owned(path):
        with contextlib.suppress(OSError):
            path.chmod(FILE_MODE)


def write_private(path: Path, data: bytes) -> None:
    """Replace ``path``'s content with ``data``, the file being 0600 before a byte is
    written."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "wb") as f:
        os.fchmod(fd, FILE_MODE)
        f.write(data)


def kept_secret(path: Path, size: int = 32) -> bytes:
    """The random secret kept in ``path`` (0600), made on first use. Processes starting
    together agree on one: the first to link its file in place wins, the others read it."""
    try:
        return bytes.fromhex(path.read_text().strip())
    except FileNotFoundError:
        pass
    private_directory(path.parent, tighten_existing=False)
    candidate = path.with_name(f".{path.name}.{os.getpid()}")
    write_private(candidate, os.urandom(size).hex().encode())
    try:
        os.link(candidate, path)
    except FileExistsError:
        pass
    finally:
        candidate.unlink()
    return bytes.fromhex(path.read_text().strip())
