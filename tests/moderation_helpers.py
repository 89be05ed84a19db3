"""Moderators and waiting submissions for the moderation tests, made through the services
and the repository (no HTTP): accounts with tokens, and submissions queued directly."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from intake.core.ids import new_id, new_reference
from intake.moderation.records import Role
from intake.submissions.ports import SubmissionRepository
from intake.submissions.records import (
    AuditEntry,
    FileState,
    StoredFile,
    Submission,
    SubmissionState,
    SubmitterDetails,
)
from intake.web.keys import MODERATORS

MODERATION = "/api/v1/moderation"
PUBLIC = {("POST", "/api/v1/moderation-login")}


def moderation_routes(app: Any) -> set[tuple[str, str]]:
    """Every (method, path) of the app under /api/v1/moderation: none can slip past."""
    return {
        (route.method, route.resource.canonical)
        for route in app.router.routes()
        if route.resource is not None
        and route.resource.canonical.startswith("/api/v1/moderation")
        and route.method != "HEAD"
    } - PUBLIC


EPOCH = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


async def moderator_token(app: Any, name: str, role: Role = Role.MODERATOR) -> str:
    accounts = app[MODERATORS]
    added = await accounts.add(name, role, None, "test")
    return str((await accounts.issue_token(added, "test")).token)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def waiting_submission(
    number: int = 0,
    *,
    state: SubmissionState = SubmissionState.PENDING_REVIEW,
    locale: str = "en",
    **details: Any,
) -> Submission:
    submission_id = new_id()
    created = EPOCH + dt.timedelta(seconds=number)
    return Submission(
        id=submission_id,
        reference=new_reference(),
        state=state,
        created_at=created,
        updated_at=created,
        details=SubmitterDetails(locale=locale, consent_terms=True, **details),
        terms_version="2026-11",
        token_hash=new_id().replace("-", "") * 2,
        prefix=f"submissions/2026/11/01/{submission_id}/",
        file_count=1,
        total_bytes=1000,
    )


def a_file(submission: Submission, kind: str = "photo", **inspected: Any) -> StoredFile:
    file_id = new_id()
    stored = StoredFile(
        id=file_id,
        submission_id=submission.id,
        position=0,
        original_filename="IMG_1.jpg" if kind == "photo" else "clip.mp4",
        media_type="image/jpeg" if kind == "photo" else "video/mp4",
        kind=kind,
        size=1000,
        sha256="a" * 64,
        object_key=f"{submission.prefix}{file_id}/original",
        state=FileState.STORED,
        created_at=submission.created_at,
    )
    return dataclasses.replace(stored, **inspected)


async def queue(
    repository: SubmissionRepository, count: int, *, kind: str = "photo", **changes: Any
) -> list[Submission]:
    """``count`` submissions waiting for review, oldest first, each with one file."""
    made = []
    for number in range(count):
        submission = waiting_submission(number, **changes)
        entry = AuditEntry(submission.id, submission.created_at, "system", "queued_for_review",
                           SubmissionState.RECEIVED, submission.state)  # fmt: skip
        await repository.add_submission(submission, [a_file(submission, kind)], [entry])
        made.append(submission)
    return made


def later(submission: Submission, seconds: int) -> Submission:
    return dataclasses.replace(
        submission, created_at=submission.created_at + dt.timedelta(seconds=seconds)
    )
