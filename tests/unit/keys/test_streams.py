"""A spooled part read sealed, as an upload sends it: read to its end, the same bytes as
sealing it whole, again after a rewind (a retried request); a sealed file opened back whole."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from intake.keys.blocks import BLOCK, Sealer, TamperedObject, block_count
from intake.keys.streams import SealingReader, open_file, sealed_length

SIZES = [0, 5, BLOCK, 16 * BLOCK, 16 * BLOCK + 1, 40 * BLOCK + 333]


def sealer() -> Sealer:
    return Sealer(bytes(32), b"\x07" * 8, "incoming/u/seg")


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("final", [True, False])
def test_reading_seals_as_sealing_whole_does(tmp_path: Path, size: int, final: bool) -> None:
    data = os.urandom(size)
    path = tmp_path / "part"
    path.write_bytes(data)
    s = sealer()
    expected = s.seal(data, 3) + (s.final(3 + block_count(size)) if final else b"")
    with SealingReader(s, path, 3, final) as reader:
        assert len(expected) == sealed_length(size, final=final)
        first = reader.read(8192) or b""
        reader.seek(0)
        pieces, sizes = [], iter([1, 8191, 70_000, *[1 << 22] * (len(expected) // BLOCK + 2)])
        while piece := reader.read(next(sizes)):  # short reads allowed, as from a raw file
            pieces.append(piece)
        assert b"".join(pieces) == expected and first == expected[:8192]
        reader.seek(len(expected) // 2)
        assert reader.read() == expected[len(expected) // 2 :]
        assert reader.seek(0, io.SEEK_END) == len(expected)


@pytest.mark.parametrize("size", SIZES)
def test_a_sealed_file_opens_whole_and_a_cut_one_does_not(tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    s = sealer()
    sealed, opened = tmp_path / "sealed", tmp_path / "opened"
    sealed.write_bytes(s.seal(data, 0) + s.final(block_count(size)))
    open_file(s, sealed, opened, size)
    assert opened.read_bytes() == data
    sealed.write_bytes(sealed.read_bytes()[:-1])
    with pytest.raises(TamperedObject):
        open_file(s, sealed, opened, size)
