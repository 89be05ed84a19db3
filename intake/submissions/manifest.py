"""``manifest.json``: a submission described in the bucket, beside its media.

The bucket is the source of truth; the manifest holds what is needed to rebuild the
submission's rows from it.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from typing import Any

from intake.core.bucket_layout import manifest_key
from intake.core.object_store import ObjectStore
from intake.submissions.records import FileState, StoredFile, Submission

MANIFEST_VERSION = 2
"""2: each file has its inspection (verdict, extracted metadata, flags, derivatives)."""

VERDICTS = {
    FileState.STORED: "pending",
    FileState.INSPECTED: "accepted",
    FileState.REJECTED: "rejected",
    FileState.DELETED: "deleted",
}


def inspection_json(f: StoredFile) -> dict[str, Any]:
    """What inspection found about a file, as moderators and the manifest see it."""
    return {
        "verdict": VERDICTS[f.state],
        "reject_reason": f.reject_reason,
        "extracted": f.extracted,
        "flags": [
            {k: v for k, v in dataclasses.asdict(flag).items() if v not in ("", None)}
            for flag in f.flags
        ],
        "public_key": f.public_key,
        "thumbnail_key": f.thumbnail_key,
        "phash": f.phash,
        "inspected_at": f.inspected_at.isoformat() if f.inspected_at else None,
    }


CONTENT_TYPE = "application/json"


def build_manifest(submission: Submission, files: Sequence[StoredFile]) -> dict[str, Any]:
    d = submission.details
    return {
        "manifest_version": MANIFEST_VERSION,
        "submission": {
            "id": submission.id,
            "reference": submission.reference,
            "state": submission.state.value,
            "created_at": submission.created_at.isoformat(),
            "terms_version": submission.terms_version,
            "token_sha256": submission.token_hash,
            "details": {
                "name": d.name,
                "email": d.email,
                "phone": d.phone,
                "title": d.title,
                "story": d.story,
                "location": d.location,
                "occurred_at": d.occurred_at.isoformat() if d.occurred_at else None,
                "locale": d.locale,
                "consent_terms": d.consent_terms,
                "consent_contact": d.consent_contact,
            },
        },
        "files": [
            {
                "id": f.id,
                "position": f.position,
                "original_filename": f.original_filename,
                "media_type": f.media_type,
                "kind": f.kind,
                "size": f.size,
                "sha256": f.sha256,
                "original_key": f.object_key,
                "inspection": inspection_json(f),
            }
            for f in files
        ],
    }


def encode_manifest(manifest: dict[str, Any]) -> bytes:
    return json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()


async def store_manifest(
    store: ObjectStore, submission: Submission, files: Sequence[StoredFile]
) -> None:
    await store.put(
        manifest_key(submission.prefix),
        encode_manifest(build_manifest(submission, files)),
        content_type=CONTENT_TYPE,
        metadata={"submission-id": submission.id},
    )
