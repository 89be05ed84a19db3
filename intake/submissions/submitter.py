"""What a submitter can do with what they sent: see where it stands, and withdraw it.

Withdrawing erases the submission's personal data, removes every object it has in the
bucket (originals, derivatives, manifest, unfinished uploads) and leaves only a stub in
the audit log, as :class:`intake.submissions.erasure.Erasure` does for retention too. It
can be repeated: a retry finishes what an interrupted one began.
"""

from __future__ import annotations

from dataclasses import dataclass

from intake.core.clock import Clock, utcnow
from intake.submissions.drafts import DraftService
from intake.submissions.erasure import Erasure
from intake.submissions.events import state_event
from intake.submissions.ports import SubmissionRepository
from intake.submissions.records import AuditEntry, StoredFile, Submission, SubmissionState
from intake.uploads.ports import UploadRepository
from intake.uploads.records import Upload

PLAIN_STATES: dict[SubmissionState, tuple[str, str]] = {
    SubmissionState.DRAFT: ("not_sent", "Not sent yet: finish your uploads and send it."),
    SubmissionState.RECEIVED: ("received", "Received."),
    SubmissionState.PROCESSING: ("being_checked", "Received; your files are being checked."),
    SubmissionState.PENDING_REVIEW: ("waiting_for_review", "Waiting for review by our team."),
    SubmissionState.IN_REVIEW: ("waiting_for_review", "Waiting for review by our team."),
    SubmissionState.ESCALATED: ("waiting_for_review", "Waiting for review by our team."),
    SubmissionState.APPROVED: ("approved", "Approved: our team may publish it."),
    SubmissionState.REJECTED: ("not_used", "Reviewed; we will not use it."),
    SubmissionState.FAILED: ("not_used", "We could not use the files you sent."),
    SubmissionState.WITHDRAWN: ("withdrawn", "Withdrawn by you; we deleted what you sent."),
}


@dataclass(frozen=True)
class SubmitterView:
    submission: Submission
    files: list[StoredFile]
    uploads: list[Upload]

    @property
    def status(self) -> str:
        return PLAIN_STATES[self.submission.state][0]

    @property
    def status_text(self) -> str:
        return PLAIN_STATES[self.submission.state][1]


class SubmitterService:
    def __init__(
        self,
        submissions: SubmissionRepository,
        uploads: UploadRepository,
        drafts: DraftService,
        erasure: Erasure,
        clock: Clock = utcnow,
    ) -> None:
        self._submissions = submissions
        self._uploads = uploads
        self._drafts = drafts
        self._erasure = erasure
        self._clock = clock

    async def view(self, submission_id: str, token: str | None) -> SubmitterView:
        """Where the submission stands; a withdrawn one shows no file: nothing is left."""
        submission = await self._drafts.find(submission_id, token)
        if submission.state is SubmissionState.WITHDRAWN:
            return SubmitterView(submission, [], [])
        return SubmitterView(
            submission,
            await self._submissions.files_of(submission.id),
            await self._uploads.uploads_of(submission.id),
        )

    async def withdraw(self, submission_id: str, token: str | None) -> None:
        submission = await self._drafts.find(submission_id, token)
        stub = AuditEntry(submission.id, self._clock(), "submitter", "withdrawn",
                          submission.state, SubmissionState.WITHDRAWN,
                          {"note": "withdrawn by submitter"})  # fmt: skip
        event = state_event(submission, SubmissionState.WITHDRAWN, stub.at)
        await self._erasure.erase(submission, stub, event)
