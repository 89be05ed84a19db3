"""Heads: sealed, they open only as the head of their upload, whole; a plain head an
older version kept is told apart by its mark."""

from __future__ import annotations

import os

import pytest

from intake.keys.blocks import TamperedObject
from intake.keys.heads import MARK, open_head, seal_head
from intake.keys.marked import is_sealed
from intake.keys.tails import seal_tail

KEY = bytes(range(32))


@pytest.mark.parametrize("size", [1, 100, 4095, 64 * 1024 + 3])
def test_a_head_opens_as_it_was_and_holds_no_run_of_it(size: int) -> None:
    data = os.urandom(size)
    stored = seal_head(KEY, "u1", data)
    assert is_sealed(stored)
    assert open_head(KEY, "u1", stored) == data
    if size >= 16:
        assert data[:16] not in stored and data[-16:] not in stored


def test_a_plain_head_is_not_taken_for_a_sealed_one() -> None:
    for plain in (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", b"\x00\x00\x00\x18ftypmp42", b""):
        assert not is_sealed(plain)


def test_another_upload_key_a_tail_piece_or_a_changed_or_cut_head_opens_nothing() -> None:
    data = os.urandom(3000)
    stored = seal_head(KEY, "u1", data)
    changed = bytearray(stored)
    changed[len(MARK) + 20] ^= 1
    tail = seal_tail(KEY, "u1", 0, data)  # the same bytes sealed as the tail's first piece
    attempts = [
        (KEY, "u2", stored),
        (os.urandom(32), "u1", stored),
        (KEY, "u1", bytes(changed)),
        (KEY, "u1", stored[:-1]),
        (KEY, "u1", stored[:-16]),  # its final block gone
        (KEY, "u1", MARK + tail),
        (KEY, "u1", tail),
        (KEY, "u1", MARK),
    ]
    for attempt in attempts:
        with pytest.raises(TamperedObject):
            open_head(*attempt)
