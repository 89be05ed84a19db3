"""The moderation answers, serialized as the moderator desk reads them."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from typing import Any

from pydantic import BaseModel

from intake.moderation.look import Stats, SubmissionDetail
from intake.moderation.records import Moderator, Role
from intake.submissions.records import (
    AuditEntry,
    FileFlag,
    FileState,
    FlagKind,
    StoredFile,
    Submission,
    SubmissionState,
    SubmitterDetails,
)
from intake.web.moderation.models import ModerationSubmissionDetail, QueueStats

NOW = dt.datetime(2026, 11, 28, 9, 30, tzinfo=dt.UTC)
LATER = NOW + dt.timedelta(minutes=10)
AMINA = Moderator("0193a1b2-0000-7000-8000-0000000000a1", "amina", Role.SENIOR, False, NOW, NOW)
SUBMISSION_ID = "0193a1b2-0000-7000-8000-000000000001"
FILE_ID = "0193a1b2-0000-7000-8000-000000000002"
MEDIA = "/api/v1/moderation/submissions"


def as_json(model: BaseModel) -> Any:
    return json.loads(model.model_dump_json())


def _held() -> Submission:
    details = SubmitterDetails(name="Zarmina", story="The bridge", locale="ps",
                               consent_terms=True)  # fmt: skip
    return Submission(SUBMISSION_ID, "81100-V8QSY", SubmissionState.IN_REVIEW, NOW, NOW,
                      details, "2026-11", "hash", "p/", 1, 10, AMINA.id, LATER,
                      SubmissionState.ESCALATED)  # fmt: skip


def test_a_held_submission_in_full() -> None:
    flags = (FileFlag(FlagKind.DUPLICATE, "s2"), FileFlag(FlagKind.NEAR_DUPLICATE, "s3", "f3", 4))
    stored = StoredFile(FILE_ID, SUBMISSION_ID, 0, "a.jpg", "image/jpeg", "photo", 10, "ab" * 32,
                        "k", FileState.INSPECTED, NOW, {"make": "X"}, flags,
                        inspected_at=NOW)  # fmt: skip
    audit = AuditEntry(SUBMISSION_ID, NOW, "amina", "claimed", SubmissionState.ESCALATED,
                       SubmissionState.IN_REVIEW, {"lease": 600})  # fmt: skip
    detail = SubmissionDetail(_held(), [stored], [audit])
    body = as_json(ModerationSubmissionDetail.of_detail(detail, NOW, AMINA))
    assert body["lease"] == {
        "holder_id": AMINA.id,
        "mine": True,
        "expires_at": "2026-11-28T09:40:00Z",
        "claimed_from": "escalated",
    }
    assert body["occurred_at"] is None and "urls_expire_at" not in body
    assert body["files"] == [
        {
            "id": FILE_ID,
            "position": 0,
            "filename": "a.jpg",
            "media_type": "image/jpeg",
            "kind": "photo",
            "size": 10,
            "sha256": "ab" * 32,
            "state": "inspected",
            "created_at": "2026-11-28T09:30:00Z",
            "extracted": {"make": "X"},
            "flags": [
                {
                    "kind": "duplicate",
                    "submission_id": "s2",
                    "file_id": "",
                    "distance": None,
                    "evidence": {},
                    "text": "The same file was sent before, in submission s2.",
                },
                {
                    "kind": "near_duplicate",
                    "submission_id": "s3",
                    "file_id": "f3",
                    "distance": 4,
                    "evidence": {},
                    "text": "Looks like a photo sent before, in submission s3 (4 bits apart).",
                },
            ],
            "credentials": None,
            "reject_reason": "",
            "phash": "",
            "inspected_at": "2026-11-28T09:30:00Z",
            "urls": {
                "original": f"{MEDIA}/{SUBMISSION_ID}/files/{FILE_ID}/original",
                "public": None,
                "thumbnail": None,
            },
        }
    ]
    assert body["audit"] == [{"at": "2026-11-28T09:30:00Z", "actor": "amina",
                              "action": "claimed", "from_state": "escalated",
                              "to_state": "in_review", "detail": {"lease": 600}}]  # fmt: skip
    assert list(body)[:5] == ["id", "reference", "state", "created_at", "updated_at"]


def test_a_lapsed_lease_shows_the_submission_waiting_again() -> None:
    detail = SubmissionDetail(_held(), [], [])
    body = as_json(ModerationSubmissionDetail.of_detail(detail, LATER, AMINA))
    assert body["state"] == "escalated" and body["lease"] is None


def test_stats_list_every_state_and_each_moderator() -> None:
    stats = Stats(NOW, NOW - dt.timedelta(hours=24), {SubmissionState.PENDING_REVIEW: 3},
                  {SubmissionState.ESCALATED: NOW}, [(NOW, 2)],
                  {"amina": Counter({"approved": 2, "rejected": 1})})  # fmt: skip
    body = as_json(QueueStats.of(stats))
    assert body["depth"] == {state.value: 3 if state is SubmissionState.PENDING_REVIEW else 0
                             for state in SubmissionState}  # fmt: skip
    assert body["oldest_waiting"] == {"pending_review": None, "escalated": "2026-11-28T09:30:00Z"}
    assert body["decisions_per_hour"] == [{"hour": "2026-11-28T09:30:00Z", "count": 2}]
    assert body["per_moderator"] == [{"moderator": "amina", "total": 3, "approved": 2,
                                      "rejected": 1, "escalated": 0}]  # fmt: skip
