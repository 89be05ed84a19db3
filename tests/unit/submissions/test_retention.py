"""Retention rules as the newsroom sets them: days per state, 0 for kept."""

from __future__ import annotations

import datetime as dt

from intake.submissions.records import SubmissionState
from intake.submissions.retention import RetentionRules
from tests.conftest import make_settings


def test_the_defaults_keep_each_state_its_documented_time() -> None:
    rules = RetentionRules.from_settings(make_settings())
    assert {state: kept.days for state, kept in rules.keep.items()} == {
        SubmissionState.DRAFT: 7,
        SubmissionState.REJECTED: 30,
        SubmissionState.FAILED: 7,
        SubmissionState.WITHDRAWN: 30,
    }
    assert rules.audit_details == dt.timedelta(days=365)


def test_zero_days_means_kept() -> None:
    settings = make_settings(retention_rejected_days="0", retention_audit_detail_days="0")
    rules = RetentionRules.from_settings(settings)
    assert SubmissionState.REJECTED not in rules.keep
    assert SubmissionState.APPROVED not in rules.keep
    assert rules.audit_details is None
