"""A process's metrics, connected to what it runs: S3 calls, database statements, the
decoder processes and the queues in the database."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable

from prometheus_client.core import CounterMetricFamily, Metric

from intake.adapters.db.engine import observe_statements
from intake.adapters.db.gauges import QueueGauges, read_queue_gauges
from intake.adapters.db.transactions import Database
from intake.adapters.s3 import S3ObjectStore
from intake.core.clock import Clock, utcnow
from intake.core.metrics import Metrics, gauge
from intake.core.object_store import ObjectStore
from intake.inspection.decoders import DecoderPool

log = logging.getLogger(__name__)
QUEUE_READ_SECONDS = 2.0


class Observed:
    """The metrics of one process, and what it reads afresh at each scrape."""

    def __init__(self, metrics: Metrics | None = None, clock: Clock = utcnow) -> None:
        self.metrics = metrics or Metrics()
        self._clock = clock
        self._database: Database | None = None
        self._queues: QueueGauges | None = None
        self.metrics.read(self._queue_families)

    def watch_store(self, store: ObjectStore) -> Callable[[], None]:
        """Time ``store``'s S3 calls; returns what stops it (a store outlives an app in
        tests)."""
        if isinstance(store, S3ObjectStore):
            seconds, errors = self.metrics.s3_seconds, self.metrics.s3_errors

            def record(operation: str, elapsed: float, failed: bool) -> None:
                seconds.labels(operation).observe(elapsed)
                if failed:
                    errors.labels(operation).inc()

            store.observers.append(record)
            return lambda: store.observers.remove(record)
        return lambda: None

    def watch_database(self, database: Database) -> None:
        seconds, errors = self.metrics.db_seconds, self.metrics.db_errors

        def record(kind: str, elapsed: float, failed: bool) -> None:
            seconds.labels(kind).observe(elapsed)
            if failed:
                errors.labels(kind).inc()

        observe_statements(database.engine, record)
        self._database = database

    def watch_decoders(self, decoders: DecoderPool) -> None:
        def restarts() -> Iterable[Metric]:
            family = CounterMetricFamily(
                "intake_decoder_restarts",
                "Decoder processes killed for a file (crash, time or memory) and replaced.",
            )
            family.add_metric([], decoders.restarts)
            yield family

        self.metrics.read(restarts)

    async def scrape(self) -> bytes:
        """The metrics in Prometheus' text format, the queues read afresh (their last
        values, and ``intake_queue_read_ok 0``, when the database does not answer)."""
        if self._database is not None:
            try:
                self._queues = await asyncio.wait_for(
                    read_queue_gauges(self._database, self._clock()), QUEUE_READ_SECONDS
                )
                self._queue_read_ok = 1.0
            except Exception as exc:
                log.warning("metrics: the queues could not be read: %s", type(exc).__name__)
                self._queue_read_ok = 0.0
        return self.metrics.render()

    _queue_read_ok = 0.0

    def _queue_families(self) -> Iterable[Metric]:
        q = self._queues
        if self._database is None:
            return
        yield gauge(
            "intake_queue_read_ok", "1 when the last scrape read the queues.",
            {"": self._queue_read_ok},
        )  # fmt: skip
        if q is None:
            return
        yield gauge("intake_inspection_jobs_waiting", "Jobs due or running.", {"": q.jobs_waiting})
        yield gauge(
            "intake_inspection_lag_seconds", "How long the oldest job due has waited.",
            {"": q.oldest_job_seconds},
        )  # fmt: skip
        yield gauge(
            "intake_moderation_queue_depth", "Submissions waiting, by state.",
            q.moderation_depth, "state",
        )  # fmt: skip
        yield gauge(
            "intake_moderation_oldest_waiting_seconds",
            "How long the oldest submission in each state has been in it.",
            q.moderation_oldest_seconds, "state",
        )  # fmt: skip
        yield gauge(
            "intake_webhook_deliveries_waiting", "Webhook deliveries not yet acknowledged.",
            {"": q.webhooks_waiting},
        )  # fmt: skip
        yield gauge(
            "intake_webhook_deliveries_failing",
            "Deliveries not yet acknowledged that failed at least once.",
            {"": q.webhooks_failing},
        )  # fmt: skip
