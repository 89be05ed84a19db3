"""Decoder processes: what a decoder refuses comes back; a crash, an overrun, a file that
eats memory or CPU costs only its own process; decoders cannot reach the network."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from intake.core.errors import MediaRejected
from intake.inspection.decoder_process import ProcessLimits
from intake.inspection.decoders import DecoderCrashed, DecoderPool
from intake.media.results import PhotoLimits
from tests.media import gif_bomb

MiB = 1024 * 1024
LIMITS = PhotoLimits(max_pixels=100_000_000, thumbnail_side=480, max_frames=1000,
                     max_total_pixels=100_000_000)  # fmt: skip


@pytest.fixture
def pool() -> Iterator[DecoderPool]:
    pool = DecoderPool(processes=1, timeout=20)
    yield pool
    pool.close()


async def test_a_result_and_a_refusal_come_back(pool: DecoderPool) -> None:
    assert await pool.run("operator:add", 2, 3) == 5
    limits = PhotoLimits(max_pixels=1000, thumbnail_side=480)
    with pytest.raises(MediaRejected, match="could not be read"):
        await pool.run(
            "intake.media.photos:inspect_photo", "/nonexistent", "image/jpeg", "/tmp", limits
        )


async def test_a_crashed_decoder_is_replaced(pool: DecoderPool) -> None:
    with pytest.raises(DecoderCrashed, match="died"):
        await pool.run("os:_exit", 3)
    assert await pool.run("operator:mul", 6, 7) == 42
    assert pool.restarts == 1


async def test_a_decoder_that_overruns_its_time_is_stopped() -> None:
    pool = DecoderPool(processes=1, timeout=2)
    try:
        with pytest.raises(DecoderCrashed, match="longer than 2 s"):
            await pool.run("time:sleep", 30)
        assert await pool.run("operator:add", 1, 1) == 2  # a fresh process
    finally:
        pool.close()


async def test_a_crash_or_an_overrun_leaves_other_files_in_flight_alone() -> None:
    pool = DecoderPool(processes=3, timeout=5)
    try:
        slow = asyncio.create_task(pool.run("time:sleep", 1))
        crash = asyncio.create_task(pool.run("os:_exit", 3))
        hang = asyncio.create_task(pool.run("time:sleep", 60))
        assert await slow is None
        with pytest.raises(DecoderCrashed):
            await crash
        with pytest.raises(DecoderCrashed):
            await hang
    finally:
        pool.close()


async def test_a_file_that_needs_too_much_memory_costs_only_its_decoder() -> None:
    pool = DecoderPool(processes=1, timeout=20, limits=ProcessLimits(memory_bytes=512 * MiB))
    try:
        with pytest.raises(DecoderCrashed, match="512 MiB of memory"):
            await pool.run("tests.decoder_probe:allocate", 2048 * MiB)
        assert await pool.run("tests.decoder_probe:allocate", 16 * MiB) == 16 * MiB
    finally:
        pool.close()


async def test_a_file_that_spins_is_stopped_by_its_cpu_limit() -> None:
    pool = DecoderPool(processes=1, timeout=60, limits=ProcessLimits(cpu_seconds=1))
    try:
        with pytest.raises(DecoderCrashed, match="more than 1 s of CPU"):
            await pool.run("tests.decoder_probe:spin")
        assert await pool.run("operator:add", 1, 1) == 2
    finally:
        pool.close()


async def test_decoders_cannot_reach_the_network() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        open_pool = DecoderPool(1, 20, ProcessLimits(isolate_network=False))
        closed_pool = DecoderPool(1, 20, ProcessLimits(isolate_network=True))
        try:
            assert await open_pool.run("tests.decoder_probe:connect", port) == "connected"
            assert await closed_pool.run("tests.decoder_probe:connect", port) != "connected"
        finally:
            open_pool.close()
            closed_pool.close()


@pytest.mark.parametrize(
    ("frames", "side", "reason"),
    [(10, 5000, "frames add up to more than 100 MP"), (100_000, 1, "more than 1000 frames")],
    ids=["ten-huge-frames", "hundred-thousand-frames"],
)
async def test_animation_bombs_are_refused_within_the_decoders_limits(
    tmp_path: Path, frames: int, side: int, reason: str
) -> None:
    bomb = tmp_path / "bomb.gif"
    bomb.write_bytes(gif_bomb(frames, side))
    limit = 1024 * MiB
    pool = DecoderPool(processes=1, timeout=60, limits=ProcessLimits(memory_bytes=limit))
    try:
        with pytest.raises(MediaRejected, match=reason) as refused:
            await pool.run(
                "intake.media.photos:inspect_photo", str(bomb), "image/gif", str(tmp_path), LIMITS
            )
        assert not isinstance(refused.value, DecoderCrashed), "refused by the budget, not killed"
    finally:
        pool.close()


async def test_an_animation_is_written_frame_by_frame(tmp_path: Path) -> None:
    """Six 25 MP frames held at once would need over 1.2 GB; one at a time fits."""
    bomb = tmp_path / "six.gif"
    bomb.write_bytes(gif_bomb(6, 5000))
    generous = PhotoLimits(max_pixels=100_000_000, thumbnail_side=480, max_frames=1000,
                           max_total_pixels=1_000_000_000)  # fmt: skip
    limit = 1024 * MiB
    pool = DecoderPool(processes=1, timeout=120, limits=ProcessLimits(memory_bytes=limit))
    try:
        inspected = await pool.run(
            "intake.media.photos:inspect_photo", str(bomb), "image/gif", str(tmp_path), generous
        )
        assert inspected.extracted["frames"] == 6
        assert await pool.run("tests.decoder_probe:peak_memory") < 800 * MiB
    finally:
        pool.close()
