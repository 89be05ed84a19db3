from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from intake.moderation.queue import ModerationRules
from intake.moderation.records import Decision, Role
from intake.submissions.records import SubmissionState
from tests.moderation_helpers import waiting_submission

NOW = dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC)


def test_roles_include_the_ones_below() -> None:
    assert Role.ADMIN.at_least(Role.SENIOR) and Role.SENIOR.at_least(Role.MODERATOR)
    assert not Role.MODERATOR.at_least(Role.SENIOR)


def test_decisions_name_their_states() -> None:
    assert [d.to_state for d in Decision] == [
        SubmissionState.APPROVED,
        SubmissionState.REJECTED,
        SubmissionState.ESCALATED,
    ]


@pytest.mark.parametrize(
    ("expires", "shown"),
    [
        (NOW + dt.timedelta(seconds=1), SubmissionState.IN_REVIEW),
        (NOW, SubmissionState.ESCALATED),
        (None, SubmissionState.ESCALATED),
    ],
)
def test_a_lapsed_lease_counts_as_waiting(
    expires: dt.datetime | None, shown: SubmissionState
) -> None:
    held = dataclasses.replace(
        waiting_submission(),
        state=SubmissionState.IN_REVIEW,
        lease_holder="m",
        lease_expires_at=expires,
        claimed_from=SubmissionState.ESCALATED,
    )
    assert held.waiting_state(NOW) is shown


def test_rules_come_from_the_settings() -> None:
    from tests.conftest import make_settings

    rules = ModerationRules.from_settings(
        make_settings(moderation_lease_seconds="90", moderation_reasons="a,b_c")
    )
    assert rules == ModerationRules(dt.timedelta(seconds=90), ("a", "b_c"))
