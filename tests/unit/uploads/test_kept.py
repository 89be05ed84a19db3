"""What an upload's row keeps of its file's progress: its head and hash state sealed when
saved (one data key read for both), opened for the next request; plain ones an older
version kept read as they are, without a key; one not the upload's own, or whose key is
destroyed, ends the upload (:class:`UploadLost`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os

import pytest

from intake.core.errors import UploadLost
from intake.keys.blocks import TamperedObject
from intake.keys.keyring import KeyDestroyed, KeyRing, SubmissionErased
from intake.keys.marked import is_sealed
from intake.keys.master import MasterKeys, new_entry
from intake.uploads.filters import ResumableSha256
from intake.uploads.kept import KeptProgress, sealing_upload
from intake.uploads.pipeline import Progress
from intake.uploads.records import Concat, Upload, UploadState
from tests.unit.keys.test_keyring import KeysInMemory

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
PENDING = b"a source's name, in the bytes SHA-256 has not processed yet"


def upload(upload_id: str = "u1", **kw: object) -> Upload:
    return dataclasses.replace(
        Upload(
            id=upload_id, submission_id="s1", state=UploadState.OPEN, length=10_000, offset=0,
            concat=Concat.NONE, concat_parts=(), filename="photo.jpg", declared_type="",
            metadata={}, object_key=f"uploads/{upload_id}", created_at=NOW, updated_at=NOW,
            expires_at=NOW,
        ),
        **kw,
    )  # fmt: skip


def progress() -> Progress:
    hasher = ResumableSha256()
    hasher.feed(os.urandom(128) + PENDING)
    return Progress(128 + len(PENDING), b"\xff\xd8\xff\xe0 a head", "", hasher.state)


@pytest.fixture
def stored() -> KeysInMemory:
    return KeysInMemory()


@pytest.fixture
def kept(stored: KeysInMemory) -> KeptProgress:
    return KeptProgress(KeyRing(stored, MasterKeys.parse(new_entry("m1"))))


async def saved(kept: KeptProgress, sent: Progress, u: Upload | None = None) -> Upload:
    """The upload as its row keeps it after a request that left it at ``sent``."""
    u = u or upload()
    sealed = await kept.sealed(u, sent)
    return dataclasses.replace(
        u, offset=sent.received, head=sealed.head, hash_state=sealed.hash_state
    )


async def test_head_and_hash_state_are_sealed_with_one_key_read_and_open_as_they_were(
    kept: KeptProgress, stored: KeysInMemory
) -> None:
    sent = progress()
    assert PENDING in sent.hash_state
    row = await saved(kept, sent)
    assert stored.reads == 1
    assert is_sealed(row.head) and is_sealed(row.hash_state)
    assert PENDING[:16] not in row.hash_state and PENDING[-16:] not in row.hash_state
    assert await kept.opened(row) == sent
    assert stored.reads == 2


async def test_nothing_to_seal_or_open_reads_no_key(
    kept: KeptProgress, stored: KeysInMemory
) -> None:
    assert await kept.sealed(upload(), Progress(0)) == Progress(0)
    assert await kept.opened(upload()) == Progress(0)
    assert stored.reads == 0


async def test_plain_values_an_older_version_kept_are_read_as_they_are_without_a_key(
    kept: KeptProgress, stored: KeysInMemory
) -> None:
    sent = progress()
    row = upload(offset=sent.received, head=sent.head, hash_state=sent.hash_state)
    assert await kept.opened(row) == sent
    assert stored.reads == 0
    resealed = await saved(kept, sent, row)
    assert is_sealed(resealed.head) and is_sealed(resealed.hash_state)


async def test_a_state_moved_to_another_upload_or_swapped_with_the_head_opens_nothing(
    kept: KeptProgress,
) -> None:
    row = await saved(kept, progress())
    moved = dataclasses.replace(upload("u2"), hash_state=row.hash_state)
    swapped = dataclasses.replace(row, head=row.hash_state, hash_state=row.head)
    as_head = dataclasses.replace(row, head=row.hash_state, hash_state=b"")
    as_state = dataclasses.replace(row, head=b"", hash_state=row.head)
    for wrong in (moved, swapped, as_head, as_state):
        with pytest.raises(TamperedObject):
            await kept.opened(wrong)
        with pytest.raises(UploadLost), sealing_upload():
            await kept.opened(wrong)


async def test_once_the_key_is_destroyed_nothing_opens_or_seals_and_the_upload_is_lost(
    kept: KeptProgress, stored: KeysInMemory
) -> None:
    row = await saved(kept, progress())
    stored.rows["s1"] = None
    only_state = dataclasses.replace(row, head=b"")
    with pytest.raises(KeyDestroyed):
        await kept.opened(only_state)
    with pytest.raises(SubmissionErased):
        await kept.sealed(upload(), progress())
    with pytest.raises(UploadLost), sealing_upload():
        await kept.opened(only_state)
