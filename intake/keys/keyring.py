"""Data keys: made on first use, unwrapped when needed, destroyed for good.

Each submission's objects, and those of its resumable uploads, are sealed with its own
256-bit data key, random, kept only wrapped by a master key (:mod:`master`). Keys are
unwrapped on every use, never kept in memory beyond the call that needs them: a key
destroyed on one instance is gone on all of them.
"""

from __future__ import annotations

import os

from intake.core.clock import Clock, utcnow
from intake.core.errors import ObjectNotFound, StorageError
from intake.keys.master import KEY_BYTES, MasterKeys
from intake.keys.ports import DataKeyRepository, KeyCounts, WrappedKey

ROTATE_BATCH = 200


class KeyDestroyed(ObjectNotFound):
    """The submission's data key is gone: its objects can never be read again."""


class SubmissionErased(StorageError):
    """The submission's data key is gone: nothing more is sealed for it."""


class KeyRing:
    def __init__(
        self, repository: DataKeyRepository, masters: MasterKeys, clock: Clock = utcnow
    ) -> None:
        self._repository = repository
        self._masters = masters
        self._clock = clock

    @property
    def masters(self) -> MasterKeys:
        return self._masters

    async def for_reading(self, submission_id: str) -> bytes:
        """The submission's data key; :class:`KeyDestroyed` when it has none."""
        found = await self._repository.get(submission_id)
        if found is None:
            raise KeyDestroyed("the data key of these objects is destroyed")
        return self._masters.unwrap(found.master_key_id, found.wrapped, submission_id)

    async def for_writing(self, submission_id: str) -> bytes:
        """The submission's data key, made now if it has none yet; :class:`SubmissionErased`
        when it was destroyed (nothing is sealed for an erased submission)."""
        found = await self._repository.get(submission_id)
        if found is None:
            data_key = os.urandom(KEY_BYTES)
            master_id, wrapped = self._masters.wrap(data_key, submission_id)
            made = WrappedKey(submission_id, master_id, wrapped)
            found = await self._repository.add(made, self._clock())
            if found is None:
                raise SubmissionErased("this submission was erased: nothing more is stored for it")
            if found == made:
                return data_key
        return self._masters.unwrap(found.master_key_id, found.wrapped, submission_id)

    async def scope_of_upload(self, upload_id: str) -> str | None:
        return await self._repository.submission_of_upload(upload_id)

    async def destroy(self, submission_id: str) -> None:
        """Destroy the submission's data key (committed when this returns)."""
        await self._repository.destroy(submission_id, self._clock())

    async def rotate(self) -> int:
        """Rewrap every data key not wrapped with the current master key; return how many."""
        done = 0
        current = {self._masters.current}
        while batch := await self._repository.wrapped_with(current, ROTATE_BATCH):
            for old in batch:
                data_key = self._masters.unwrap(old.master_key_id, old.wrapped, old.submission_id)
                master_id, wrapped = self._masters.wrap(data_key, old.submission_id)
                new = WrappedKey(old.submission_id, master_id, wrapped)
                done += await self._repository.rewrap(old, new)
        return done

    async def counts(self) -> KeyCounts:
        return await self._repository.counts()
