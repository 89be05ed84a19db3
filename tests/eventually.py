"""Waiting for what another process does: its effect, looked at until it shows."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


async def eventually(
    condition: Callable[[], Awaitable[bool]], seconds: float = 30, every: float = 0.05
) -> bool:
    """Whether ``condition`` came true within ``seconds`` (for effects of other processes
    and of background work, which no event announces in this process)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not await condition():
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(every)
    return True
