"""The submission API's models: a draft's fields read as the form reads them, and answers
serialized as the apps expect them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from intake.core.errors import ValidationFailed
from intake.submissions.fields import FIELDS, TEXT_FIELDS
from intake.submissions.records import (
    FileState,
    StoredFile,
    Submission,
    SubmissionState,
    SubmitterDetails,
)
from intake.submissions.submitter import SubmitterView as View
from intake.uploads.records import Concat, Upload, UploadState
from intake.web.models import parse_body
from intake.web.submissions.config import FieldMaxChars
from intake.web.submissions.models import DraftFields, SubmitterView

NOW = dt.datetime(2026, 11, 28, 2, 13, 3, 374743, tzinfo=dt.UTC)


def test_the_models_name_the_fields_of_the_domain() -> None:
    assert set(DraftFields.model_fields) == set(FIELDS)
    assert set(FieldMaxChars.model_fields) == set(TEXT_FIELDS)


def test_draft_fields_are_text_as_a_form_would_send_them() -> None:
    raw = b'{"consent_terms": true, "consent_contact": false, "name": "Zarmina", ' \
          b'"title": null, "website": "http://spam", "locale": "ps"}'  # fmt: skip
    assert parse_body(DraftFields, raw).raw() == {
        "consent_terms": "true",
        "consent_contact": "false",
        "name": "Zarmina",
        "website": "http://spam",
        "locale": "ps",
    }


def test_every_member_that_is_not_text_is_named() -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_body(DraftFields, b'{"consent_terms": 3, "story": ["a"], "extra": {}, "name": "Z"}')
    assert [(e["field"], e["code"]) for e in caught.value.errors] == [
        ("consent_terms", "not_text"), ("story", "not_text"), ("extra", "not_text"),
    ]  # fmt: skip


def _submission(state: SubmissionState) -> Submission:
    return Submission("0193a1b2-0000-7000-8000-000000000001", "81100-V8QSY", state, NOW, NOW,
                      SubmitterDetails(), "v1", "hash", "p/")  # fmt: skip


def _upload(concat: Concat) -> Upload:
    return Upload("0193a1b2-0000-7000-8000-000000000002", "s", UploadState.OPEN, None, 5,
                  concat, (), "clip.mp4", "video/mp4", {}, "k", NOW, NOW, NOW)  # fmt: skip


def test_the_submitter_view_as_apps_read_it() -> None:
    stored = StoredFile("0193a1b2-0000-7000-8000-000000000003", "s", 0, "a.jpg", "image/jpeg",
                        "photo", 10, "ab" * 32, "k", FileState.STORED, NOW)  # fmt: skip
    draft = View(_submission(SubmissionState.DRAFT), [stored],
                 [_upload(Concat.NONE), _upload(Concat.PARTIAL)])  # fmt: skip
    assert json.loads(SubmitterView.of(draft).model_dump_json()) == {
        "id": "0193a1b2-0000-7000-8000-000000000001",
        "reference": "81100-V8QSY",
        "status": "not_sent",
        "status_text": "Not sent yet: finish your uploads and send it.",
        "created_at": "2026-11-28T02:13:03.374743Z",
        "updated_at": "2026-11-28T02:13:03.374743Z",
        "files": [{"id": "0193a1b2-0000-7000-8000-000000000003", "filename": "a.jpg",
                   "media_type": "image/jpeg", "kind": "photo", "size": 10,
                   "sha256": "ab" * 32, "state": "stored"}],
        "uploads": [{"id": "0193a1b2-0000-7000-8000-000000000002",
                     "url": "/api/v1/uploads/0193a1b2-0000-7000-8000-000000000002",
                     "filename": "clip.mp4", "state": "open", "offset": 5, "length": None,
                     "expires_at": "2026-11-28T02:13:03.374743Z"}],
    }  # fmt: skip
    sent = dataclasses.replace(draft, submission=_submission(SubmissionState.PROCESSING))
    assert "uploads" not in json.loads(SubmitterView.of(sent).model_dump_json())
