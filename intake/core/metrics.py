"""What a process tells Prometheus, in a registry of its own.

One :class:`Metrics` per application (or per ``intake worker``), never the library's
global registry. Label values come from short fixed sets (doors, route patterns, problem
types, statement kinds, S3 operations, states): never an id, an address or anything a
reader sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
DOORS = ("multipart", "tus", "form")
Reading = Callable[[], Iterable[Metric]]

_REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)
_CALL_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class _Readings(Collector):
    """Values read when Prometheus scrapes (bytes in flight, decoder restarts)."""

    def __init__(self) -> None:
        self.readings: list[Reading] = []

    def collect(self) -> Iterable[Metric]:
        for reading in self.readings:
            yield from reading()


class Metrics:
    """Every instrument of intake, in its own registry."""

    def __init__(self) -> None:
        self.registry = r = CollectorRegistry()
        self.request_seconds = Histogram(
            "intake_http_request_duration_seconds",
            "Time to answer a request, by method, route pattern and status class.",
            ["method", "route", "status"], buckets=_REQUEST_BUCKETS, registry=r,
        )  # fmt: skip
        self.refusals = Counter(
            "intake_http_refusals_total",
            "Requests answered with a problem, by problem type and status.",
            ["type", "status"], registry=r,
        )  # fmt: skip
        self.uploads_in_flight = Gauge(
            "intake_uploads_in_flight", "Upload requests being received, by door.", ["door"],
            registry=r,
        )  # fmt: skip
        self.upload_requests = Counter(
            "intake_upload_requests_total",
            "Upload requests answered, by door and outcome (accepted, refused, failed).",
            ["door", "outcome"], registry=r,
        )  # fmt: skip
        self.upload_bytes = Counter(
            "intake_upload_bytes_total",
            "Body bytes received by finished upload requests, by door.", ["door"], registry=r,
        )  # fmt: skip
        self.s3_seconds = Histogram(
            "intake_s3_call_duration_seconds", "S3 API calls, by operation.", ["operation"],
            buckets=_CALL_BUCKETS, registry=r,
        )  # fmt: skip
        self.s3_errors = Counter(
            "intake_s3_call_errors_total", "S3 API calls that failed, by operation.",
            ["operation"], registry=r,
        )  # fmt: skip
        self.db_seconds = Histogram(
            "intake_database_statement_duration_seconds",
            "Database statements, by kind (select, insert, update, delete, with, other).",
            ["statement"], buckets=_CALL_BUCKETS, registry=r,
        )  # fmt: skip
        self.db_errors = Counter(
            "intake_database_errors_total", "Database statements that failed, by kind.",
            ["statement"], registry=r,
        )  # fmt: skip
        self.readings = _Readings()
        r.register(self.readings)
        for door in DOORS:
            self.uploads_in_flight.labels(door)
            self.upload_bytes.labels(door)

    def read(self, reading: Reading) -> None:
        """Have ``reading`` yield metrics at every scrape."""
        self.readings.readings.append(reading)

    def render(self) -> bytes:
        return generate_latest(self.registry)


def gauge(name: str, help: str, values: dict[str, float], label: str = "") -> GaugeMetricFamily:
    """A gauge family with one sample per ``values`` item (or one unlabelled sample)."""
    if not label:
        family = GaugeMetricFamily(name, help)
        family.add_metric([], values.get("", 0.0))
        return family
    family = GaugeMetricFamily(name, help, labels=[label])
    for key, value in sorted(values.items()):
        family.add_metric([key], value)
    return family
