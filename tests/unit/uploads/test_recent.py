"""Which statement a PATCH tries first: the upload's row read first unless this node saw
the upload where the PATCH continues it, and then it needs a lease."""

from __future__ import annotations

from intake.uploads.recent import RecentUploads
from intake.uploads.records import UploadState
from tests.unit.uploads.test_kept import upload

PART = 8 * 1024 * 1024
KiB = 1024


def test_a_patch_is_read_first_unless_this_node_saw_it_will_need_a_lease() -> None:
    recent = RecentUploads()
    assert recent.may_need_no_lease("u1", 0, 512 * KiB, PART)  # never seen here
    assert not recent.may_need_no_lease("u1", 0, PART, PART)  # fills a part on its own
    recent.saw(upload("u1", length=1024 * KiB))
    assert not recent.may_need_no_lease("u1", 0, 1024 * KiB, PART)  # completes it
    assert recent.may_need_no_lease("u1", 0, 512 * KiB, PART)  # stays in the tail
    recent.saw(upload("u1", length=64 * PART, offset=PART - 300 * KiB, tail_size=PART - 300 * KiB))
    assert not recent.may_need_no_lease("u1", PART - 300 * KiB, 512 * KiB, PART)  # fills one
    assert recent.may_need_no_lease("u1", 0, 512 * KiB, PART)  # not where it was seen
    recent.saw(upload("u1", state=UploadState.COMPLETE))
    assert recent.may_need_no_lease("u1", PART - 300 * KiB, 512 * KiB, PART)  # forgotten


def test_only_the_most_recently_seen_uploads_are_kept() -> None:
    recent = RecentUploads(size=2)
    for name in ("u1", "u2", "u3"):
        recent.saw(upload(name, length=1024 * KiB))
    assert recent.may_need_no_lease("u1", 0, 1024 * KiB, PART)  # forgotten: read first
    assert not recent.may_need_no_lease("u3", 0, 1024 * KiB, PART)
