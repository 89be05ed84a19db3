"""The events intake announces to the newsroom's other systems, as outbox records.

Each has a stable id (receivers drop repeats by it), a type ``submission.<state>`` and
``data`` with no personal details: ids, reference, states, reason.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from intake.core.ids import new_id
from intake.submissions.records import Submission, SubmissionState
from intake.webhooks.records import OutboxEvent


def state_event(
    submission: Submission,
    to_state: SubmissionState,
    at: dt.datetime,
    **details: Any,
) -> OutboxEvent:
    """``submission.<to_state>``: the submission moved from its state to ``to_state``."""
    data = {
        "submission_id": submission.id,
        "reference": submission.reference,
        "from_state": submission.state.value,
        "state": to_state.value,
        **details,
    }
    return OutboxEvent(new_id(), f"submission.{to_state.value}", submission.id, at, data)
