"""The sealed format: any range opens, and no alteration, cut, reordering or other key
goes unnoticed."""

from __future__ import annotations

import os

import pytest

from intake.keys.blocks import (
    BLOCK,
    SEALED_BLOCK,
    TAG,
    Sealer,
    TamperedObject,
    block_count,
    plain_size,
    sealed_size,
    span,
)

KEY, PREFIX = bytes(range(32)), b"\x01" * 8
SIZES = [0, 1, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK, 3 * BLOCK + 17]


def sealed(data: bytes, sealer: Sealer | None = None) -> bytes:
    s = sealer or Sealer(KEY, PREFIX, "submissions/x/original")
    return s.seal(data, 0) + s.final(block_count(len(data)))


def open_all(stored: bytes, sealer: Sealer | None = None) -> bytes:
    s = sealer or Sealer(KEY, PREFIX, "submissions/x/original")
    return s.open(stored, 0, plain=plain_size(len(stored)))


@pytest.mark.parametrize("size", SIZES)
def test_sizes_round_trip_and_the_plaintext_is_not_stored(size: int) -> None:
    data = os.urandom(size)
    stored = sealed(data)
    assert len(stored) == sealed_size(size) and plain_size(len(stored)) == size
    assert open_all(stored) == data
    if size >= 64:
        assert data[:64] not in stored


@pytest.mark.parametrize("size", [BLOCK * 3 + 100, BLOCK * 2])
def test_every_range_opens_from_its_blocks_alone(size: int) -> None:
    data = os.urandom(size)
    stored = sealed(data)
    sealer = Sealer(KEY, PREFIX, "submissions/x/original")
    for start, end in [(0, 0), (5, BLOCK + 5), (BLOCK, 2 * BLOCK - 1), (size - 3, size - 1),
                       (BLOCK - 1, size - 1), (0, size - 1)]:  # fmt: skip
        s = span(start, end, size)
        piece = stored[s.sealed_start : s.sealed_end + 1]
        assert len(piece) <= (end - start + 1) + 2 * SEALED_BLOCK + TAG
        opened = sealer.open(piece, s.first_block, plain=size)
        assert opened[s.skip : s.skip + s.length] == data[start : end + 1]


def test_a_changed_byte_fails() -> None:
    stored = bytearray(sealed(os.urandom(2 * BLOCK)))
    stored[BLOCK + 40] ^= 1
    with pytest.raises(TamperedObject):
        open_all(bytes(stored))


@pytest.mark.parametrize("cut", [SEALED_BLOCK, 2 * SEALED_BLOCK, TAG])
def test_an_object_cut_short_fails(cut: int) -> None:
    stored = sealed(os.urandom(3 * BLOCK))
    with pytest.raises(TamperedObject):
        open_all(stored[:-cut])


def test_blocks_swapped_fail() -> None:
    stored = sealed(os.urandom(3 * BLOCK))
    swapped = stored[SEALED_BLOCK : 2 * SEALED_BLOCK] + stored[:SEALED_BLOCK]
    with pytest.raises(TamperedObject):
        open_all(swapped + stored[2 * SEALED_BLOCK :])


def test_a_block_repeated_in_place_of_the_final_one_fails() -> None:
    stored = sealed(os.urandom(2 * BLOCK))
    with pytest.raises(TamperedObject):
        open_all(stored[:SEALED_BLOCK] + stored[:SEALED_BLOCK] + stored[-TAG:])


def test_another_key_another_object_or_another_prefix_opens_nothing() -> None:
    stored = sealed(os.urandom(BLOCK + 5))
    for other in (
        Sealer(os.urandom(32), PREFIX, "submissions/x/original"),
        Sealer(KEY, PREFIX, "submissions/x/public.jpg"),
        Sealer(KEY, b"\x02" * 8, "submissions/x/original"),
    ):
        with pytest.raises(TamperedObject):
            open_all(stored, other)


@pytest.mark.parametrize("size", [1, TAG + 1, SEALED_BLOCK + TAG + 5])
def test_impossible_sizes_are_refused(size: int) -> None:
    with pytest.raises(TamperedObject):
        plain_size(size)
