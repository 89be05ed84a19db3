"""What is committed with a received submission, whichever door it came in by: its
audit entries and the job that inspects its files (see :mod:`intake.inspection`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from intake.core.ids import new_id
from intake.core.sizes import describe_size
from intake.jobs.records import Job, JobState
from intake.submissions.records import AuditEntry, StoredFile, Submission, SubmissionState

INSPECT_SUBMISSION = "inspect_submission"
"""The job that inspects a received submission's files (see ``intake.inspection.service``)."""


def received_audit(
    submission: Submission,
    files: Sequence[StoredFile],
    from_state: SubmissionState | None,
    received_at: dt.datetime,
) -> list[AuditEntry]:
    """The audit entries of a submission received and queued for inspection."""
    detail = {"files": [f.id for f in files], "total": describe_size(submission.total_bytes)}
    return [
        AuditEntry(submission.id, received_at, "submitter", "received", from_state,
                   SubmissionState.RECEIVED, detail),
        AuditEntry(submission.id, submission.updated_at, "system", "queued_for_inspection",
                   SubmissionState.RECEIVED, SubmissionState.PROCESSING, {}),
    ]  # fmt: skip


def inspection_job(submission: Submission) -> Job:
    """The job committed with a received submission: inspect its files."""
    return Job(
        id=new_id(),
        kind=INSPECT_SUBMISSION,
        payload={"submission_id": submission.id},
        state=JobState.QUEUED,
        created_at=submission.updated_at,
        run_after=submission.updated_at,
    )
