"""The ports of moderation: the queue with its leases, the looks at it, moderator
accounts. Each is a ``typing.Protocol`` whose docstrings state the contract; adapters
implement them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from intake.moderation.records import Moderator, TokenInfo, TokenKind
from intake.submissions.records import AuditEntry, StoredFile, Submission, SubmissionState
from intake.webhooks.records import OutboxEvent


@dataclass(frozen=True)
class QueueFilter:
    """Which waiting submissions a moderator wants: files of this kind, this locale, a
    file with a flag of this kind, a file whose content credentials are in this state."""

    kind: str = ""
    locale: str = ""
    flag: str = ""
    credentials: str = ""
    """valid, broken, unknown_signer, or none (a file without content credentials)."""
    skip: tuple[str, ...] = ()
    """Submission ids the moderator skipped: not these."""


class ModerationQueue(Protocol):
    """Claims, leases and decisions on submissions; each method is one transaction.

    A lease belongs to ``holder`` (a moderator id) until ``lease_expires_at``; every change
    is conditional on holding a live lease, so a holder whose lease ran out changes nothing.
    """

    async def return_lapsed(self, now: dt.datetime) -> int:
        """Put submissions whose lease ran out back in their queue (audited); how many."""

    async def claim(
        self,
        queue: SubmissionState,
        holder: str,
        actor: str,
        *,
        until: dt.datetime,
        now: dt.datetime,
        filters: QueueFilter,
    ) -> Submission | None:
        """Lease the oldest submission waiting in ``queue`` to ``holder`` (audited); ``None``
        when none waits. Two concurrent claims never get the same submission."""

    async def renew(
        self,
        submission_id: str,
        holder: str,
        *,
        until: dt.datetime,
        now: dt.datetime,
        audit: AuditEntry,
    ) -> bool:
        """Extend a live lease, with ``audit``; ``False`` when ``holder`` holds none."""

    async def release(
        self, submission_id: str, holder: str, *, now: dt.datetime, audit: AuditEntry
    ) -> bool:
        """End a live lease, the submission back in its queue; ``False`` when not held."""

    async def decide(
        self,
        submission_id: str,
        holder: str,
        *,
        now: dt.datetime,
        audit: AuditEntry,
        event: OutboxEvent,
    ) -> bool:
        """Move a held submission to ``audit.to_state``, end the lease, write ``audit``
        and ``event`` (with its deliveries), all or nothing; ``False`` when not held."""

    async def record(self, audit: AuditEntry) -> None:
        """Append ``audit`` alone (a moderator opened a file), changing nothing else."""


@dataclass(frozen=True)
class SubmissionQuery:
    states: tuple[SubmissionState, ...] = ()
    kind: str = ""
    locale: str = ""
    created_from: dt.datetime | None = None
    created_to: dt.datetime | None = None
    text: str = ""
    after: tuple[dt.datetime, str] | None = None
    """Only submissions before this (created_at, id): the cursor of the page before."""
    limit: int = 50
    hide_escalated: bool = False
    """Leave out escalated submissions, and those claimed from the senior queue."""
    flag: str = ""
    """Only submissions with a file flagged so (a flag kind)."""
    credentials: str = ""
    """Only submissions with a file whose content credentials are so (or ``none``)."""


@dataclass(frozen=True)
class QueueStats:
    depth: dict[SubmissionState, int]
    oldest_waiting: dict[SubmissionState, dt.datetime]
    decisions: list[tuple[dt.datetime, str, str]]
    """(when, moderator, to state) of every decision in the period."""


class ModerationViews(Protocol):
    """Read-only looks at the queue; a lapsed lease counts as waiting."""

    async def search(self, query: SubmissionQuery, now: dt.datetime) -> list[Submission]:
        """Submissions matching ``query``, newest first."""

    async def stats(
        self, now: dt.datetime, since: dt.datetime, *, hide_escalated: bool = False
    ) -> QueueStats:
        """Depth per state, oldest waiting per queue, decisions since ``since``; with
        ``hide_escalated``, escalated submissions (and those claimed from the senior
        queue) are not counted."""

    async def contents(self, submission_id: str) -> tuple[list[StoredFile], list[AuditEntry]]:
        """A submission's files (in order) and audit trail (oldest first), read together."""

    async def decisions_by(
        self, actor: str, limit: int, *, hide_escalated: bool = False
    ) -> list[tuple[AuditEntry, Submission]]:
        """The latest ``limit`` decisions ``actor`` made, newest first, each with its
        submission as it is now; with ``hide_escalated``, none whose submission is
        escalated (or claimed from the senior queue) now."""


class ModeratorRepository(Protocol):
    """Moderator accounts, their hashed tokens and failed logins."""

    async def add(self, moderator: Moderator, audit: AuditEntry) -> bool:
        """Insert the account; ``False`` when the name is taken."""

    async def get(self, moderator_id: str) -> Moderator | None: ...

    async def by_name(self, name: str) -> Moderator | None: ...

    async def all(self) -> list[Moderator]: ...

    async def change(
        self, moderator_id: str, audit: AuditEntry, now: dt.datetime, **values: object
    ) -> bool:
        """Set role, disabled or password_hash, with ``audit``; a change of any of them
        revokes every token of the account in the same transaction."""

    async def add_token(
        self,
        moderator_id: str,
        token_hash: str,
        kind: TokenKind,
        *,
        token_id: str,
        now: dt.datetime,
        expires_at: dt.datetime | None,
        audit: AuditEntry,
    ) -> None:
        """Store a token hash; a new API token replaces the account's earlier one."""

    async def by_token_hash(self, token_hash: str, now: dt.datetime) -> Moderator | None:
        """The enabled account holding this live token, or ``None``; notes the token's
        use (at most once a minute: a write per request would cost more than the request)."""

    async def tokens(self, moderator_id: str, now: dt.datetime) -> list[TokenInfo]:
        """The account's live tokens, newest first."""

    async def revoke_token(self, moderator_id: str, token_id: str, audit: AuditEntry) -> bool:
        """Remove one token of the account, with ``audit``; ``False`` when it has none
        with this id."""

    async def drop_token(self, token_hash: str, audit: AuditEntry) -> bool:
        """Forget this token (signing out), with ``audit``; ``False`` when not known."""

    async def failures(self, key: str, since: dt.datetime) -> tuple[int, dt.datetime | None]:
        """Login attempts counted under ``key`` since ``since`` and the time of the first."""

    async def count_attempt(
        self, key: str, now: dt.datetime, since: dt.datetime
    ) -> tuple[int, dt.datetime]:
        """Count one more login attempt under ``key`` and return the count with the time
        of the first, in one atomic step (so that no burst of concurrent attempts sees a
        stale count); a count whose first attempt is at or before ``since`` starts over."""

    async def refund_attempt(self, key: str) -> None:
        """Take one attempt back from ``key``'s count (a login that succeeded)."""

    async def purge(self, failures_before: dt.datetime, now: dt.datetime) -> int:
        """Forget failed-login counts last seen before ``failures_before`` and session
        tokens expired by ``now``; returns how many rows went."""
        ...

    async def clear_failures(self, key: str, before: dt.datetime) -> None:
        """Forget ``key``'s failures and any older than ``before``."""
