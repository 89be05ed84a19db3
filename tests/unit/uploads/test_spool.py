from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Sequence
from pathlib import Path

import pytest

from intake.core.object_store import SpooledBody
from intake.uploads import spool
from intake.uploads.spool import MemoryBudget, PartBuffer


async def test_a_small_part_stays_in_memory(tmp_path: Path) -> None:
    buffer = PartBuffer(1000, str(tmp_path))
    await buffer.write(b"x" * 1000)
    assert await buffer.body() == b"x" * 1000
    assert list(tmp_path.iterdir()) == []
    await buffer.close()


async def test_past_its_own_limit_a_part_spools_to_disk(tmp_path: Path) -> None:
    buffer = PartBuffer(1000, str(tmp_path))
    await buffer.write(b"a" * 600)
    await buffer.write(b"b" * 600)
    body = await buffer.body()
    assert isinstance(body, SpooledBody)
    assert body.path.read_bytes() == b"a" * 600 + b"b" * 600
    await buffer.close()
    assert list(tmp_path.iterdir()) == []


async def test_buffers_share_one_memory_budget(tmp_path: Path) -> None:
    budget = MemoryBudget(1000)
    first = PartBuffer(800, str(tmp_path), budget)
    second = PartBuffer(800, str(tmp_path), budget)
    await first.write(b"1" * 700)
    await second.write(b"2" * 700)
    assert budget.used == 700
    assert isinstance(await second.body(), SpooledBody), "no room left: it spilled"
    await first.close()
    await second.close()
    assert budget.used == 0
    third = PartBuffer(800, str(tmp_path), budget)
    await third.write(b"3" * 700)
    assert await third.body() == b"3" * 700
    await third.close()
    assert budget.used == 0


async def test_once_spilled_a_part_writes_in_blocks_held_within_the_budget(
    tmp_path: Path,
) -> None:
    budget = MemoryBudget(1000)
    buffer = PartBuffer(800, str(tmp_path), budget, write_block=200)
    await buffer.write(b"a" * 700)
    await buffer.write(b"b" * 700)
    assert (buffer.in_memory, budget.used) == (0, 0), "a chunk of a whole block is written"
    held = []
    for _ in range(10):
        await buffer.write(b"c" * 50)
        assert budget.used == buffer.in_memory
        held.append(buffer.in_memory)
    assert held == [50, 100, 150, 200, 50, 100, 150, 200, 50, 100]
    body = await buffer.body()
    assert isinstance(body, SpooledBody)
    assert body.path.read_bytes() == b"a" * 700 + b"b" * 700 + b"c" * 500
    assert budget.used == 0
    await buffer.close()


async def test_with_no_room_in_the_budget_a_spilled_part_holds_nothing(tmp_path: Path) -> None:
    budget = MemoryBudget(100)
    other = PartBuffer(800, str(tmp_path), budget)
    await other.write(b"x" * 100)
    buffer = PartBuffer(800, str(tmp_path), budget, write_block=200)
    for _ in range(10):
        await buffer.write(b"c" * 50)
        assert buffer.in_memory == 0, "no budget left: chunks go straight to the spool file"
    body = await buffer.body()
    assert isinstance(body, SpooledBody)
    assert body.path.read_bytes() == b"c" * 500
    await buffer.close()
    await other.close()
    assert budget.used == 0


async def test_a_chunk_its_owner_changes_later_is_stored_as_it_was(tmp_path: Path) -> None:
    buffer = PartBuffer(800, str(tmp_path), write_block=200)
    reused = bytearray(b"a" * 100)
    for letter in b"abcdefghij":
        reused[:] = bytes([letter]) * 100
        await buffer.write(memoryview(reused)[:50])
        await buffer.write(reused)
    body = await buffer.body()
    assert isinstance(body, SpooledBody)
    assert body.path.read_bytes() == b"".join(bytes([c]) * 150 for c in b"abcdefghij")
    await buffer.close()


def test_short_writes_and_many_chunks_are_written_whole_and_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_writev = os.writev
    calls: list[int] = []

    def short_writev(fd: int, buffers: Sequence[memoryview]) -> int:
        calls.append(len(buffers))
        return real_writev(fd, [b"".join(buffers)[:1000]])  # at most 1000 bytes a call

    monkeypatch.setattr(os, "writev", short_writev)
    chunks = [os.urandom(n % 700 + 1) for n in range(3 * spool.IOV_MAX)]
    path = tmp_path / "spool"
    with path.open("wb") as f:
        spool.write_all(f.fileno(), chunks)
    assert path.read_bytes() == b"".join(chunks)
    assert max(calls) <= spool.IOV_MAX


async def test_a_request_cancelled_as_its_part_spills_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started, release = threading.Event(), threading.Event()
    create = spool._create

    def slow_create(directory: str | None, chunks: Sequence[spool.Chunk]) -> Path:
        started.set()
        release.wait()
        return create(directory, chunks)

    monkeypatch.setattr(spool, "_create", slow_create)
    buffer = PartBuffer(100, str(tmp_path))
    await buffer.write(b"a" * 100)
    spilling = asyncio.ensure_future(buffer.write(b"b" * 100))
    await asyncio.to_thread(started.wait)
    spilling.cancel()
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await spilling
    await buffer.close()
    assert list(tmp_path.iterdir()) == []
