"""Which background loops ``intake serve`` runs follows its settings, and nothing else."""

from __future__ import annotations

import pytest

from intake.core.errors import ConfigurationError
from intake.wiring.loops import WORKER_LOOPS, Loop, serve_loops
from tests.conftest import make_settings

HOOKS = {"webhooks_urls": "https://example.org/hook", "webhooks_secret": "s"}


@pytest.mark.parametrize(
    ("env", "loops"),
    [
        ({}, [Loop.JANITOR, Loop.LEASE_SWEEP, Loop.WORKERS]),
        ({"workers_in_process": "false"}, [Loop.JANITOR, Loop.LEASE_SWEEP]),
        ({"uploads_janitor_seconds": "0", "workers_in_process": "false"}, [Loop.LEASE_SWEEP]),
        (HOOKS, [Loop.JANITOR, Loop.LEASE_SWEEP, Loop.WEBHOOKS, Loop.WORKERS]),
        ({**HOOKS, "webhooks_dispatch": "false"}, [Loop.JANITOR, Loop.LEASE_SWEEP, Loop.WORKERS]),
    ],
)
def test_serve_runs_what_its_settings_say(env: dict[str, str], loops: list[Loop]) -> None:
    assert serve_loops(make_settings(**env)) == loops


def test_webhook_urls_without_a_secret_stop_start_up() -> None:
    with pytest.raises(ConfigurationError, match=r"webhooks\.secret"):
        serve_loops(make_settings(webhooks_urls="https://example.org/hook"))


def test_a_worker_runs_job_workers_only() -> None:
    assert WORKER_LOOPS == (Loop.WORKERS,)
