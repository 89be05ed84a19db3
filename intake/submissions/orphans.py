"""Objects in the bucket that no row owns, found and removed.

A submission's originals are stored before its row is committed; a node
that dies in between leaves them under ``submissions/…/{id}/`` with no row. A resumable
upload's objects under ``incoming/{upload_id}/`` (a partial upload's data; segments, as
versions before tails kept them) outlive an upload whose row never came or has ended.
(Its tail, in the database, goes in the transaction that ends it.) What the sweep
removes, once its id (a UUIDv7: its time of making) is older than the grace period:

- every object and unfinished multipart upload under a submission prefix with no row;
- every object and multipart upload under a withdrawn submission's prefix, whatever
  its age (nothing may stay of it: a write that raced the withdrawal);
- everything under ``incoming/{upload_id}/`` whose upload has no row or has ended
  (terminated or expired).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from intake.core.clock import Clock, utcnow
from intake.core.ids import id_time
from intake.core.object_store import ObjectStore
from intake.submissions.ports import SubmissionRepository
from intake.submissions.records import SubmissionState
from intake.uploads.ports import UploadRepository
from intake.uploads.records import UploadState

log = logging.getLogger(__name__)
SUBMISSIONS, INCOMING = "submissions/", "incoming/"
_ENDED_UPLOADS = {UploadState.TERMINATED, UploadState.EXPIRED}
_BATCH = 500


@dataclass
class Swept:
    objects: int = 0
    multipart_uploads: int = 0

    def __bool__(self) -> bool:
        return bool(self.objects or self.multipart_uploads)


def _owner(key: str, root: str) -> str:
    """The id a key belongs to: ``submissions/yyyy/mm/dd/{id}/…`` or ``incoming/{id}/…``."""
    parts = key.split("/")
    return parts[4] if root == SUBMISSIONS and len(parts) > 4 else parts[1]


def _grouped(keys: Sequence[str], root: str) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for key in keys:
        groups[_owner(key, root)].append(key)
    return groups


class OrphanSweep:
    def __init__(
        self,
        store: ObjectStore,
        submissions: SubmissionRepository,
        uploads: UploadRepository,
        grace: dt.timedelta,
        clock: Clock = utcnow,
    ) -> None:
        self._store = store
        self._submissions = submissions
        self._uploads = uploads
        self._grace = grace
        self._clock = clock

    def _old(self, owner: str) -> bool:
        made = id_time(owner)
        return made is not None and made <= self._clock() - self._grace

    async def sweep(self) -> Swept:
        """Remove what no row owns (see the module's docstring); return how much."""
        swept = Swept()
        await self._submission_objects(swept)
        await self._submission_multiparts(swept)
        await self._incoming(swept)
        if swept:
            log.info("orphans removed: %d objects, %d multipart uploads",
                     swept.objects, swept.multipart_uploads)  # fmt: skip
        return swept

    async def _states(self, owners: Sequence[str]) -> dict[str, SubmissionState]:
        states: dict[str, SubmissionState] = {}
        for start in range(0, len(owners), _BATCH):
            states.update(await self._submissions.states_of(owners[start : start + _BATCH]))
        return states

    async def _submission_objects(self, swept: Swept) -> None:
        groups = _grouped(await self._store.list_keys(SUBMISSIONS), SUBMISSIONS)
        states = await self._states(list(groups))
        doomed = [
            key
            for owner, keys in groups.items()
            if (owner not in states and self._old(owner))
            or states.get(owner) is SubmissionState.WITHDRAWN
            for key in keys
        ]
        for start in range(0, len(doomed), _BATCH):
            await self._store.delete(doomed[start : start + _BATCH])
        swept.objects += len(doomed)

    async def _submission_multiparts(self, swept: Swept) -> None:
        uploads = await self._store.list_multipart_uploads(SUBMISSIONS)
        owners = list({_owner(key, SUBMISSIONS) for key, _ in uploads})
        states = await self._states(owners)
        for key, multipart_id in uploads:
            owner = _owner(key, SUBMISSIONS)
            state = states.get(owner)
            if (state is None and self._old(owner)) or state is SubmissionState.WITHDRAWN:
                await self._store.abort_multipart(key, multipart_id)
                swept.multipart_uploads += 1

    async def _incoming(self, swept: Swept) -> None:
        groups = _grouped(await self._store.list_keys(INCOMING), INCOMING)
        old = [owner for owner in groups if self._old(owner)]
        states: dict[str, UploadState] = {}
        for start in range(0, len(old), _BATCH):
            states.update(await self._uploads.states_of(old[start : start + _BATCH]))
        doomed = [
            key
            for owner in old
            if owner not in states or states[owner] in _ENDED_UPLOADS
            for key in groups[owner]
        ]
        for start in range(0, len(doomed), _BATCH):
            await self._store.delete(doomed[start : start + _BATCH])
        swept.objects += len(doomed)
