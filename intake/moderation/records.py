"""Moderators, their roles and tokens, and their decisions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from intake.submissions.records import SubmissionState


class Role(StrEnum):
    """What a moderator may do; each role may do what the ones before it may."""

    MODERATOR = "moderator"
    SENIOR = "senior"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def at_least(self, other: Role) -> bool:
        return self.rank >= other.rank


@dataclass(frozen=True)
class Moderator:
    id: str
    name: str
    role: Role
    disabled: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    password_hash: str = ""


class TokenKind(StrEnum):
    API = "api"
    """Issued by ``intake moderator token`` or an admin; lasts until replaced, revoked or
    expired (``moderation.api_token_days``)."""
    SESSION = "session"
    """Issued at login; expires."""


@dataclass(frozen=True)
class TokenInfo:
    """A live token as its holder and admins see it: never the token or its hash."""

    id: str
    kind: TokenKind
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    ESCALATE = "escalate"

    @property
    def to_state(self) -> SubmissionState:
        return {
            Decision.APPROVE: SubmissionState.APPROVED,
            Decision.REJECT: SubmissionState.REJECTED,
            Decision.ESCALATE: SubmissionState.ESCALATED,
        }[self]
