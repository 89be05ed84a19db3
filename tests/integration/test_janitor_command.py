"""``intake janitor`` as cron runs it: one round that forgets what is kept only for a while,
and that neither inspects nor delivers webhooks while it runs."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from pathlib import Path

from intake.adapters.db.engine import create_engine
from intake.adapters.db.migrate import migrate
from intake.adapters.db.moderators import SqlModeratorRepository
from intake.adapters.db.outbox import SqlOutbox
from intake.adapters.db.submissions import SqlSubmissionRepository
from intake.adapters.db.transactions import Database
from intake.adapters.embedded.seaweedfs import EmbeddedS3
from intake.adapters.s3 import S3ObjectStore
from intake.submissions.events import state_event
from intake.submissions.records import AuditEntry, SubmissionState
from tests.moderation_helpers import EPOCH, queue
from tests.processes import ROOT, shared_env

URL = "http://127.0.0.1:9/hook"
LATER = EPOCH + dt.timedelta(days=1)


async def test_one_round_forgets_old_rows_and_sends_nothing(
    seaweedfs: EmbeddedS3, s3_store: S3ObjectStore, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'intake.db'}"
    engine = create_engine(url)
    await migrate(engine)
    database = Database(engine)
    repository = SqlSubmissionRepository(database, [URL])
    for submission in await queue(repository, 2):
        at = submission.created_at
        audit = AuditEntry(submission.id, at, "submitter", "withdrawn", submission.state,
                           SubmissionState.WITHDRAWN)  # fmt: skip
        await repository.withdraw(submission.id, audit, state_event(submission, audit.to_state, at))
    outbox = SqlOutbox(database)
    [acknowledged] = await outbox.take_due("old dispatcher", LATER, LATER, limit=1)
    await outbox.delivered(acknowledged.id, "old dispatcher", EPOCH)
    accounts = SqlModeratorRepository(database)
    await accounts.count_attempt("amina|127.0.0.1", EPOCH, EPOCH - dt.timedelta(days=1))

    env = shared_env(seaweedfs, s3_store.bucket, url, webhooks_urls=URL,
                     webhooks_secret="a webhook secret", webhooks_retry_min_seconds="0.05",
                     webhooks_poll_seconds="0.05", workers_in_process="true",
                     retention_withdrawn_days="0")  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "intake", "janitor", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 120)

    assert process.returncode == 0, err.decode()
    assert out.decode().strip() == "0 expired uploads removed, 0 submissions purged"
    assert await outbox.events_of(acknowledged.event.submission_id) == []
    [pending] = await outbox.take_due("checker", LATER, LATER, limit=5)
    assert pending.attempts == 0  # no dispatcher ran
    assert await accounts.failures("amina|127.0.0.1", EPOCH - dt.timedelta(days=1)) == (0, None)
    await engine.dispose()
