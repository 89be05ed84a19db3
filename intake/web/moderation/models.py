"""The moderation API's JSON bodies: decisions and accounts sent, submissions, files,
audit entries, figures and moderators answered."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Annotated, Any

from pydantic import Field, NonNegativeInt

from intake.core.settings import Settings
from intake.media.types import MediaKind
from intake.moderation import accounts
from intake.moderation import records as moderation
from intake.moderation.accounts import MAX_PASSWORD, MIN_PASSWORD, NAME
from intake.moderation.look import Page, Stats, SubmissionDetail
from intake.moderation.media import Variant
from intake.moderation.queue import NOTE_MAX_CHARS
from intake.moderation.records import Role
from intake.submissions import records
from intake.submissions.records import FileState, SubmissionState
from intake.web.i18n import Localizer
from intake.web.models import Answer, Body, Sha256Hex, Uuid, documented
from intake.web.moderation.verification import Credentials, FileFlag

Json = dict[str, Any]
UrlPath = Annotated[str, Field(json_schema_extra={"format": "uri-reference"})]
MEDIA_PATH = "/api/v1/moderation/submissions/{submission_id}/files/{file_id}/{variant}"
WAITING = (SubmissionState.PENDING_REVIEW, SubmissionState.ESCALATED)
DECIDED = (SubmissionState.APPROVED, SubmissionState.REJECTED, SubmissionState.ESCALATED)


# --- sent by moderators ----------------------------------------------------------------


class Decision(Body):
    decision: moderation.Decision
    reason: str
    """A configured reason code."""
    note: str | None = documented(None, maxLength=NOTE_MAX_CHARS)


def limit_decision(schema: Json, settings: Settings) -> Json:
    """A copy of the decision's ``schema`` naming this deployment's reasons."""
    schema = copy.deepcopy(schema)
    schema["properties"]["reason"]["enum"] = list(settings.moderation.reasons)
    return schema


_PASSWORD = {"minLength": MIN_PASSWORD, "maxLength": MAX_PASSWORD}


class NewModerator(Body):
    name: str = documented(pattern=NAME.pattern)
    role: Role | None = None
    """Default moderator."""
    password: str | None = documented(None, **_PASSWORD)
    """Without one, the account can only use API tokens."""


class ModeratorChange(Body):
    role: Role | None = None
    disabled: bool | None = None
    password: str | None = documented(None, **_PASSWORD)


class Login(Body):
    name: str
    password: str


# --- answered --------------------------------------------------------------------------


class Lease(Answer):
    holder_id: Uuid
    """The moderator holding it."""
    mine: bool
    """Whether you hold it."""
    expires_at: dt.datetime
    """When the lease runs out unless renewed."""
    claimed_from: SubmissionState
    """The queue it was claimed from and goes back to: pending_review or escalated."""


class ModerationSubmission(Answer):
    """A submission as moderators see it (personal data erased once withdrawn)."""

    id: Uuid
    """The submission id."""
    reference: str
    """The reference code readers quote."""
    state: SubmissionState
    """The state; a lapsed lease shows as waiting again."""
    created_at: dt.datetime
    """When it was received."""
    updated_at: dt.datetime
    """When it last changed."""
    name: str
    email: str
    phone: str
    title: str
    story: str
    location: str
    occurred_at: dt.datetime | None
    """When it happened, as the reader said."""
    locale: str
    """The reader's language."""
    consent_terms: bool
    consent_contact: bool
    terms_version: str
    file_count: NonNegativeInt
    total_bytes: NonNegativeInt
    lease: Lease | None
    """The lease while it is in review; null otherwise."""

    @staticmethod
    def members(s: records.Submission, now: dt.datetime, viewer: moderation.Moderator) -> Json:
        d = s.details
        lease = None
        held = s.state is SubmissionState.IN_REVIEW and s.waiting_state(now) is s.state
        if held and s.lease_expires_at is not None and s.claimed_from is not None:
            lease = Lease(holder_id=s.lease_holder, mine=s.lease_holder == viewer.id,
                          expires_at=s.lease_expires_at, claimed_from=s.claimed_from)  # fmt: skip
        return {
            "id": s.id, "reference": s.reference, "state": s.waiting_state(now),
            "created_at": s.created_at, "updated_at": s.updated_at,
            "name": d.name, "email": d.email, "phone": d.phone, "title": d.title,
            "story": d.story, "location": d.location, "occurred_at": d.occurred_at,
            "locale": d.locale, "consent_terms": d.consent_terms,
            "consent_contact": d.consent_contact, "terms_version": s.terms_version,
            "file_count": s.file_count, "total_bytes": s.total_bytes, "lease": lease,
        }  # fmt: skip

    @classmethod
    def of(
        cls, s: records.Submission, now: dt.datetime, viewer: moderation.Moderator
    ) -> ModerationSubmission:
        return cls(**cls.members(s, now, viewer))


class FileUrls(Answer):
    """Where to GET the file through intake (with your token or desk session; HTTP Range
    works, and each opening is written to the audit log)."""

    original: UrlPath
    public: UrlPath | None
    thumbnail: UrlPath | None

    @classmethod
    def of(cls, f: records.StoredFile) -> FileUrls | None:
        if f.state is FileState.DELETED or not f.object_key:
            return None

        def url(variant: Variant, key: str) -> str | None:
            path = MEDIA_PATH.format(submission_id=f.submission_id, file_id=f.id,
                                     variant=variant.value)  # fmt: skip
            return path if key else None

        return cls(original=url(Variant.ORIGINAL, f.object_key) or "",
                   public=url(Variant.PUBLIC, f.public_key),
                   thumbnail=url(Variant.THUMBNAIL, f.thumbnail_key))  # fmt: skip


class ModerationFile(Answer):
    id: Uuid
    """The file id."""
    position: NonNegativeInt
    filename: str
    """The sanitized original filename."""
    media_type: str
    kind: MediaKind
    size: NonNegativeInt
    sha256: Sha256Hex
    state: FileState
    created_at: dt.datetime
    """When it was stored."""
    extracted: dict[str, Any]
    """What inspection found."""
    flags: list[FileFlag]
    """What a moderator should know, e.g. sent before, captured years ago."""
    credentials: Credentials | None
    """Content credentials (C2PA); null when the file carries none."""
    reject_reason: str
    phash: str
    """Perceptual hash (photos), hex."""
    inspected_at: dt.datetime | None
    """When it was inspected."""
    urls: FileUrls | None
    """Where to GET it through intake; null once the media is deleted."""

    @classmethod
    def of(cls, f: records.StoredFile, localizer: Localizer | None = None) -> ModerationFile:
        flags = [FileFlag.of(g, localizer) for g in f.flags]
        found = f.extracted.get("credentials")
        credentials = Credentials.of(found, localizer) if found else None
        return cls(
            id=f.id, position=f.position, filename=f.original_filename,
            media_type=f.media_type, kind=MediaKind(f.kind), size=f.size, sha256=f.sha256,
            state=f.state, created_at=f.created_at, extracted=f.extracted, flags=flags,
            credentials=credentials, reject_reason=f.reject_reason, phash=f.phash,
            inspected_at=f.inspected_at, urls=FileUrls.of(f),
        )  # fmt: skip


class AuditEntry(Answer):
    at: dt.datetime
    """When."""
    actor: str
    """A moderator's name, `system` or `submitter`."""
    action: str
    """received, claimed, released, lease_expired, decided, …"""
    from_state: SubmissionState | None
    to_state: SubmissionState | None
    detail: dict[str, Any]

    @classmethod
    def of(cls, a: records.AuditEntry) -> AuditEntry:
        return cls(at=a.at, actor=a.actor, action=a.action, from_state=a.from_state,
                   to_state=a.to_state, detail=a.detail)  # fmt: skip


class ModerationSubmissionDetail(ModerationSubmission):
    """A submission in full: fields, files with what inspection found and where to get
    them, its audit trail."""

    files: list[ModerationFile]
    audit: list[AuditEntry]
    """Every step, oldest first."""

    @classmethod
    def of_detail(
        cls, detail: SubmissionDetail, now: dt.datetime, viewer: moderation.Moderator,
        localizer: Localizer | None = None,
    ) -> ModerationSubmissionDetail:  # fmt: skip
        return cls(
            **cls.members(detail.submission, now, viewer),
            files=[ModerationFile.of(f, localizer) for f in detail.files],
            audit=[AuditEntry.of(a) for a in detail.audit],
        )


class SubmissionPage(Answer):
    submissions: list[ModerationSubmission]
    next_cursor: str | None
    """Pass as `cursor` for the next page."""

    @classmethod
    def of(cls, page: Page, now: dt.datetime, viewer: moderation.Moderator) -> SubmissionPage:
        return cls(submissions=[ModerationSubmission.of(s, now, viewer) for s in page.submissions],
                   next_cursor=page.next_cursor)  # fmt: skip


class OldestWaiting(Answer):
    """When the oldest submission waiting in each queue was created."""

    pending_review: dt.datetime | None
    escalated: dt.datetime | None


class HourCount(Answer):
    hour: dt.datetime
    """The hour."""
    count: NonNegativeInt


class ModeratorCounts(Answer):
    moderator: str
    total: NonNegativeInt
    approved: NonNegativeInt
    rejected: NonNegativeInt
    escalated: NonNegativeInt


class QueueStats(Answer):
    now: dt.datetime
    """Now."""
    since: dt.datetime
    """Start of the period counted."""
    depth: dict[SubmissionState, NonNegativeInt]
    """How many submissions are in each state (every state is listed)."""
    oldest_waiting: OldestWaiting
    decisions_per_hour: list[HourCount]
    per_moderator: list[ModeratorCounts]

    @classmethod
    def of(cls, stats: Stats) -> QueueStats:
        return cls(
            now=stats.now,
            since=stats.since,
            depth={state: stats.depth.get(state, 0) for state in SubmissionState},
            oldest_waiting=OldestWaiting(**{s.value: stats.oldest_waiting.get(s) for s in WAITING}),
            decisions_per_hour=[HourCount(hour=h, count=n) for h, n in stats.decisions_per_hour],
            per_moderator=[
                ModeratorCounts(moderator=name, total=sum(counts.values()),
                                **{s.value: counts.get(s.value, 0) for s in DECIDED})
                for name, counts in sorted(stats.per_moderator.items())
            ],
        )  # fmt: skip


class Moderator(Answer):
    id: Uuid
    """The moderator id."""
    name: str
    role: Role
    disabled: bool
    created_at: dt.datetime
    """When the account was added."""
    updated_at: dt.datetime
    """When it last changed."""

    @classmethod
    def of(cls, m: moderation.Moderator) -> Moderator:
        return cls(id=m.id, name=m.name, role=m.role, disabled=m.disabled,
                   created_at=m.created_at, updated_at=m.updated_at)  # fmt: skip


class Moderators(Answer):
    moderators: list[Moderator]


class IssuedToken(Answer):
    token: str
    """The token, shown once: `Authorization: Bearer <token>`."""
    token_id: str
    """The token's id, to find it in the list of tokens and revoke it."""
    expires_at: dt.datetime | None
    """When the token expires (sessions: `moderation.session_seconds`; API tokens:
    `moderation.api_token_days`)."""
    moderator: Moderator

    @classmethod
    def of(cls, issued: accounts.IssuedToken) -> IssuedToken:
        return cls(token=issued.token, token_id=issued.token_id, expires_at=issued.expires_at,
                   moderator=Moderator.of(issued.moderator))  # fmt: skip


class Token(Answer):
    """A live token of an account: never the token itself."""

    id: str
    kind: moderation.TokenKind
    """`api` (issued by `intake moderator token` or an admin) or `session` (a login)."""
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    """When it was last used (to the minute); null if never."""

    @classmethod
    def of(cls, t: moderation.TokenInfo) -> Token:
        return cls(id=t.id, kind=t.kind, created_at=t.created_at, expires_at=t.expires_at,
                   last_used_at=t.last_used_at)  # fmt: skip


class Tokens(Answer):
    tokens: list[Token]
    """Newest first."""


ANSWERS = (ModerationSubmission, ModerationSubmissionDetail, ModerationFile, AuditEntry,
           Credentials, SubmissionPage, QueueStats, Moderator, Moderators, IssuedToken, Token,
           Tokens)  # fmt: skip
BODIES = (Decision, NewModerator, ModeratorChange, Login)
