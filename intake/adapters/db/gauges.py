"""How deep the queues are, read for the metrics: counts and ages only, never a row."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select

from intake.adapters.db.schema import jobs, submissions, webhook_deliveries
from intake.adapters.db.transactions import Database

WAITING_STATES = ("processing", "pending_review", "in_review", "escalated")


@dataclass
class QueueGauges:
    jobs_waiting: int = 0
    oldest_job_seconds: float = 0.0
    moderation_depth: dict[str, float] = field(default_factory=dict)
    moderation_oldest_seconds: dict[str, float] = field(default_factory=dict)
    webhooks_waiting: int = 0
    webhooks_failing: int = 0


def _age(now: dt.datetime, then: dt.datetime | None) -> float:
    return max(0.0, (now - then).total_seconds()) if then is not None else 0.0


async def read_queue_gauges(database: Database, now: dt.datetime) -> QueueGauges:
    """Jobs due and the oldest one's wait; submissions waiting per state and the oldest
    one's wait (since its last change); webhook deliveries not yet acknowledged, and
    those of them that failed at least once."""
    gauges = QueueGauges()
    j, s, d = jobs, submissions, webhook_deliveries
    async with database.statement(write=False) as conn:
        due = (
            await conn.execute(
                select(func.count(), func.min(j.c.run_after)).where(
                    j.c.state.in_(("queued", "running")), j.c.run_after <= now
                )
            )
        ).one()
        gauges.jobs_waiting, gauges.oldest_job_seconds = due[0], _age(now, due[1])
        rows = await conn.execute(
            select(s.c.state, func.count(), func.min(s.c.updated_at))
            .where(s.c.state.in_(WAITING_STATES))
            .group_by(s.c.state)
        )
        by_state = {state: (count, oldest) for state, count, oldest in rows}
        for state in WAITING_STATES:
            count, oldest = by_state.get(state, (0, None))
            gauges.moderation_depth[state] = count
            gauges.moderation_oldest_seconds[state] = _age(now, oldest)
        hooks = (
            await conn.execute(
                select(func.count(), func.count().filter(d.c.attempts > 0)).where(
                    d.c.delivered_at.is_(None)
                )
            )
        ).one()
        gauges.webhooks_waiting, gauges.webhooks_failing = hooks[0], hooks[1]
    return gauges
