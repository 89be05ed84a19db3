"""The key ring: a key held for a submission being received seals without a database turn
and is the key its row stores; once released, the stored key is the one read."""

from __future__ import annotations

import datetime as dt

import pytest

from intake.keys.keyring import KeyRing, SubmissionErased
from intake.keys.master import MasterKeys, new_entry
from intake.keys.ports import KeyCounts, WrappedKey


class KeysInMemory:
    """The data key port in a dict, counting the reads that reach it."""

    def __init__(self) -> None:
        self.rows: dict[str, WrappedKey | None] = {}
        self.reads = 0

    async def get(self, submission_id: str) -> WrappedKey | None:
        self.reads += 1
        return self.rows.get(submission_id)

    async def add(self, key: WrappedKey, now: dt.datetime) -> WrappedKey | None:
        return self.rows.setdefault(key.submission_id, key)

    async def submission_of_upload(self, upload_id: str) -> str | None:
        return None

    async def destroy(self, submission_id: str, now: dt.datetime) -> None:
        self.rows[submission_id] = None

    async def rewrap(self, old: WrappedKey, new: WrappedKey) -> bool:
        return False

    async def wrapped_with(self, master_key_ids: set[str], limit: int) -> list[WrappedKey]:
        return []

    async def counts(self) -> KeyCounts:
        return KeyCounts({}, 0)


@pytest.fixture
def stored() -> KeysInMemory:
    return KeysInMemory()


@pytest.fixture
def ring(stored: KeysInMemory) -> KeyRing:
    return KeyRing(stored, MasterKeys.parse(new_entry("m1")))


async def test_a_held_key_seals_without_the_database_and_is_the_key_its_row_stores(
    ring: KeyRing, stored: KeysInMemory
) -> None:
    wrapped = ring.hold("s1")
    sealing = await ring.for_writing("s1")
    assert await ring.for_reading("s1") == sealing
    assert (stored.reads, stored.rows) == (0, {}), "nothing read or written while held"
    stored.rows["s1"] = wrapped  # the row commits, with its key
    ring.release("s1")
    assert await ring.for_reading("s1") == sealing
    assert stored.reads == 1


async def test_a_released_key_whose_row_never_committed_is_gone(
    ring: KeyRing, stored: KeysInMemory
) -> None:
    ring.hold("s1")
    sealing = await ring.for_writing("s1")
    ring.release("s1")
    assert await ring.for_writing("s1") != sealing, "objects sealed with it open for nobody"


async def test_a_draft_key_made_with_its_row_is_the_one_its_uploads_use(
    ring: KeyRing, stored: KeysInMemory
) -> None:
    made = ring.made("d1")
    assert stored.rows == {}, "made, not stored: the repository stores it with the draft"
    stored.rows["d1"] = made
    first = await ring.for_writing("d1")
    assert await ring.for_reading("d1") == first
    await ring.destroy("d1")
    with pytest.raises(SubmissionErased):
        await ring.for_writing("d1")


async def test_a_lent_key_is_read_once_for_the_request_and_again_after_it(
    ring: KeyRing, stored: KeysInMemory
) -> None:
    stored_key = await ring.for_writing("s1")
    stored.reads = 0
    async with ring.lent("s1", "u1"):
        seen = {await ring.for_reading("s1"), await ring.for_writing("s1")}
        owner = await ring.scope_of_upload("u1")
    assert seen == {stored_key} and owner == "s1"
    assert stored.reads == 1
    assert await ring.for_reading("s1") == stored_key
    assert stored.reads == 2
    assert await ring.scope_of_upload("u1") is None  # asked of the database again


async def test_a_key_lent_to_two_requests_stays_lent_until_the_last_ends(
    ring: KeyRing, stored: KeysInMemory
) -> None:
    async with ring.lent("s1", "u1"):
        async with ring.lent("s1", "u2"):
            await ring.for_reading("s1")
        assert await ring.scope_of_upload("u2") is None
        reads = stored.reads
        await ring.for_writing("s1")
        assert stored.reads == reads and await ring.scope_of_upload("u1") == "s1"
    await ring.for_writing("s1")
    assert stored.reads == reads + 1


async def test_a_key_destroyed_on_this_instance_ends_its_loan_at_once(ring: KeyRing) -> None:
    async with ring.lent("s1", "u1"):
        await ring.destroy("s1")
        with pytest.raises(SubmissionErased):
            await ring.for_writing("s1")
    with pytest.raises(SubmissionErased):
        async with ring.lent("s1", "u1"):
            pass


async def test_a_key_the_caller_read_with_its_claim_is_lent_without_reading_it_again(
    ring: KeyRing, stored: KeysInMemory
) -> None:
    stored_key = await ring.for_writing("s1")
    read_with_claim = stored.rows["s1"]
    stored.reads = 0
    async with ring.lent("s1", "u1", read_with_claim):
        assert await ring.for_reading("s1") == stored_key
    assert stored.reads == 0
    async with ring.lent("s2", "u2", read_with_claim):  # another submission's: not used
        assert await ring.for_writing("s2") != stored_key
    assert stored.reads == 1
