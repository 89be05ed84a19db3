"""Tuning glibc's malloc at the start of ``serve`` and ``worker`` is harmless elsewhere."""

from __future__ import annotations

import ctypes

import pytest

from intake.cli import main


def test_without_glibc_the_tuning_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_glibc(name: str, *args: object, **kwargs: object) -> ctypes.CDLL:
        raise OSError(f"{name}: cannot open shared object file")

    monkeypatch.setattr(ctypes, "CDLL", no_glibc)
    main._tune_malloc()  # no error: musl, macOS and Windows have no libc.so.6
