"""Background loops go on after a failure, say so with a traceback, and stop together."""

from __future__ import annotations

import asyncio
import logging

import pytest

from intake.core.background import Background, every
from intake.core.errors import StorageUnavailable


async def test_a_failing_round_is_logged_with_its_traceback_and_the_loop_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    rounds: list[str] = []
    waits: list[float] = []
    outcomes = iter(["bug", "outage", "work", "idle", "stop"])

    async def round_() -> int:
        outcome = next(outcomes)
        rounds.append(outcome)
        if outcome == "bug":
            raise KeyError("a bug")
        if outcome == "outage":
            raise StorageUnavailable("S3 does not answer")
        if outcome == "stop":
            raise asyncio.CancelledError
        return 1 if outcome == "work" else 0

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    with caplog.at_level(logging.WARNING), pytest.raises(asyncio.CancelledError):
        await every("the janitor", 30, round_, sleep=sleep)
    assert rounds == ["bug", "outage", "work", "idle", "stop"]
    assert waits == [30, 30, 30], "a round that found work is followed at once"
    [bug, outage] = caplog.records
    assert bug.exc_info is not None and "the janitor failed" in bug.getMessage()
    assert outage.getMessage() == "the janitor: S3 does not answer"


async def test_a_task_that_dies_is_logged_and_stop_awaits_every_task(
    caplog: pytest.LogCaptureFixture,
) -> None:
    background = Background()
    cleaned = asyncio.Event()

    async def dies() -> None:
        raise RuntimeError("broken")

    async def runs() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            cleaned.set()

    with caplog.at_level(logging.ERROR):
        background.start("dies", dies())
        background.start("runs", runs())
        assert background.names == ["dies", "runs"]
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        await background.stop()
    assert cleaned.is_set()
    assert [r.getMessage() for r in caplog.records] == ["background task dies stopped"]
    assert caplog.records[0].exc_info is not None
