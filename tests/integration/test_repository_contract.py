"""The SubmissionRepository contract, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from intake.adapters.db.data_keys import SqlDataKeyRepository
from intake.adapters.db.jobs import SqlJobQueue
from intake.adapters.db.migrate import current_revision, head_revision, latest_revision, migrate
from intake.adapters.db.schema import metadata
from intake.adapters.db.submissions import SqlSubmissionRepository
from intake.adapters.db.transactions import Database
from intake.adapters.db.uploads import SqlUploadRepository
from intake.core.ids import hash_token, new_id, new_reference
from intake.keys.ports import WrappedKey
from intake.submissions.acceptance import inspection_job
from intake.submissions.records import (
    AuditEntry,
    FileFlag,
    FileState,
    FlagKind,
    StoredFile,
    Submission,
    SubmissionState,
    SubmitterDetails,
)
from intake.uploads.ports import Claimed
from intake.uploads.records import Concat, Upload, UploadState

NOW = dt.datetime(2026, 11, 28, 9, 30, 15, 123456, tzinfo=dt.UTC)


def a_submission(**changes: object) -> Submission:
    submission = Submission(
        id=new_id(),
        reference=new_reference(),
        state=SubmissionState.PENDING_REVIEW,
        created_at=NOW,
        updated_at=NOW,
        details=SubmitterDetails(
            name="Ahmad",
            email="a@example.org",
            story="داستان من",
            occurred_at=dt.datetime(2026, 11, 27, 6, 0, tzinfo=dt.UTC),
            locale="fa-AF",
            consent_terms=True,
        ),
        terms_version="2026-11",
        token_hash="0" * 64,
        prefix="submissions/2026/11/28/x/",
        file_count=1,
        total_bytes=3_000_000_000,
    )
    return dataclasses.replace(submission, **changes)  # type: ignore[arg-type]


def a_file(submission: Submission, position: int = 0, sha256: str = "a" * 64) -> StoredFile:
    return StoredFile(
        id=new_id(),
        submission_id=submission.id,
        position=position,
        original_filename="IMG_0001.HEIC",
        media_type="image/heic",
        kind="photo",
        size=3_000_000_000,
        sha256=sha256,
        object_key=f"{submission.prefix}f/original",
        state=FileState.STORED,
        created_at=NOW + dt.timedelta(seconds=position),
    )


def audit_for(submission: Submission) -> list[AuditEntry]:
    return [
        AuditEntry(submission.id, NOW, "submitter", "received", None, SubmissionState.RECEIVED,
                   {"files": 1}),
        AuditEntry(submission.id, NOW, "system", "queued_for_review", SubmissionState.RECEIVED,
                   SubmissionState.PENDING_REVIEW),
    ]  # fmt: skip


async def test_a_submission_reads_back_as_it_was_written(
    repository: SqlSubmissionRepository,
) -> None:
    submission = a_submission()
    files = [a_file(submission, 1, "b" * 64), a_file(submission, 0)]
    await repository.add_submission(submission, files, audit_for(submission))
    assert await repository.get_submission(submission.id) == submission
    assert await repository.get_by_reference(submission.reference) == submission
    assert await repository.files_of(submission.id) == [files[1], files[0]]
    assert await repository.audit_trail(submission.id) == audit_for(submission)
    assert await repository.files_with_sha256("b" * 64) == [files[0]]


async def test_inspection_results_read_back_as_written(
    repository: SqlSubmissionRepository,
) -> None:
    submission = a_submission()
    inspected = dataclasses.replace(
        a_file(submission),
        state=FileState.INSPECTED,
        extracted={"width": 4032, "gps": {"latitude": 34.5553, "longitude": 69.2075}},
        flags=(FileFlag(FlagKind.NEAR_DUPLICATE, new_id(), new_id(), 3),),
        public_key=f"{submission.prefix}f/public.jpg",
        thumbnail_key=f"{submission.prefix}f/thumb.jpg",
        phash="c3a5f00f0ff0a5c3",
        inspected_at=NOW,
    )
    await repository.add_submission(submission, [inspected], [])
    assert await repository.files_of(submission.id) == [inspected]


async def test_unknown_ids_are_none(repository: SqlSubmissionRepository) -> None:
    assert await repository.get_submission(new_id()) is None
    assert await repository.get_by_reference("00000-00000") is None
    assert await repository.files_of(new_id()) == []


async def test_a_failed_insert_leaves_no_part_behind(repository: SqlSubmissionRepository) -> None:
    first = a_submission()
    await repository.add_submission(first, [a_file(first)], [])
    second = a_submission(reference=first.reference)  # the reference must be unique
    with pytest.raises(IntegrityError):
        await repository.add_submission(second, [a_file(second)], audit_for(second))
    assert await repository.get_submission(second.id) is None
    assert await repository.files_of(second.id) == []
    assert await repository.audit_trail(second.id) == []


def _schema_differences(connection: Connection) -> list[object]:
    return list(compare_metadata(MigrationContext.configure(connection), metadata))


async def test_migrations_build_exactly_the_declared_schema(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        assert await connection.run_sync(_schema_differences) == []
    assert await current_revision(engine) == head_revision() == latest_revision()
    await migrate(engine)  # running again changes nothing


async def a_draft_uploading(
    repository: SqlSubmissionRepository, uploads: SqlUploadRepository
) -> tuple[Submission, Upload]:
    """A draft whose token is "right", and its open upload of 10 bytes, 4 of them received."""
    submission = a_submission(state=SubmissionState.DRAFT, token_hash=hash_token("right"))
    await repository.add_submission(submission, [], [])
    upload = Upload(
        id=new_id(), submission_id=submission.id, state=UploadState.OPEN, length=10, offset=4,
        concat=Concat.NONE, concat_parts=(), filename="a.mp4", declared_type="video/mp4",
        metadata={}, object_key="k", created_at=NOW, updated_at=NOW,
        expires_at=NOW + dt.timedelta(days=1),
    )  # fmt: skip
    await uploads.add_upload(upload)
    return submission, upload


async def test_an_upload_is_claimed_in_one_step_only_by_its_owner_at_its_offset_with_its_key(
    engine: AsyncEngine, repository: SqlSubmissionRepository
) -> None:
    uploads = SqlUploadRepository(Database(engine))
    submission, upload = await a_draft_uploading(repository, uploads)
    later = NOW + dt.timedelta(seconds=30)

    async def claim(token: str, offset: int, now: dt.datetime = NOW) -> Claimed | None:
        return await uploads.claim_as_owner(
            upload.id, token_hash=hash_token(token), offset=offset, lock_id=new_id(),
            until=later, now=now,
        )  # fmt: skip

    assert await claim("wrong", 4) is None
    assert await claim("right", 0) is None
    claimed = await claim("right", 4)
    assert claimed is not None and claimed.key is None  # the submission has no key yet
    assert claimed.upload.lock_id and claimed.upload.offset == 4
    assert claimed.upload.filename == "a.mp4"
    assert await claim("right", 4) is None  # held by the first
    keys = SqlDataKeyRepository(Database(engine))
    other = a_submission(state=SubmissionState.DRAFT)
    await repository.add_submission(other, [], [])
    theirs = WrappedKey(other.id, "master-1", b"the other submission's wrapped key")
    mine = WrappedKey(submission.id, "master-1", b"this submission's wrapped key")
    for key in (theirs, mine):
        assert await keys.add(key, NOW) == key
    lapsed = await claim("right", 4, now=later + dt.timedelta(seconds=1))
    assert lapsed is not None and lapsed.key == mine
    await keys.destroy(submission.id, NOW)
    again = await claim("right", 4, now=later + dt.timedelta(seconds=60))
    assert again is not None and again.key is None


async def test_a_small_patch_saves_unleased_only_where_it_found_the_upload_free(
    engine: AsyncEngine, repository: SqlSubmissionRepository
) -> None:
    uploads = SqlUploadRepository(Database(engine))
    submission, upload = await a_draft_uploading(repository, uploads)
    mine = WrappedKey(submission.id, "master-1", b"this submission's wrapped key")
    await SqlDataKeyRepository(Database(engine)).add(mine, NOW)

    async def free(token: str, offset: int, now: dt.datetime = NOW) -> Upload | None:
        found = await uploads.free_as_owner(
            upload.id, token_hash=hash_token(token), offset=offset, now=now
        )
        assert found is None or found.key == mine
        return found.upload if found else None

    assert await free("wrong", 4) is None
    assert await free("right", 5) is None
    found = await free("right", 4)
    assert found is not None and found.offset == 4 and not found.lock_id  # read, not claimed
    moved = dataclasses.replace(found, offset=6)
    assert await uploads.save_unleased(moved, offset=4, now=NOW)
    assert not await uploads.save_unleased(moved, offset=4, now=NOW)  # it moved on
    assert (await uploads.get_upload(upload.id)).offset == 6  # type: ignore[union-attr]
    later = NOW + dt.timedelta(seconds=30)
    assert await uploads.claim(upload.id, offset=6, lock_id="a-lease", until=later, now=NOW)
    assert await free("right", 6) is None  # leased
    further = dataclasses.replace(moved, offset=8)
    assert not await uploads.save_unleased(further, offset=6, now=NOW)
    lapsed = later + dt.timedelta(seconds=1)
    assert await free("right", 6, now=lapsed) is not None
    assert await uploads.save_unleased(further, offset=6, now=lapsed)
    assert (await uploads.get_upload(upload.id)).lock_id == ""  # type: ignore[union-attr]
    await uploads.set_state(upload.id, UploadState.TERMINATED, now=lapsed)
    assert not await uploads.save_unleased(
        dataclasses.replace(further, offset=9), offset=8, now=lapsed
    )


async def test_a_submission_and_its_job_are_committed_together(
    repository: SqlSubmissionRepository, engine: AsyncEngine
) -> None:
    queue = SqlJobQueue(Database(engine))
    first = a_submission(state=SubmissionState.PROCESSING)
    job = inspection_job(first)
    await repository.add_submission(first, [a_file(first)], [], [job])
    assert [j.id for j in await queue.jobs_for(first.id)] == [job.id]
    second = a_submission(state=SubmissionState.PROCESSING)
    same_id = dataclasses.replace(job, payload={"submission_id": second.id})
    with pytest.raises(IntegrityError):  # its job cannot be stored: no submission either
        await repository.add_submission(second, [a_file(second)], [], [same_id])
    assert await repository.get_submission(second.id) is None
    draft = a_submission(state=SubmissionState.DRAFT)
    await repository.add_submission(draft, [], [])
    submitted = dataclasses.replace(draft, state=SubmissionState.PROCESSING)
    with pytest.raises(IntegrityError):
        await repository.submit_draft(submitted, [a_file(draft)], [], [job])
    assert (await repository.get_submission(draft.id)).state is SubmissionState.DRAFT  # type: ignore[union-attr]
    stored = a_file(draft)
    assert await repository.submit_draft(submitted, [stored], [], [inspection_job(draft)])
    again = [a_file(draft, 1)], [], [inspection_job(draft)]
    assert not await repository.submit_draft(submitted, *again)  # no longer a draft: nothing kept
    assert [j.kind for j in await queue.jobs_for(draft.id)] == ["inspect_submission"]
    assert [f.id for f in await repository.files_of(draft.id)] == [stored.id]


async def test_a_processing_submission_moves_on_once_no_file_waits(
    repository: SqlSubmissionRepository,
) -> None:
    submission = a_submission(state=SubmissionState.PROCESSING)
    good, bad = a_file(submission, 0), a_file(submission, 1)
    await repository.add_submission(submission, [good, bad], [])
    audit = AuditEntry(submission.id, NOW, "system", "inspected", None, None)
    accepted = dataclasses.replace(good, state=FileState.INSPECTED, inspected_at=NOW)
    assert await repository.record_inspection(accepted)
    assert not await repository.record_inspection(accepted)  # only a file still stored
    assert await repository.finish_processing(submission.id, audit) is None  # bad waits
    refused = dataclasses.replace(bad, state=FileState.REJECTED, reject_reason="no")
    assert await repository.record_inspection(refused)
    assert await repository.finish_processing(submission.id, audit) is (
        SubmissionState.PENDING_REVIEW
    )
    assert await repository.finish_processing(submission.id, audit) is None  # once
    trail = await repository.audit_trail(submission.id)
    assert (trail[-1].from_state, trail[-1].to_state) == (
        SubmissionState.PROCESSING, SubmissionState.PENDING_REVIEW,
    )  # fmt: skip
