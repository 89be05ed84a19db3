"""Receiving a submission: its files into the bucket, then its row.

Nothing is acknowledged before it is durable: the row is committed only after every
original is stored, and any failure on the way removes what was written (multipart
uploads aborted, objects deleted, no row). The row is committed ``processing``, with
the job that inspects its files and the data key its objects were sealed with (held in
memory until then: :meth:`intake.keys.keyring.KeyRing.hold`), in one transaction; that
job writes the manifest (:mod:`intake.submissions.manifest`), off the reader's request.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from types import TracebackType

from intake.core.bucket_layout import object_metadata, original_key, submission_prefix
from intake.core.clock import Clock, utcnow
from intake.core.errors import PayloadTooLarge, ValidationFailed
from intake.core.ids import hash_token, new_id, new_reference, new_token
from intake.core.object_store import ObjectStore
from intake.keys.ports import WrappedKey
from intake.media.types import MediaType
from intake.submissions.acceptance import inspection_job, received_audit
from intake.submissions.fields import validate_fields
from intake.submissions.policy import IntakePolicy
from intake.submissions.ports import SubmissionKeys, SubmissionRepository
from intake.submissions.records import (
    FileState,
    StoredFile,
    Submission,
    SubmissionState,
)
from intake.uploads.filters import SizeLimit
from intake.uploads.object_writer import ObjectWriter
from intake.uploads.pipeline import receive_file


@dataclass(frozen=True)
class AcceptedSubmission:
    submission: Submission
    files: list[StoredFile]
    token: str


class SubmissionService:
    def __init__(
        self,
        store: ObjectStore,
        repository: SubmissionRepository,
        policy: IntakePolicy,
        clock: Clock = utcnow,
        keys: SubmissionKeys | None = None,
    ) -> None:
        self.store = store
        self.repository = repository
        self.policy = policy
        self.clock = clock
        self.keys = keys

    def receive(self) -> IncomingSubmission:
        """A new submission to add files to; use as ``async with``."""
        return IncomingSubmission(self)


class IncomingSubmission:
    """A submission being received. Leaving its ``async with`` by an exception
    removes everything it stored."""

    def __init__(self, service: SubmissionService) -> None:
        self._service = service
        self._policy = service.policy
        self.id = new_id()
        self.created_at = service.clock()
        self.prefix = submission_prefix(self.id, self.created_at)
        self.files: list[StoredFile] = []
        self._total = SizeLimit(self._policy.uploads.max_total_bytes, "This submission")
        self._written: list[str] = []
        self._done = False
        self._keys = service.keys
        self._data_key: WrappedKey | None = None

    async def __aenter__(self) -> IncomingSubmission:
        if self._keys is not None:
            self._data_key = self._keys.hold(self.id)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc_type is not None or not self._done:
                await asyncio.shield(self.discard())
        finally:
            if self._keys is not None:
                self._keys.release(self.id)

    async def add_file(self, filename: str, chunks: AsyncIterator[bytes]) -> StoredFile:
        if len(self.files) >= self._policy.uploads.max_files:
            raise PayloadTooLarge(
                f"Send at most {self._policy.uploads.max_files} files in one submission.",
                max_files=self._policy.uploads.max_files,
            )
        file_id = new_id()
        key = original_key(self.prefix, file_id)

        def open_writer(media_type: MediaType) -> ObjectWriter:
            self._written.append(key)
            return ObjectWriter(
                self._service.store,
                key,
                content_type=media_type.mime,
                metadata=object_metadata(self.id, file_id, media_type.mime),
                limits=self._policy.uploads.writer,
            )

        received = await receive_file(
            chunks,
            filename=filename,
            policy=self._policy.uploads.files,
            open_writer=open_writer,
            shared_limits=[self._total],
        )
        stored = StoredFile(
            id=file_id,
            submission_id=self.id,
            position=len(self.files),
            original_filename=filename,
            media_type=received.media_type.mime,
            kind=received.media_type.kind.value,
            size=received.size,
            sha256=received.sha256,
            object_key=key,
            state=FileState.STORED,
            created_at=self._service.clock(),
        )
        self.files.append(stored)
        return stored

    async def complete(self, raw_fields: Mapping[str, str]) -> AcceptedSubmission:
        """Validate the fields and commit the row."""
        details = validate_fields(raw_fields, self._policy.fields)
        if not self.files:
            raise ValidationFailed(
                [
                    {
                        "field": "files",
                        "code": "required",
                        "detail": "Add at least one photo or video.",
                    }
                ]
            )
        token = new_token()
        submission = Submission(
            id=self.id,
            reference=new_reference(),
            state=SubmissionState.PROCESSING,
            created_at=self.created_at,
            updated_at=self._service.clock(),
            details=details,
            terms_version=self._policy.terms_version,
            token_hash=hash_token(token),
            prefix=self.prefix,
            file_count=len(self.files),
            total_bytes=sum(f.size for f in self.files),
        )
        audit = received_audit(submission, self.files, None, self.created_at)
        await self._service.repository.add_submission(
            submission, self.files, audit, [inspection_job(submission)], self._data_key
        )
        self._done = True
        return AcceptedSubmission(submission, list(self.files), token)

    async def discard(self) -> None:
        """Remove every object this submission stored (idempotent)."""
        keys, self._written = self._written, []
        if keys:
            await self._service.store.delete(keys)
