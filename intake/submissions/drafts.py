"""Draft submissions: created first, filled by resumable uploads, then submitted.

A mobile app creates a draft with the reader's fields, uploads each file with tus
(bound to the draft by its submitter token), and submits the draft once every upload
is complete. Submitting moves the draft on exactly as a one-request submission is
received: ``processing``, with its inspection job (which writes the manifest), in the
same transaction.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from intake.core.bucket_layout import submission_prefix
from intake.core.clock import Clock, utcnow
from intake.core.errors import Conflict, NotFound, ValidationFailed
from intake.core.ids import hash_token, new_id, new_reference, new_token, token_matches
from intake.core.sizes import describe_size
from intake.submissions.acceptance import inspection_job, received_audit
from intake.submissions.fields import validate_fields
from intake.submissions.filenames import sanitize_filename
from intake.submissions.policy import IntakePolicy
from intake.submissions.ports import SubmissionKeys, SubmissionRepository
from intake.submissions.records import (
    AuditEntry,
    FileState,
    StoredFile,
    Submission,
    SubmissionState,
)
from intake.uploads.ports import UploadRepository
from intake.uploads.records import Concat, Upload, UploadState


@dataclass(frozen=True)
class NewDraft:
    submission: Submission
    token: str


class DraftService:
    def __init__(
        self,
        submissions: SubmissionRepository,
        uploads: UploadRepository,
        policy: IntakePolicy,
        clock: Clock = utcnow,
        keys: SubmissionKeys | None = None,
    ) -> None:
        self._submissions = submissions
        self._uploads = uploads
        self._policy = policy
        self._clock = clock
        self._keys = keys

    async def create(self, raw_fields: Mapping[str, str]) -> NewDraft:
        details = validate_fields(raw_fields, self._policy.fields)
        now = self._clock()
        token = new_token()
        submission_id = new_id()
        draft = Submission(
            id=submission_id,
            reference=new_reference(),
            state=SubmissionState.DRAFT,
            created_at=now,
            updated_at=now,
            details=details,
            terms_version=self._policy.terms_version,
            token_hash=hash_token(token),
            prefix=submission_prefix(submission_id, now),
        )
        audit = AuditEntry(submission_id, now, "submitter", "draft_created", None,
                           SubmissionState.DRAFT)  # fmt: skip
        data_key = self._keys.made(submission_id) if self._keys is not None else None
        await self._submissions.add_submission(draft, [], [audit], data_key=data_key)
        return NewDraft(draft, token)

    async def find(self, submission_id: str, token: str | None) -> Submission:
        """The submission if ``token`` is its submitter token; 404 otherwise (never 403:
        whether an id exists is not for others to learn)."""
        submission = await self._submissions.get_submission(submission_id)
        if submission is None or not token or not token_matches(token, submission.token_hash):
            raise NotFound("No submission with this id belongs to this token.")
        return submission

    async def submit(
        self, submission_id: str, token: str | None
    ) -> tuple[Submission, list[StoredFile]]:
        """Move the draft on; the submission and its files as recorded."""
        draft = await self.find(submission_id, token)
        if draft.state is not SubmissionState.DRAFT:
            raise Conflict("This submission was already submitted.", state=draft.state.value)
        uploads = await self._uploads.uploads_of(draft.id)
        _check_uploads(uploads)
        now = self._clock()
        files = [
            stored_file(u, position)
            for position, u in enumerate(
                u for u in uploads if u.state is UploadState.COMPLETE and u.concat != Concat.PARTIAL
            )
        ]
        submitted = dataclasses.replace(
            draft,
            state=SubmissionState.PROCESSING,
            updated_at=now,
            file_count=len(files),
            total_bytes=sum(f.size for f in files),
        )
        audit = received_audit(submitted, files, SubmissionState.DRAFT, now)
        job = inspection_job(submitted)
        if not await self._submissions.submit_draft(submitted, files, audit, [job]):
            raise Conflict("This submission was already submitted.")
        return submitted, files


def _check_uploads(uploads: list[Upload]) -> None:
    unfinished = [u for u in uploads if u.state is UploadState.OPEN and u.concat != Concat.PARTIAL]
    if unfinished:
        listed = "; ".join(
            f"{u.filename or u.id}: {describe_size(u.offset)} of "
            f"{describe_size(u.length) if u.length is not None else 'an unknown size'}"
            for u in unfinished
        )
        raise Conflict(
            f"Finish every upload before submitting ({listed}).",
            incomplete_uploads=[u.id for u in unfinished],
        )
    if not any(u.state is UploadState.COMPLETE and u.concat != Concat.PARTIAL for u in uploads):
        raise ValidationFailed(
            [
                {
                    "field": "files",
                    "code": "required",
                    "detail": "Upload at least one photo or video.",
                }
            ]
        )


def stored_file(upload: Upload, position: int) -> StoredFile:
    assert upload.length is not None
    return StoredFile(
        id=upload.id,
        submission_id=upload.submission_id,
        position=position,
        original_filename=sanitize_filename(upload.filename),
        media_type=upload.media_type,
        kind=upload.kind,
        size=upload.length,
        sha256=upload.sha256,
        object_key=upload.object_key,
        state=FileState.STORED,
        created_at=upload.updated_at,
    )
