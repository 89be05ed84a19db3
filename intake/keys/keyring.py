"""Data keys: made on first use, unwrapped when needed, destroyed for good.

Each submission's objects, and those of its resumable uploads, are sealed with its own
256-bit data key, random, kept only wrapped by a master key (:mod:`master`). Keys are
unwrapped on every use, never kept in memory beyond the call that needs them: a key
destroyed on one instance is gone on all of them. The one exception is a key *held* for
a submission being received, whose row does not exist yet (no other instance can know
of it): its objects are sealed with the key in memory, and the key is stored, wrapped,
in the transaction that commits the row. If that fails, the objects sealed with it open
for nobody (and are deleted, as every failed submission's are).

A key is also *lent* for the length of one request that seals and opens several times
(a tus PATCH: its head, hash state and tail in the database, its parts in the bucket):
read once instead of at every step (for a PATCH, by the statement that claims the
upload). A key destroyed on another instance meanwhile stays in that request's memory
until it ends; what it seals meanwhile opens for nobody, and the request cannot record
it (the withdrawal ends the upload first). Destroyed on this instance, the loan ends at
once.
"""

from __future__ import annotations

import contextlib
import os
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from intake.core.clock import Clock, utcnow
from intake.core.errors import ObjectNotFound, StorageError
from intake.keys.master import KEY_BYTES, MasterKeys
from intake.keys.ports import DataKeyRepository, KeyCounts, WrappedKey

ROTATE_BATCH = 200


class KeyDestroyed(ObjectNotFound):
    """The submission's data key is gone: its objects can never be read again."""


class SubmissionErased(StorageError):
    """The submission's data key is gone: nothing more is sealed for it."""


@dataclass
class _Loan:
    data_key: bytes
    uploads: Counter[str] = field(default_factory=Counter)
    """The uploads whose requests hold the loan, each with how many of them do."""


class KeyRing:
    def __init__(
        self, repository: DataKeyRepository, masters: MasterKeys, clock: Clock = utcnow
    ) -> None:
        self._repository = repository
        self._masters = masters
        self._clock = clock
        self._held: dict[str, bytes] = {}
        self._loans: dict[str, _Loan] = {}

    @property
    def masters(self) -> MasterKeys:
        return self._masters

    def made(self, submission_id: str) -> WrappedKey:
        """A new data key for a submission whose row is not written yet, wrapped: for
        the repository to store with that row, in the same transaction."""
        return self._wrapped(os.urandom(KEY_BYTES), submission_id)

    def hold(self, submission_id: str) -> WrappedKey:
        """:meth:`made`, and held in this process to seal the submission's objects
        before its row (and the key with it) is committed; :meth:`release` it then."""
        data_key = os.urandom(KEY_BYTES)
        self._held[submission_id] = data_key
        return self._wrapped(data_key, submission_id)

    def release(self, submission_id: str) -> None:
        """Forget a held key: its row is committed (the key is read from there on), or
        it never will be."""
        self._held.pop(submission_id, None)

    @contextlib.asynccontextmanager
    async def lent(
        self, submission_id: str, upload_id: str, stored: WrappedKey | None = None
    ) -> AsyncIterator[None]:
        """Within: the submission's data key is read (or made) once, and
        :meth:`for_reading`, :meth:`for_writing` and :meth:`scope_of_upload` of the upload
        answer from memory (:class:`SubmissionErased` at once when it was destroyed).
        ``stored`` is the key as the caller just read it from the repository, if it did."""
        loan = self._loans.get(submission_id)
        if loan is None:
            if stored is not None and stored.submission_id == submission_id:
                data_key = self._unwrapped(stored)
            else:
                data_key = await self.for_writing(submission_id)
            loan = self._loans.setdefault(submission_id, _Loan(data_key))
        loan.uploads[upload_id] += 1
        try:
            yield
        finally:
            loan.uploads[upload_id] -= 1
            if not loan.uploads[upload_id]:
                del loan.uploads[upload_id]
            if not loan.uploads and self._loans.get(submission_id) is loan:
                del self._loans[submission_id]

    def _in_memory(self, submission_id: str) -> bytes | None:
        if (held := self._held.get(submission_id)) is not None:
            return held
        loan = self._loans.get(submission_id)
        return loan.data_key if loan is not None else None

    def _wrapped(self, data_key: bytes, submission_id: str) -> WrappedKey:
        master_id, wrapped = self._masters.wrap(data_key, submission_id)
        return WrappedKey(submission_id, master_id, wrapped)

    def _unwrapped(self, key: WrappedKey) -> bytes:
        return self._masters.unwrap(key.master_key_id, key.wrapped, key.submission_id)

    async def for_reading(self, submission_id: str) -> bytes:
        """The submission's data key; :class:`KeyDestroyed` when it has none."""
        if (known := self._in_memory(submission_id)) is not None:
            return known
        found = await self._repository.get(submission_id)
        if found is None:
            raise KeyDestroyed("the data key of these objects is destroyed")
        return self._unwrapped(found)

    async def for_writing(self, submission_id: str) -> bytes:
        """The submission's data key, made now if it has none yet; :class:`SubmissionErased`
        when it was destroyed (nothing is sealed for an erased submission)."""
        if (known := self._in_memory(submission_id)) is not None:
            return known
        found = await self._repository.get(submission_id)
        if found is None:
            data_key = os.urandom(KEY_BYTES)
            made = self._wrapped(data_key, submission_id)
            found = await self._repository.add(made, self._clock())
            if found is None:
                raise SubmissionErased("this submission was erased: nothing more is stored for it")
            if found == made:
                return data_key
        return self._unwrapped(found)

    async def scope_of_upload(self, upload_id: str) -> str | None:
        for submission_id, loan in self._loans.items():
            if upload_id in loan.uploads:
                return submission_id
        return await self._repository.submission_of_upload(upload_id)

    async def destroy(self, submission_id: str) -> None:
        """Destroy the submission's data key (committed when this returns)."""
        self._loans.pop(submission_id, None)
        await self._repository.destroy(submission_id, self._clock())

    async def rotate(self) -> int:
        """Rewrap every data key not wrapped with the current master key; return how many."""
        done = 0
        current = {self._masters.current}
        while batch := await self._repository.wrapped_with(current, ROTATE_BATCH):
            for old in batch:
                data_key = self._unwrapped(old)
                done += await self._repository.rewrap(
                    old, self._wrapped(data_key, old.submission_id)
                )
        return done

    async def counts(self) -> KeyCounts:
        return await self._repository.counts()
