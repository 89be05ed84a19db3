"""Chunk tasks outlive a cancelled handler, and shutdown waits for them (or cancels them)."""

from __future__ import annotations

import asyncio

import pytest

from intake.web.uploads.chunk_tasks import ChunkTasks


async def test_a_chunk_goes_on_when_its_handler_is_cancelled_and_shutdown_waits() -> None:
    chunks = ChunkTasks(grace=60)
    release, committed = asyncio.Event(), asyncio.Event()

    async def commit() -> str:
        await release.wait()
        committed.set()
        return "stored"

    handler = asyncio.create_task(chunks.run(commit()))
    await asyncio.sleep(0)
    handler.cancel()
    with pytest.raises(asyncio.CancelledError):
        await handler
    assert len(chunks) == 1 and not committed.is_set()
    shutdown = asyncio.create_task(chunks.wait())
    await asyncio.sleep(0)
    assert not shutdown.done()
    release.set()
    await shutdown
    assert committed.is_set() and len(chunks) == 0


async def test_shutdown_cancels_chunks_that_outlive_the_grace_period() -> None:
    chunks = ChunkTasks(grace=0)
    cancelled = asyncio.Event()

    async def stuck() -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    handler = asyncio.create_task(chunks.run(stuck()))
    await asyncio.sleep(0)
    await chunks.wait()
    assert cancelled.is_set() and len(chunks) == 0
    handler.cancel()
