"""Tuning glibc's malloc and the cyclic collector at the start of ``serve`` and ``worker``."""

from __future__ import annotations

import ctypes
import subprocess
import sys

import pytest

from intake.cli import main


def test_without_glibc_the_tuning_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_glibc(name: str, *args: object, **kwargs: object) -> ctypes.CDLL:
        raise OSError(f"{name}: cannot open shared object file")

    monkeypatch.setattr(ctypes, "CDLL", no_glibc)
    main._tune_malloc()  # no error: musl, macOS and Windows have no libc.so.6


def test_startup_objects_are_set_aside_and_its_garbage_freed() -> None:
    """Start-up's lasting objects leave the collector's full passes; its garbage (cycles
    no one holds) is freed first, not kept for the life of the process."""
    script = """
import gc, weakref
from intake.cli import main
class Node:
    pass
kept, lost = Node(), Node()
kept.me, lost.me = kept, lost
gone = weakref.ref(lost)
del lost
gc.disable()
main._set_aside_startup_objects()
print(gone() is None, gc.get_freeze_count() > 1000, any(o is kept for o in gc.get_objects()))
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.split() == ["True", "True", "False"]
