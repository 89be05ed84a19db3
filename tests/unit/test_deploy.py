"""compose.yaml, the HAProxy config and the Dockerfile agree with the code they run."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from intake.core.settings.loading import setting_table
from intake.core.settings.sections import ServerSettings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
SETTING_ENV = {info.env_var for info in setting_table()}


def _environments() -> dict[str, dict[str, str]]:
    return {name: service.get("environment", {}) for name, service in COMPOSE["services"].items()}


def test_every_intake_variable_in_compose_is_a_setting() -> None:
    for service, environment in _environments().items():
        unknown = {k for k in environment if k.startswith("INTAKE_")} - SETTING_ENV
        assert not unknown, f"{service}: {sorted(unknown)} are not settings"


def test_the_set_has_two_nodes_a_worker_a_database_storage_and_a_proxy() -> None:
    services = COMPOSE["services"]
    assert {"proxy", "intake-1", "intake-2", "worker", "postgres", "seaweedfs"} <= set(services)
    assert services["worker"]["command"] == ["intake", "worker"]
    for node in ("intake-1", "intake-2"):
        env = services[node]["environment"]
        assert env["INTAKE_WORKERS_IN_PROCESS"] == "false", "workers run in their own process"
        assert env["INTAKE_DATABASE_URL"].startswith("postgresql+asyncpg://")
        assert env["INTAKE_S3_ENDPOINT"], "the nodes share one bucket"
    proxy_env = services["proxy"]["environment"]
    assert {proxy_env["NODE1"].split(":")[0], proxy_env["NODE2"].split(":")[0]} == {
        "intake-1",
        "intake-2",
    }


def test_no_secret_is_written_in_the_deployment_files() -> None:
    for service, environment in _environments().items():
        for key, value in environment.items():
            if re.search(r"SECRET|PASSWORD|ACCESS_KEY", key):
                assert str(value).startswith("${"), f"{service}.{key} must come from .env"


def test_the_image_installs_from_the_lock_and_runs_unprivileged() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "--require-hashes -r requirements/run.lock" in dockerfile
    assert re.search(r"^USER intake$", dockerfile, re.M)
    assert "HEALTHCHECK" in dockerfile and dockerfile.count("FROM ") >= 2


def test_the_proxy_checks_readiness_and_logs_no_client() -> None:
    config = (ROOT / "deploy" / "haproxy.cfg").read_text()
    assert "option httpchk GET /readyz" in config
    log_format = re.search(r'log-format "([^"]*)"', config)
    assert log_format is not None and "%ci" not in log_format.group(1)


def test_the_proxy_caps_connections_per_client_as_intake_does() -> None:
    config = (ROOT / "deploy" / "haproxy.cfg").read_text()
    cap = re.search(r"reject if \{ sc0_conn_cur gt (\d+) \}", config)
    assert cap is not None and int(cap.group(1)) == ServerSettings().connections_per_client
    assert "track-sc0 src,ipmask(32,64)" in config, "IPv6 clients by their /64"
