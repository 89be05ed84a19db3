"""Erasing a submission: one way, whether the reader withdraws it or retention purges it.

    erase    0. its data key destroyed (committed): from then on no copy of its objects,
                in the bucket or in any disk, snapshot, backup or version of it, opens
             1. its uploads still in progress ended (their parts, segments and tails removed)
             2. the database erases what the reader sent and what was found in it, the
                moderators' notes included, and marks it withdrawn, with a trace in the
                audit log (``SubmissionRepository.withdraw``)
             3. every object under its prefix deleted, unfinished multipart uploads aborted,
                and the public copies an editor published
             4. the database asked to drop the erased values from its files
    forget   erase (steps 1-3 again for a stub: objects a failed deletion left behind go),
             then its rows deleted; the audit log keeps its entries

Withdrawals and retention both erase through :meth:`Erasure.erase`. An erasure repeated
after a failure finishes what the first one began.
"""

from __future__ import annotations

from intake.core.object_store import ObjectStore
from intake.keys.keyring import KeyRing
from intake.keys.ports import PublishedCopyRepository
from intake.submissions.ports import SubmissionRepository
from intake.submissions.records import AuditEntry, Submission, SubmissionState
from intake.uploads.resumable import UploadService
from intake.webhooks.records import OutboxEvent


class Erasure:
    def __init__(
        self,
        store: ObjectStore,
        submissions: SubmissionRepository,
        resumable: UploadService,
        keys: KeyRing,
        published: PublishedCopyRepository,
    ) -> None:
        self._store = store
        self._keys = keys
        self._published = published
        self._submissions = submissions
        self._resumable = resumable

    async def erase(
        self,
        submission: Submission,
        trace: AuditEntry,
        event: OutboxEvent | None = None,
        *,
        reclaim: bool = True,
    ) -> None:
        """Erase everything ``submission`` holds of its reader, ``trace`` (and ``event``)
        written when the database erases it; ``reclaim=False`` leaves step 4 to the caller
        (one reclaim after a batch)."""
        await self._keys.destroy(submission.id)
        if submission.state is not SubmissionState.WITHDRAWN:
            await self._resumable.end_all(submission.id)
            await self._submissions.withdraw(submission.id, trace, event)
        await self._delete_objects(submission)
        if reclaim:
            await self._submissions.reclaim_erased()

    async def forget(
        self, submission: Submission, erased: AuditEntry, forgotten: AuditEntry
    ) -> None:
        """Erase the submission (``erased`` its trace, unless it was already) and delete its
        rows (``forgotten`` the trace); the caller reclaims the space."""
        await self.erase(submission, erased, reclaim=False)
        await self._submissions.forget(submission.id, forgotten)

    async def _delete_objects(self, submission: Submission) -> None:
        copies = [c.object_key for c in await self._published.of_submission(submission.id)]
        if copies:
            await self._store.delete(copies)
            await self._published.remove(copies)
        for key, multipart_id in await self._store.list_multipart_uploads(submission.prefix):
            await self._store.abort_multipart(key, multipart_id)
        await self._store.delete(await self._store.list_keys(submission.prefix))
