"""Decoder processes: what a decoder refuses comes back; a crash or a hang costs only
its process, and the pool starts anew."""

from __future__ import annotations

import pytest

from intake.core.errors import MediaRejected
from intake.inspection.decoders import DecoderCrashed, DecoderPool
from intake.media.results import PhotoLimits


@pytest.fixture
def pool() -> DecoderPool:
    return DecoderPool(processes=1, timeout=5)


async def test_a_result_and_a_refusal_come_back(pool: DecoderPool) -> None:
    try:
        assert await pool.run("operator:add", 2, 3) == 5
        limits = PhotoLimits(max_pixels=1000, thumbnail_side=480)
        with pytest.raises(MediaRejected, match="could not be read"):
            await pool.run(
                "intake.media.photos:inspect_photo", "/nonexistent", "image/jpeg", "/tmp", limits
            )
    finally:
        pool.close()


async def test_a_crashed_decoder_is_replaced(pool: DecoderPool) -> None:
    try:
        with pytest.raises(DecoderCrashed, match="died"):
            await pool.run("os:_exit", 3)
        assert await pool.run("operator:mul", 6, 7) == 42
    finally:
        pool.close()


async def test_a_decoder_that_overruns_its_time_is_stopped() -> None:
    pool = DecoderPool(processes=1, timeout=0.5)
    try:
        with pytest.raises(DecoderCrashed, match="longer than"):
            await pool.run("time:sleep", 30)
        assert await pool.run("operator:add", 1, 1) == 2  # a fresh process
    finally:
        pool.close()
