"""``manifest.json``: a submission described in the bucket, beside its media.

It describes the submission for people and tools that read the bucket; the database,
not the bucket, is what is backed up and restored (see the README). Times are ISO 8601
with their offset (``+00:00``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from intake.core.bucket_layout import manifest_key
from intake.core.object_store import ObjectStore
from intake.submissions.ports import SubmissionRepository
from intake.submissions.records import (
    FileFlag,
    FileState,
    StoredFile,
    Submission,
    SubmissionState,
)

MANIFEST_VERSION = 3
"""2: each file has its inspection (verdict, extracted metadata, flags, derivatives).
3: flags carry their evidence; extracted metadata may hold content ``credentials``."""
CONTENT_TYPE = "application/json"

VERDICTS = {
    FileState.STORED: "pending",
    FileState.INSPECTED: "accepted",
    FileState.REJECTED: "rejected",
    FileState.DELETED: "deleted",
}

Time = Annotated[dt.datetime, PlainSerializer(dt.datetime.isoformat, return_type=str)]


def _unset(value: object) -> bool:
    return value in ("", None)


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ManifestFlag(_Part):
    kind: str
    submission_id: str = Field("", exclude_if=_unset)
    file_id: str = Field("", exclude_if=_unset)
    distance: int | None = Field(None, exclude_if=_unset)
    evidence: dict[str, Any] = Field(default_factory=dict, exclude_if=lambda v: not v)

    @classmethod
    def of(cls, flag: FileFlag) -> ManifestFlag:
        return cls(kind=flag.kind.value, submission_id=flag.submission_id,
                   file_id=flag.file_id, distance=flag.distance,
                   evidence=flag.evidence)  # fmt: skip


class Inspection(_Part):
    """What inspection found about a file."""

    verdict: str
    reject_reason: str
    extracted: dict[str, Any]
    flags: list[ManifestFlag]
    public_key: str
    thumbnail_key: str
    phash: str
    inspected_at: Time | None

    @classmethod
    def of(cls, f: StoredFile) -> Inspection:
        return cls(
            verdict=VERDICTS[f.state], reject_reason=f.reject_reason, extracted=f.extracted,
            flags=[ManifestFlag.of(flag) for flag in f.flags], public_key=f.public_key,
            thumbnail_key=f.thumbnail_key, phash=f.phash, inspected_at=f.inspected_at,
        )  # fmt: skip


class ManifestFile(_Part):
    id: str
    position: int
    original_filename: str
    media_type: str
    kind: str
    size: int
    sha256: str
    original_key: str
    inspection: Inspection

    @classmethod
    def of(cls, f: StoredFile) -> ManifestFile:
        return cls(
            id=f.id, position=f.position, original_filename=f.original_filename,
            media_type=f.media_type, kind=f.kind, size=f.size, sha256=f.sha256,
            original_key=f.object_key, inspection=Inspection.of(f),
        )  # fmt: skip


class ManifestDetails(_Part):
    """What the reader told us."""

    name: str
    email: str
    phone: str
    title: str
    story: str
    location: str
    occurred_at: Time | None
    locale: str
    consent_terms: bool
    consent_contact: bool


class ManifestSubmission(_Part):
    id: str
    reference: str
    state: str
    created_at: Time
    terms_version: str
    token_sha256: str
    details: ManifestDetails


class Manifest(_Part):
    manifest_version: int
    submission: ManifestSubmission
    files: list[ManifestFile]


def build_manifest(submission: Submission, files: Sequence[StoredFile]) -> Manifest:
    d = submission.details
    details = ManifestDetails(
        name=d.name, email=d.email, phone=d.phone, title=d.title, story=d.story,
        location=d.location, occurred_at=d.occurred_at, locale=d.locale,
        consent_terms=d.consent_terms, consent_contact=d.consent_contact,
    )  # fmt: skip
    return Manifest(
        manifest_version=MANIFEST_VERSION,
        submission=ManifestSubmission(
            id=submission.id, reference=submission.reference, state=submission.state.value,
            created_at=submission.created_at, terms_version=submission.terms_version,
            token_sha256=submission.token_hash, details=details,
        ),
        files=[ManifestFile.of(f) for f in files],
    )  # fmt: skip


def encode_manifest(manifest: Manifest) -> bytes:
    data = manifest.model_dump(mode="json")
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True).encode()


async def store_manifest(
    store: ObjectStore, submission: Submission, files: Sequence[StoredFile]
) -> None:
    await store.put(
        manifest_key(submission.prefix),
        encode_manifest(build_manifest(submission, files)),
        content_type=CONTENT_TYPE,
        metadata={"submission-id": submission.id},
    )


async def take_back_if_withdrawn(
    store: ObjectStore, repository: SubmissionRepository, submission: Submission
) -> bool:
    """Delete the manifest just stored for ``submission`` if it was withdrawn (or
    forgotten) meanwhile; whether it was.

    A withdrawal commits first and then deletes the prefix: a manifest stored after that
    deletion listed the prefix is found here, since this reads the state after storing.
    """
    state = (await repository.states_of([submission.id])).get(submission.id)
    if state is not None and state is not SubmissionState.WITHDRAWN:
        return False
    await store.delete([manifest_key(submission.prefix)])
    return True
