"""The moderation queue's rules: moderators claim the oldest waiting submission, hold it
with a lease, and decide on it; one who walks away loses it when the lease runs out.

    pending_review ──claim──> in_review ──approve──> approved
    escalated ─(seniors)─┘       │ ├──reject───> rejected
                                 │ └──escalate─> escalated
                                 └──release / lease runs out──> back where it came from

Only the lease holder changes a claimed submission; seniors (and admins) take escalated
ones, first. Every step is audited; each decision writes an outbox event with it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from intake.core.clock import Clock, utcnow
from intake.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from intake.core.settings import Settings
from intake.moderation.ports import ModerationQueue, QueueFilter
from intake.moderation.records import Decision, Moderator, Role
from intake.submissions.events import state_event
from intake.submissions.ports import SubmissionRepository
from intake.submissions.records import AuditEntry, Submission, SubmissionState

NOTE_MAX_CHARS = 2000


@dataclass(frozen=True)
class ModerationRules:
    lease: dt.timedelta
    reasons: tuple[str, ...]

    @classmethod
    def from_settings(cls, settings: Settings) -> ModerationRules:
        m = settings.moderation
        return cls(dt.timedelta(seconds=m.lease_seconds), m.reasons)


def _invalid(field: str, code: str, detail: str) -> ValidationFailed:
    return ValidationFailed([{"field": field, "code": code, "detail": detail}])


def is_escalated(submission: Submission) -> bool:
    return SubmissionState.ESCALATED in (submission.state, submission.claimed_from)


class ModerationService:
    def __init__(
        self,
        queue: ModerationQueue,
        submissions: SubmissionRepository,
        rules: ModerationRules,
        clock: Clock = utcnow,
    ) -> None:
        self._queue = queue
        self._submissions = submissions
        self.rules = rules
        self._clock = clock

    async def claim(self, moderator: Moderator, filters: QueueFilter) -> Submission | None:
        """The oldest waiting submission, leased to ``moderator``; seniors get escalated
        ones first. ``None`` when nothing waits."""
        queues = [SubmissionState.PENDING_REVIEW]
        if moderator.role.at_least(Role.SENIOR):
            queues.insert(0, SubmissionState.ESCALATED)
        for queue in queues:
            now = self._clock()
            claimed = await self._queue.claim(queue, moderator.id, moderator.name,
                                              until=now + self.rules.lease, now=now,
                                              filters=filters)  # fmt: skip
            if claimed is not None:
                return claimed
        return None

    async def _held(self, moderator: Moderator, submission_id: str) -> Submission:
        """The submission if ``moderator`` holds its lease: 404, 403 or 409 otherwise."""
        submission = await self._submissions.get_submission(submission_id)
        if submission is None:
            raise NotFound("No submission has this id.")
        if is_escalated(submission) and not moderator.role.at_least(Role.SENIOR):
            raise Forbidden("Escalated submissions are for senior moderators.")
        now = self._clock()
        if (
            submission.state is not SubmissionState.IN_REVIEW
            or submission.lease_holder != moderator.id
            or submission.lease_expires_at is None
            or submission.lease_expires_at <= now
        ):
            raise Conflict(
                "You do not hold this submission (its lease ran out, or it was never "
                "yours); claim it again.",
                state=submission.waiting_state(now).value,
            )
        return submission

    async def renew(self, moderator: Moderator, submission_id: str) -> Submission:
        held = await self._held(moderator, submission_id)
        now = self._clock()
        until = now + self.rules.lease
        audit = AuditEntry(held.id, now, moderator.name, "lease_renewed", None, None,
                           {"lease_expires_at": until.isoformat()})  # fmt: skip
        renewed = await self._queue.renew(submission_id, moderator.id, until=until, now=now,
                                          audit=audit)  # fmt: skip
        if not renewed:
            raise Conflict("The lease ran out meanwhile; claim it again.")
        return dataclasses.replace(held, lease_expires_at=until)

    async def release(self, moderator: Moderator, submission_id: str) -> None:
        held = await self._held(moderator, submission_id)
        now = self._clock()
        audit = AuditEntry(held.id, now, moderator.name, "released", held.state,
                           held.claimed_from, {})  # fmt: skip
        if not await self._queue.release(submission_id, moderator.id, now=now, audit=audit):
            raise Conflict("The lease ran out meanwhile.")

    def _check(self, held: Submission, decision: str, reason: str, note: str) -> Decision:
        try:
            chosen = Decision(decision)
        except ValueError:
            raise _invalid("decision", "unknown", "Use approve, reject or escalate.") from None
        if reason not in self.rules.reasons:
            raise _invalid("reason", "unknown", "Use one of: " + ", ".join(self.rules.reasons))
        if len(note) > NOTE_MAX_CHARS:
            raise _invalid("note", "too_long", f"At most {NOTE_MAX_CHARS} characters.")
        if chosen is Decision.ESCALATE and held.claimed_from is SubmissionState.ESCALATED:
            raise _invalid("decision", "already_escalated", "Approve or reject it.")
        return chosen

    async def decide(
        self, moderator: Moderator, submission_id: str, decision: str, reason: str, note: str
    ) -> Submission:
        """Approve, reject or escalate a held submission: state, lease end, audit entry
        and outbox event together."""
        held = await self._held(moderator, submission_id)
        chosen = self._check(held, decision, reason, note)
        now = self._clock()
        to_state = chosen.to_state
        detail = {
            "decision": chosen.value,
            "reason": reason,
            "note": note,
            "claimed_from": held.claimed_from.value if held.claimed_from else None,
        }
        audit = AuditEntry(held.id, now, moderator.name, "decided", held.state, to_state,
                           detail)  # fmt: skip
        event = state_event(held, to_state, now, decision=chosen.value, reason=reason,
                            moderator=moderator.name)  # fmt: skip
        done = await self._queue.decide(
            submission_id, moderator.id, now=now, audit=audit, event=event
        )
        if not done:
            raise Conflict("The lease ran out meanwhile; claim it again.")
        return dataclasses.replace(held, state=to_state, updated_at=now, lease_holder="",
                                   lease_expires_at=None, claimed_from=None)  # fmt: skip
