"""Turns: a request that waits on its client lets another work; none keeps one forever."""

from __future__ import annotations

import asyncio

from intake.uploads.turns import UploadTurns


async def test_a_second_request_waits_while_the_only_turn_is_busy() -> None:
    turns = UploadTurns(1)
    order: list[str] = []
    release = asyncio.Event()

    async def first() -> None:
        async with turns.turn():
            order.append("first in")
            await release.wait()
            order.append("first out")

    async def second() -> None:
        async with turns.turn():
            order.append("second in")

    tasks = [asyncio.create_task(first()), asyncio.create_task(second())]
    await turns.until(lambda: turns.waiting == 1)
    assert order == ["first in"]
    release.set()
    await asyncio.gather(*tasks)
    assert order == ["first in", "first out", "second in"]


async def test_a_request_whose_client_is_slow_gives_its_turn_up_meanwhile() -> None:
    turns = UploadTurns(1, patience=0)
    arrived = asyncio.Event()
    worked = asyncio.Event()

    async def slow_client_bytes() -> bytes:
        await arrived.wait()
        return b"late"

    async def slow() -> bytes:
        async with turns.turn() as turn:
            data = await turn.wait_for_client(slow_client_bytes())
            assert turn.held
            return data

    async def fast() -> None:
        async with turns.turn():
            worked.set()

    slow_task = asyncio.create_task(slow())
    await asyncio.sleep(0)
    fast_task = asyncio.create_task(fast())
    await asyncio.wait_for(worked.wait(), timeout=5)
    assert turns.stepped_aside == 1
    arrived.set()
    assert await slow_task == b"late"
    await fast_task


async def test_bytes_that_come_at_once_keep_the_turn() -> None:
    turns = UploadTurns(1, patience=5)
    async with turns.turn() as turn:
        assert await turn.wait_for_client(asyncio.sleep(0, b"now")) == b"now"
        assert turn.held
        other = asyncio.create_task(_take_and_leave(turns))
        await turns.until(lambda: turns.waiting == 1)
        assert not other.done() and turns.stepped_aside == 0
    await asyncio.wait_for(other, timeout=5)


async def test_a_turn_held_past_its_share_goes_to_the_next_in_line() -> None:
    now = [0.0]
    turns = UploadTurns(1, share=5, monotonic=lambda: now[0])
    order: list[str] = []

    async def long_upload() -> None:
        async with turns.turn() as turn:
            order.append("long 1")
            await turn.share()
            order.append("long 1 still")
            await turns.until(lambda: turns.waiting == 1)
            now[0] += 6
            await turn.share()
            order.append("long 2")

    async def short_upload() -> None:
        async with turns.turn():
            order.append("short")

    first = asyncio.create_task(long_upload())
    await asyncio.sleep(0)
    await asyncio.gather(first, short_upload())
    assert order == ["long 1", "long 1 still", "short", "long 2"]


async def _take_and_leave(turns: UploadTurns) -> None:
    async with turns.turn():
        pass


class Socket:
    """A connection's reading, as the request protocol exposes it."""

    def __init__(self) -> None:
        self.paused = False
        self.calls: list[str] = []
        self.held: list[bool] = []

    def pause_reading(self) -> None:
        self.paused = True
        self.calls.append("pause")

    def resume_reading(self) -> None:
        self.paused = False
        self.calls.append("resume")

    def taking_in(self, held: bool) -> None:
        self.held.append(held)


async def test_a_request_waiting_for_a_turn_leaves_its_bytes_in_the_socket() -> None:
    turns = UploadTurns(1)
    first, second = Socket(), Socket()
    release = asyncio.Event()
    reading_when_in: list[bool] = []

    async def holder() -> None:
        async with turns.turn(first):
            await release.wait()

    async def waiter() -> None:
        async with turns.turn(second):
            reading_when_in.append(not second.paused)

    held = asyncio.create_task(holder())
    await turns.until(turns.taken)
    waiting = asyncio.create_task(waiter())
    await turns.until(lambda: turns.waiting == 1)
    assert second.paused
    release.set()
    await asyncio.gather(held, waiting)
    assert first.calls == []
    assert second.calls == ["pause", "resume"]
    assert reading_when_in == [True]
    assert first.held == second.held == [True, False]  # large reads only while in
