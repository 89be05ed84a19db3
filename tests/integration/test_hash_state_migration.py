"""Migration 0013: what older versions kept in plain text of an ended upload's SHA-256
state (up to 63 bytes of its file) is dropped; an open upload keeps its state."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from sqlalchemy import insert, select

from intake.adapters.db.engine import create_engine
from intake.adapters.db.migrate import migrate
from intake.adapters.db.schema import submissions, uploads
from intake.adapters.db.submissions import submission_row
from intake.adapters.db.upload_sql import upload_row
from intake.core.ids import new_id
from intake.submissions.records import SubmissionState
from intake.uploads.records import Concat, Upload, UploadState
from tests.moderation_helpers import EPOCH, waiting_submission

PLAIN = b"\x6a\x09\xe6\x67" * 8 + b"the last words of the reader's file"


async def test_ended_uploads_lose_their_plain_hash_state_and_open_ones_keep_it(
    tmp_path: Path,
) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    await migrate(engine, "0012")
    draft = dataclasses.replace(waiting_submission(), state=SubmissionState.DRAFT)

    def an_upload(state: UploadState) -> Upload:
        return Upload(
            id=new_id(), submission_id=draft.id, state=state, length=100, offset=67,
            concat=Concat.NONE, concat_parts=(), filename="", declared_type="image/jpeg",
            metadata={}, object_key=f"k-{state.value}", created_at=EPOCH, updated_at=EPOCH,
            expires_at=EPOCH + dt.timedelta(days=1), hash_state=PLAIN,
        )  # fmt: skip

    made = {state: an_upload(state) for state in UploadState}
    async with engine.begin() as conn:
        await conn.execute(insert(submissions), [submission_row(draft)])
        await conn.execute(insert(uploads), [upload_row(u) for u in made.values()])
    await migrate(engine)
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(select(uploads.c.id, uploads.c.hash_state))).all()
    finally:
        await engine.dispose()
    kept = {row.id: bytes(row.hash_state) for row in rows}
    assert {state: kept[u.id] for state, u in made.items()} == {
        state: PLAIN if state is UploadState.OPEN else b"" for state in UploadState
    }
