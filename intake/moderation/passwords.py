"""Passwords hashed with argon2id, in a small thread pool of their own: a hash takes tens
of milliseconds of CPU and must never hold up the event loop."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class Busy(Exception):
    """Every hashing thread is taken and ``waiting`` checks already queue for one."""


class Passwords:
    """Hash and verify on ``threads`` worker threads; at most ``waiting`` more checks
    queue for them, others are refused at once (:class:`Busy`)."""

    def __init__(
        self, threads: int = 2, hasher: PasswordHasher | None = None, waiting: int = 16
    ) -> None:
        self._hasher = hasher or PasswordHasher()
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="argon2")
        self._dummy = self._hasher.hash("an account that does not exist")
        self._room = threads + waiting
        self.in_progress = 0

    async def hash(self, password: str) -> str:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self._hasher.hash, password)

    async def verify(self, stored_hash: str, password: str) -> bool:
        """Whether ``password`` matches; an empty hash (no password set) takes as long
        as a real one to say no, so that timing does not tell which accounts exist."""
        if self.in_progress >= self._room:
            raise Busy
        self.in_progress += 1
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(
                self._pool, self._verify, stored_hash or self._dummy, password, bool(stored_hash)
            )
        finally:
            self.in_progress -= 1

    def _verify(self, stored_hash: str, password: str, real: bool) -> bool:
        try:
            return self._hasher.verify(stored_hash, password) and real
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
