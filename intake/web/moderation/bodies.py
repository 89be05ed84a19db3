"""Moderation answers as JSON: submissions, files, audit entries, stats, moderators."""

from __future__ import annotations

import datetime as dt
from typing import Any

from intake.moderation.accounts import IssuedToken
from intake.moderation.look import FileLinks, Page, Stats, SubmissionDetail
from intake.moderation.records import Moderator
from intake.submissions.records import AuditEntry, StoredFile, Submission, SubmissionState


def rfc3339(value: dt.datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def submission_json(s: Submission, now: dt.datetime, viewer: Moderator) -> dict[str, Any]:
    d = s.details
    held = s.state is SubmissionState.IN_REVIEW and s.waiting_state(now) is s.state
    return {
        "id": s.id,
        "reference": s.reference,
        "state": s.waiting_state(now).value,
        "created_at": rfc3339(s.created_at),
        "updated_at": rfc3339(s.updated_at),
        "name": d.name,
        "email": d.email,
        "phone": d.phone,
        "title": d.title,
        "story": d.story,
        "location": d.location,
        "occurred_at": rfc3339(d.occurred_at),
        "locale": d.locale,
        "consent_terms": d.consent_terms,
        "consent_contact": d.consent_contact,
        "terms_version": s.terms_version,
        "file_count": s.file_count,
        "total_bytes": s.total_bytes,
        "lease": {
            "holder_id": s.lease_holder,
            "mine": s.lease_holder == viewer.id,
            "expires_at": rfc3339(s.lease_expires_at),
            "claimed_from": s.claimed_from.value if s.claimed_from else None,
        }
        if held
        else None,
    }


def file_json(f: StoredFile, links: FileLinks | None) -> dict[str, Any]:
    return {
        "id": f.id,
        "position": f.position,
        "filename": f.original_filename,
        "media_type": f.media_type,
        "kind": f.kind,
        "size": f.size,
        "sha256": f.sha256,
        "state": f.state.value,
        "created_at": rfc3339(f.created_at),
        "extracted": f.extracted,
        "flags": [
            {
                "kind": flag.kind.value,
                "submission_id": flag.submission_id,
                "file_id": flag.file_id,
                "distance": flag.distance,
            }
            for flag in f.flags
        ],
        "reject_reason": f.reject_reason,
        "phash": f.phash,
        "inspected_at": rfc3339(f.inspected_at),
        "urls": {
            "original": links.original,
            "public": links.public or None,
            "thumbnail": links.thumbnail or None,
        }
        if links
        else None,
    }


def audit_json(a: AuditEntry) -> dict[str, Any]:
    return {
        "at": rfc3339(a.at),
        "actor": a.actor,
        "action": a.action,
        "from_state": a.from_state.value if a.from_state else None,
        "to_state": a.to_state.value if a.to_state else None,
        "detail": a.detail,
    }


def detail_json(detail: SubmissionDetail, now: dt.datetime, viewer: Moderator) -> dict[str, Any]:
    return {
        **submission_json(detail.submission, now, viewer),
        "files": [file_json(f, links) for f, links in detail.files],
        "audit": [audit_json(a) for a in detail.audit],
        "urls_expire_at": rfc3339(detail.links_expire_at),
    }


def page_json(page: Page, now: dt.datetime, viewer: Moderator) -> dict[str, Any]:
    return {
        "submissions": [submission_json(s, now, viewer) for s in page.submissions],
        "next_cursor": page.next_cursor,
    }


def stats_json(stats: Stats) -> dict[str, Any]:
    return {
        "now": rfc3339(stats.now),
        "since": rfc3339(stats.since),
        "depth": {state.value: stats.depth.get(state, 0) for state in SubmissionState},
        "oldest_waiting": {
            state.value: rfc3339(stats.oldest_waiting.get(state))
            for state in (SubmissionState.PENDING_REVIEW, SubmissionState.ESCALATED)
        },
        "decisions_per_hour": [
            {"hour": rfc3339(hour), "count": count} for hour, count in stats.decisions_per_hour
        ],
        "per_moderator": [
            {
                "moderator": name,
                "total": sum(counts.values()),
                **{
                    state.value: counts.get(state.value, 0)
                    for state in (
                        SubmissionState.APPROVED,
                        SubmissionState.REJECTED,
                        SubmissionState.ESCALATED,
                    )
                },
            }
            for name, counts in sorted(stats.per_moderator.items())
        ],
    }


def moderator_json(m: Moderator) -> dict[str, Any]:
    return {
        "id": m.id,
        "name": m.name,
        "role": m.role.value,
        "disabled": m.disabled,
        "created_at": rfc3339(m.created_at),
        "updated_at": rfc3339(m.updated_at),
    }


def token_json(issued: IssuedToken) -> dict[str, Any]:
    return {
        "token": issued.token,
        "expires_at": rfc3339(issued.expires_at),
        "moderator": moderator_json(issued.moderator),
    }
