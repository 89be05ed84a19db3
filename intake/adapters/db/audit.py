"""Audit entries as rows. A moderator's free-text note (``detail["note"]``) is kept in a
column of its own, so that it can be erased with the reader's data while the entry (who
did what, when) stays: the log is append-only, and its triggers allow exactly that."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from intake.submissions.records import AuditEntry, SubmissionState

NOTE = "note"


def audit_row(a: AuditEntry) -> dict[str, Any]:
    detail = dict(a.detail)
    note = detail.pop(NOTE, None)
    return {
        "submission_id": a.submission_id, "at": a.at, "actor": a.actor, "action": a.action,
        "from_state": a.from_state.value if a.from_state else None,
        "to_state": a.to_state.value if a.to_state else None, "detail": detail,
        "note": str(note) if note is not None else None,
    }  # fmt: skip


def audit_from(row: Row[Any]) -> AuditEntry:
    m = row._mapping
    detail = dict(m["detail"])
    if m["note"] is not None:
        detail[NOTE] = m["note"]
    return AuditEntry(
        submission_id=m["submission_id"],
        at=m["at"],
        actor=m["actor"],
        action=m["action"],
        from_state=SubmissionState(m["from_state"]) if m["from_state"] else None,
        to_state=SubmissionState(m["to_state"]) if m["to_state"] else None,
        detail=detail,
    )
