"""Tail pieces: sealed, they open only as the piece of their upload at their offset, whole."""

from __future__ import annotations

import os

import pytest

from intake.keys.blocks import BLOCK, TamperedObject
from intake.keys.tails import open_tail, seal_tail, stored_size

KEY = bytes(range(32))


@pytest.mark.parametrize("size", [1, BLOCK - 1, BLOCK, 3 * BLOCK + 17])
def test_a_piece_opens_as_it_was_and_holds_no_run_of_it(size: int) -> None:
    data = os.urandom(size)
    stored = seal_tail(KEY, "u1", 4096, data)
    assert len(stored) == stored_size(size)
    assert open_tail(KEY, "u1", 4096, stored, size) == data
    if size >= 64:
        assert data[:64] not in stored and data[-64:] not in stored


def test_another_upload_offset_key_size_or_a_changed_byte_opens_nothing() -> None:
    data = os.urandom(2 * BLOCK + 5)
    stored = seal_tail(KEY, "u1", 0, data)
    changed = bytearray(stored)
    changed[-40] ^= 1
    attempts = [
        (KEY, "u2", 0, stored, len(data)),
        (KEY, "u1", 5, stored, len(data)),
        (os.urandom(32), "u1", 0, stored, len(data)),
        (KEY, "u1", 0, bytes(changed), len(data)),
        (KEY, "u1", 0, stored[: stored_size(BLOCK)], BLOCK),  # cut after its first block
        (KEY, "u1", 0, stored[:-1], len(data)),
    ]
    for attempt in attempts:
        with pytest.raises(TamperedObject):
            open_tail(*attempt)
