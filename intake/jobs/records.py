"""A job: work that follows an answer, done by a worker on any node."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    DEAD = "dead"


@dataclass(frozen=True)
class Job:
    """Work to do after a request was answered (e.g. inspect a submission's files).

    A worker holds a lease on a running job (``lease_id`` until ``lease_expires_at``);
    a job whose lease expired is taken again. ``attempts`` counts the claims so far.
    """

    id: str
    kind: str
    payload: dict[str, Any]
    state: JobState
    created_at: dt.datetime
    run_after: dt.datetime
    attempts: int = 0
    last_error: str = ""
    lease_id: str = ""
    lease_expires_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
