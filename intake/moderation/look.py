"""What moderators look at: the queue searched and paged, one submission in full (its
files with what inspection found, its audit trail), their own recent decisions, and
figures about the queue. Media are not linked here: they reach moderators through intake
(:mod:`intake.moderation.media`), never by a link that outlives the item."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field

from intake.core.clock import Clock, utcnow
from intake.core.errors import Forbidden, NotFound, ValidationFailed
from intake.moderation.ports import ModerationViews, SubmissionQuery
from intake.moderation.queue import is_escalated
from intake.moderation.records import Moderator, Role
from intake.submissions.ports import SubmissionRepository
from intake.submissions.records import AuditEntry, StoredFile, Submission, SubmissionState

WAITING = (SubmissionState.PENDING_REVIEW, SubmissionState.ESCALATED)


@dataclass(frozen=True)
class SubmissionDetail:
    submission: Submission
    files: list[StoredFile]
    audit: list[AuditEntry]


@dataclass(frozen=True)
class Page:
    submissions: list[Submission]
    next_cursor: str | None


@dataclass(frozen=True)
class Stats:
    now: dt.datetime
    since: dt.datetime
    depth: dict[SubmissionState, int]
    oldest_waiting: dict[SubmissionState, dt.datetime]
    decisions_per_hour: list[tuple[dt.datetime, int]]
    per_moderator: dict[str, Counter[str]] = field(default_factory=dict)


def encode_cursor(submission: Submission) -> str:
    raw = json.dumps([submission.created_at.isoformat(), submission.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, submission_id = json.loads(raw)
        when = dt.datetime.fromisoformat(at)
        if when.tzinfo is None or not isinstance(submission_id, str):
            raise ValueError("bad cursor")
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise ValidationFailed(
            [{"field": "cursor", "code": "invalid", "detail": "Use next_cursor as given."}]
        ) from None
    return when, submission_id


class ModerationLook:
    def __init__(
        self,
        views: ModerationViews,
        submissions: SubmissionRepository,
        clock: Clock = utcnow,
    ) -> None:
        self._views = views
        self._submissions = submissions
        self._clock = clock

    async def search(self, moderator: Moderator, query: SubmissionQuery) -> Page:
        """One page (newest first) and the cursor of the next, if there is one; escalated
        submissions only for seniors."""
        hide = not moderator.role.at_least(Role.SENIOR)
        asked = dataclasses.replace(query, limit=query.limit + 1, hide_escalated=hide)
        found = await self._views.search(asked, self._clock())
        more = len(found) > query.limit
        page = found[: query.limit]
        return Page(page, encode_cursor(page[-1]) if more and page else None)

    async def detail(self, moderator: Moderator, submission_id: str) -> SubmissionDetail:
        """Everything about a submission; escalated ones only for seniors."""
        submission = await self._submissions.get_submission(submission_id)
        if submission is None:
            raise NotFound("No submission has this id.")
        if is_escalated(submission) and not moderator.role.at_least(Role.SENIOR):
            raise Forbidden("Escalated submissions are for senior moderators.")
        return await self.describe(submission)

    async def describe(self, submission: Submission) -> SubmissionDetail:
        """Everything about a submission the caller may see (just claimed or decided)."""
        files, audit = await self._views.contents(submission.id)
        return SubmissionDetail(submission, files, audit)

    async def recent_decisions(
        self, moderator: Moderator, limit: int = 10
    ) -> list[tuple[AuditEntry, Submission]]:
        """``moderator``'s own latest decisions, newest first; plain moderators do not see
        those whose submission is escalated now."""
        hide = not moderator.role.at_least(Role.SENIOR)
        return await self._views.decisions_by(moderator.name, limit, hide_escalated=hide)

    async def stats(self, moderator: Moderator, hours: int) -> Stats:
        """The queue at a glance; escalated submissions counted only for seniors."""
        now = self._clock()
        since = now - dt.timedelta(hours=hours)
        hide = not moderator.role.at_least(Role.SENIOR)
        raw = await self._views.stats(now, since, hide_escalated=hide)
        per_hour: Counter[dt.datetime] = Counter()
        per_moderator: dict[str, Counter[str]] = {}
        for at, actor, to_state in raw.decisions:
            per_hour[at.replace(minute=0, second=0, microsecond=0)] += 1
            per_moderator.setdefault(actor, Counter())[to_state] += 1
        return Stats(now, since, raw.depth, raw.oldest_waiting, sorted(per_hour.items()),
                     per_moderator)  # fmt: skip


def submission_gone(f: StoredFile) -> bool:
    return f.state.value == "deleted" or not f.object_key
