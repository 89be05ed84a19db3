"""Events for the newsroom's other systems, and their deliveries by webhook."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class OutboxEvent:
    """Something the newsroom's other systems hear about, by webhook; ``id`` is stable
    across every delivery attempt so that receivers can drop repeats."""

    id: str
    type: str
    submission_id: str
    created_at: dt.datetime
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Delivery:
    """One event on its way to one webhook URL."""

    id: int
    event: OutboxEvent
    url: str
    attempts: int


def event_json(event: OutboxEvent) -> dict[str, Any]:
    """The body a webhook receives."""
    return {
        "id": event.id,
        "type": event.type,
        "created_at": event.created_at.isoformat().replace("+00:00", "Z"),
        "data": event.data,
    }
