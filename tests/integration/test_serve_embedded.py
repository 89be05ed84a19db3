"""`intake serve` on embedded defaults: it runs SeaweedFS itself and stops it on exit."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import stat
import sys
from pathlib import Path
from typing import Any

import aiohttp
import psutil
import pytest

from intake.core.settings.work import WorkerSettings
from tests.conftest import ROOT
from tests.integration.serving import JPEG_HEAD, free_port, intake, weeds_on


async def test_serve_runs_embedded_storage_end_to_end(served: dict[str, Any]) -> None:
    base = served["base"]
    (weed,) = served["weed"]
    assert all(
        c.laddr.ip == "127.0.0.1" for c in weed.net_connections("tcp") if c.status == "LISTEN"
    )
    async with aiohttp.ClientSession() as http:
        async with http.get(base + "/") as page:
            assert page.status == 200
        form = aiohttp.FormData()
        form.add_field("consent_terms", "true")
        form.add_field("files", JPEG_HEAD + os.urandom(5000), filename="p.jpg")
        async with http.post(base + "/submit", data=form, allow_redirects=False) as response:
            assert response.status == 200
            receipt = await response.text()
        reference = re.search(r'data-slot="reference">([0-9A-Z-]+)<', receipt)
        key = re.search(r'data-slot="key">([^<]+)<', receipt)
        assert reference and key
        async with http.get(f"{base}/en/receipt/{reference[1]}") as page:
            assert page.status == 200

    data: Path = served["data"]
    assert (data / "intake.db").is_file()
    credentials = data / "seaweedfs" / "credentials.json"
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    secret = json.loads(credentials.read_text())["secret_access_key"]

    served["proc"].send_signal(signal.SIGINT)
    assert await asyncio.wait_for(served["proc"].wait(), 30) == 0
    assert not weed.is_running() or weed.status() == psutil.STATUS_ZOMBIE
    assert secret not in served["log"].read_text(), "no credential in the logs"
    assert key[1] not in served["log"].read_text(), "no submitter key in the logs"


async def test_a_bad_setting_stops_start_up_naming_the_key(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
    env["INTAKE_LIMITS_PHOTO_MAX_BYTES"] = "lots"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "intake", "serve", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 2
    assert b"limits.photo_max_bytes" in err


@pytest.mark.parametrize("served", [{"INTAKE_WORKERS_IN_PROCESS": "false"}], indirect=True)
async def test_commands_beside_serve_use_its_storage_and_database(
    served: dict[str, Any],
) -> None:
    async with aiohttp.ClientSession() as http:
        form = aiohttp.FormData()
        form.add_field("consent_terms", "true")
        form.add_field("files", JPEG_HEAD + os.urandom(5000), filename="p.jpg")
        async with http.post(served["base"] + "/api/v1/submissions", data=form) as response:
            assert response.status == 201
            created = await response.json()

    code, out, err = await intake(served, "worker", "--until-idle")
    assert (code, out.strip()) == (0, "1 jobs run"), err
    async with aiohttp.ClientSession() as http:
        headers = {"Authorization": f"Bearer {created['submitter_token']}"}
        url = f"{served['base']}/api/v1/submissions/{created['id']}"
        async with http.get(url, headers=headers) as response:
            assert (await response.json())["status"] in ("waiting_for_review", "not_used")

    code, out, err = await intake(served, "janitor")
    assert (code, out.strip()) == (0, "0 expired uploads removed, 0 submissions purged"), err
    code, out, err = await intake(served, "moderator", "add", "amina", "--no-password")
    assert code == 0, err
    code, out, _ = await intake(served, "moderator", "list")
    assert out.strip() == "amina\tmoderator\tenabled"
    assert [p.pid for p in weeds_on(served["data"])] == [w.pid for w in served["weed"]]


async def test_a_second_serve_on_the_same_data_directory_stops_and_says_why(
    served: dict[str, Any],
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
    env.update(INTAKE_SERVER_DATA_DIR=str(served["data"]), INTAKE_SERVER_PORT=str(free_port()))
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "intake", "serve", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 2
    assert (
        f"intake process {served['proc'].pid} already runs the embedded SeaweedFS" in err.decode()
    )
    assert [p.pid for p in weeds_on(served["data"])] == [w.pid for w in served["weed"]]


async def test_commands_without_a_serve_say_what_to_do(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
    env.update(INTAKE_SERVER_DATA_DIR=str(tmp_path / "var"))
    for command in (["worker"], ["janitor"]):
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "intake", *command, cwd=ROOT, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, err = await asyncio.wait_for(proc.communicate(), 60)
        assert proc.returncode == 2, command
        assert "start `intake serve` first" in err.decode()
    assert weeds_on(tmp_path / "var") == []


async def test_each_command_runs_only_its_own_background_loops(served: dict[str, Any]) -> None:
    workers = ", ".join(f"job worker {n}" for n in range(1, WorkerSettings().concurrency + 1))
    assert f"running beside the web: janitor, lapsed-lease sweep, {workers}" in (
        served["log"].read_text()
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
    env.update(INTAKE_SERVER_DATA_DIR=str(served["data"]), INTAKE_WEBHOOKS_URLS="http://127.0.0.1:9/",
               INTAKE_WEBHOOKS_SECRET="a webhook secret")  # fmt: skip
    log = served["data"].parent / "worker.log"
    with log.open("wb") as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "intake", "worker", cwd=ROOT, env=env, stdout=out, stderr=out
        )
    try:
        for _ in range(300):
            if "intake worker running:" in log.read_text():
                break
            assert proc.returncode is None, log.read_text()
            await asyncio.sleep(0.1)
        [line] = [x for x in log.read_text().splitlines() if "intake worker running:" in x]
        assert line.endswith(f"intake worker running: {workers}")
    finally:
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 30) == 0
