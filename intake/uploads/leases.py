"""Leases on uploads: a PATCH that stores a part or the object holds one while it writes,
so that two requests never write one upload's parts at once (renewed while it streams,
given up when it ends). Each lease is a row's ``lock_id`` in the database: any node may
hold it, none keeps it in memory."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass

from intake.core.background import cancel_and_wait
from intake.core.clock import Clock
from intake.core.errors import Conflict, Gone, Locked
from intake.uploads.ports import Claim, UploadRepository
from intake.uploads.records import Upload


@dataclass
class Lease:
    lock_id: str
    released: bool = False


class Leases:
    def __init__(self, uploads: UploadRepository, term: dt.timedelta, clock: Clock) -> None:
        self._uploads = uploads
        self.term = term
        self._clock = clock

    async def claim(self, upload: Upload, offset: int, lock_id: str) -> None:
        """Take the upload's lease, or raise why it cannot be taken."""
        now = self._clock()
        claim = await self._uploads.claim(
            upload.id, offset=offset, lock_id=lock_id, until=now + self.term, now=now
        )
        if claim is Claim.OFFSET_MISMATCH:
            fresh = await self._uploads.get_upload(upload.id)
            raise Conflict("The upload moved on; ask for its offset (HEAD) and resume.",
                           offset=fresh.offset if fresh else None)  # fmt: skip
        if claim is Claim.LOCKED:
            raise Locked("Another request is writing this upload; retry in a few seconds.")
        if claim is not Claim.CLAIMED:
            raise Gone("This upload is no longer open.")

    @contextlib.asynccontextmanager
    async def holding(self, upload_id: str, lock_id: str) -> AsyncIterator[Lease]:
        """The lease taken, renewed while the block runs, then given up unless the block
        released it (a save that released it sets ``released``)."""
        lease = Lease(lock_id)
        keeper = asyncio.create_task(self._keep(upload_id, lock_id))
        try:
            yield lease
        finally:
            try:
                await cancel_and_wait(keeper)
            finally:  # also when the request is cancelled meanwhile: a retry finds it free
                if not lease.released:
                    await asyncio.shield(self._uploads.release(upload_id, lock_id))

    async def _keep(self, upload_id: str, lock_id: str) -> None:
        interval = self.term.total_seconds() / 3
        while True:
            await asyncio.sleep(interval)
            if not await self._uploads.renew(upload_id, lock_id, self._clock() + self.term):
                return
