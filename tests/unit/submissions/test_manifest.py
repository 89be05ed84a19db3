"""``manifest.json`` as people and tools read it in the bucket."""

from __future__ import annotations

import datetime as dt
import json

from intake.submissions.manifest import MANIFEST_VERSION, build_manifest, encode_manifest
from intake.submissions.records import (
    FileFlag,
    FileState,
    FlagKind,
    StoredFile,
    Submission,
    SubmissionState,
    SubmitterDetails,
)

NOW = dt.datetime(2026, 11, 28, 2, 13, 3, tzinfo=dt.UTC)
KABUL = dt.timezone(dt.timedelta(hours=4, minutes=30))


def test_the_manifest_keeps_offsets_and_leaves_empty_flag_members_out() -> None:
    details = SubmitterDetails(
        name="زرمینه", occurred_at=dt.datetime(2026, 11, 27, 6, tzinfo=KABUL)
    )
    submission = Submission("s1", "81100-V8QSY", SubmissionState.PENDING_REVIEW, NOW, NOW,
                            details, "2026-11", "hash", "p/")  # fmt: skip
    flags = (FileFlag(FlagKind.DUPLICATE, "s0"), FileFlag(FlagKind.NOT_SCANNED))
    stored = StoredFile("f1", "s1", 0, "a.jpg", "image/jpeg", "photo", 10, "ab" * 32, "p/f1",
                        FileState.INSPECTED, NOW, {"make": "X"}, flags)  # fmt: skip
    encoded = encode_manifest(build_manifest(submission, [stored]))
    assert "زرمینه".encode() in encoded, "not escaped"
    assert encoded.startswith(b'{\n  "files": [\n'), "sorted, indented"
    manifest = json.loads(encoded)
    assert manifest["manifest_version"] == MANIFEST_VERSION
    assert manifest["submission"]["created_at"] == "2026-11-28T02:13:03+00:00"
    assert manifest["submission"]["token_sha256"] == "hash"
    assert manifest["submission"]["details"]["occurred_at"] == "2026-11-27T06:00:00+04:30"
    [file] = manifest["files"]
    assert file["original_key"] == "p/f1"
    assert file["inspection"]["verdict"] == "accepted"
    assert file["inspection"]["inspected_at"] is None
    assert file["inspection"]["flags"] == [
        {"kind": "duplicate", "submission_id": "s0"},
        {"kind": "not_scanned"},
    ]
