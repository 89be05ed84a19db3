"""How long intake keeps what it keeps, as the newsroom sets it (``[retention]``).

Drafts never sent, rejected submissions and those none of whose files could be used are
erased once their time is up, exactly as a withdrawal erases (:mod:`erasure`), and their
rows deleted; the stub a withdrawal leaves (state and reference, so the reader sees it was
withdrawn) is deleted after its own time. Audit entries lose their details and notes after
theirs, keeping who did what, when. Approved submissions and those still in the queue are
kept: they are the newsroom's to delete. The janitor runs :meth:`Retention.purge`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from intake.core.clock import Clock, utcnow
from intake.core.settings import Settings
from intake.submissions.erasure import Erasure
from intake.submissions.ports import SubmissionRepository
from intake.submissions.records import AuditEntry, Submission, SubmissionState

ACTOR = "retention"
BATCH = 100


@dataclass(frozen=True)
class RetentionRules:
    keep: Mapping[SubmissionState, dt.timedelta]
    """How long after its last change a submission in each state is kept (a state not
    here is kept)."""
    audit_details: dt.timedelta | None = None
    """How long audit entries keep their details and notes (``None``: always)."""

    @classmethod
    def from_settings(cls, settings: Settings) -> RetentionRules:
        r = settings.retention
        days = {
            SubmissionState.DRAFT: r.draft_days,
            SubmissionState.REJECTED: r.rejected_days,
            SubmissionState.FAILED: r.failed_days,
            SubmissionState.WITHDRAWN: r.withdrawn_days,
        }
        keep = {state: dt.timedelta(days=n) for state, n in days.items() if n}
        details = dt.timedelta(days=r.audit_detail_days) if r.audit_detail_days else None
        return cls(keep, details)


class Retention:
    def __init__(
        self,
        submissions: SubmissionRepository,
        erasure: Erasure,
        rules: RetentionRules,
        clock: Clock = utcnow,
    ) -> None:
        self._submissions = submissions
        self._erasure = erasure
        self._rules = rules
        self._clock = clock

    def _traces(self, submission: Submission, now: dt.datetime) -> tuple[AuditEntry, AuditEntry]:
        kept = self._rules.keep[submission.state]
        erased = AuditEntry(submission.id, now, ACTOR, "purged", submission.state,
                            SubmissionState.WITHDRAWN, {"kept_days": kept.days})  # fmt: skip
        forgotten = AuditEntry(submission.id, now, ACTOR, "forgotten",
                               SubmissionState.WITHDRAWN, None)  # fmt: skip
        return erased, forgotten

    async def purge(self) -> int:
        """One batch: erase and forget the submissions kept long enough, empty old audit
        details; return how many submissions went (a full batch: call again)."""
        now = self._clock()
        cutoffs = {state: now - kept for state, kept in self._rules.keep.items()}
        due = await self._submissions.due_for_retention(cutoffs, BATCH)
        for submission in due:
            await self._erasure.forget(submission, *self._traces(submission, now))
        details = 0
        if self._rules.audit_details is not None:
            details = await self._submissions.erase_audit_details(now - self._rules.audit_details)
        if due or details:
            await self._submissions.reclaim_erased()
        return len(due)
