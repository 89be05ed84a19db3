"""`intake worker` as a real process, killed (SIGKILL) in the middle of a job."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import sys
from pathlib import Path
from typing import Any

import aiohttp
import psutil
from aiohttp import FormData
from PIL import Image

from intake.adapters.embedded.seaweedfs import EmbeddedS3
from intake.adapters.s3 import S3ObjectStore
from intake.jobs.records import JobState
from intake.submissions.records import FileState, SubmissionState
from intake.web.keys import JOBS, REPOSITORY, WORKER
from tests.clocks import ShiftedClock
from tests.processes import ROOT, free_port, shared_env


def noisy_photo(seed: int) -> bytes:
    bands = [Image.effect_noise((3000, 2000), 40 + seed) for _ in range(3)]
    out = io.BytesIO()
    Image.merge("RGB", bands).save(out, "JPEG", quality=92)
    return out.getvalue()


async def test_a_killed_worker_leaves_its_job_to_another_that_finishes_it_once(
    make_client: Any, seaweedfs: EmbeddedS3, s3_store: S3ObjectStore, tmp_path: Path
) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}"
    clock = ShiftedClock()
    client = await make_client(database_url=database, workers_lease_seconds="5", clock=clock)
    app = client.server.app
    data = FormData()
    data.add_field("consent_terms", "true")
    for i in range(10):
        data.add_field("files", io.BytesIO(noisy_photo(i)), filename=f"{i}.jpg")
    response = await client.post("/api/v1/submissions", data=data)
    assert response.status == 201
    submission_id = (await response.json())["id"]

    env = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
    metrics_port = free_port()
    env.update(shared_env(seaweedfs, s3_store.bucket, database, workers_lease_seconds="5",
                          server_data_dir=str(tmp_path / "worker"),
                          operations_metrics_listen=f"127.0.0.1:{metrics_port}"))  # fmt: skip
    log = (tmp_path / "worker.log").open("wb")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "intake", "worker", cwd=ROOT, env=env, stdout=log, stderr=log
    )
    repository = app[REPOSITORY]
    try:
        for _ in range(600):
            files = await repository.files_of(submission_id)
            if any(f.state is FileState.INSPECTED for f in files):
                break
            assert proc.returncode is None, (tmp_path / "worker.log").read_text()
            await asyncio.sleep(0.05)
        scrape = f"http://127.0.0.1:{metrics_port}/metrics"  # the worker tells what it does
        async with aiohttp.ClientSession() as http, http.get(scrape) as scraped:
            metrics = await scraped.text()
        assert 'intake_s3_call_duration_seconds_count{operation="download"}' in metrics
        assert "intake_decoder_restarts_total 0.0" in metrics
        assert "intake_inspection_jobs_waiting 1.0" in metrics
        children = psutil.Process(proc.pid).children(recursive=True)
        proc.send_signal(signal.SIGKILL)
        await proc.wait()
        for child in children:  # its decoder processes
            if child.is_running():
                child.kill()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        log.close()

    files = await repository.files_of(submission_id)
    assert any(f.state is FileState.STORED for f in files), "killed after the job ended"
    [job] = await app[JOBS].jobs_for(submission_id)
    assert job.state is JobState.RUNNING
    assert await app[WORKER].run_one() is None  # its lease still holds
    clock.advance(6)  # and now it has run out
    assert await app[WORKER].run_one() is not None
    [job] = await app[JOBS].jobs_for(submission_id)
    assert (job.state, job.attempts) == (JobState.DONE, 2)
    submission = await repository.get_submission(submission_id)
    assert submission.state is SubmissionState.PENDING_REVIEW
    files = await repository.files_of(submission_id)
    assert all(f.state is FileState.INSPECTED for f in files)
    keys = await s3_store.list_keys(submission.prefix)
    assert len([k for k in keys if "/public." in k]) == 10
    assert len([k for k in keys if k.endswith("/thumb.jpg")]) == 10
    assert [a.action for a in await repository.audit_trail(submission_id)].count("inspected") == 1


async def test_intake_worker_until_idle_runs_the_due_jobs_and_exits(
    make_client: Any, seaweedfs: EmbeddedS3, s3_store: S3ObjectStore, tmp_path: Path
) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}"
    client = await make_client(database_url=database)
    data = FormData()
    data.add_field("consent_terms", "true")
    data.add_field("files", io.BytesIO(noisy_photo(1)[:200_000]), filename="cut.jpg")
    response = await client.post("/api/v1/submissions", data=data)
    submission_id = (await response.json())["id"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
    env.update(shared_env(seaweedfs, s3_store.bucket, database,
                          server_data_dir=str(tmp_path / "worker")))  # fmt: skip
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "intake", "worker", "--until-idle", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 0, out.decode()
    assert out.decode().strip().endswith("1 jobs run")
    repository = client.server.app[REPOSITORY]
    assert (await repository.get_submission(submission_id)).state is SubmissionState.FAILED
    [file] = await repository.files_of(submission_id)
    assert "could not be decoded" in file.reject_reason
