"""The banded hash index on SQLite and PostgreSQL: every stored hash within the distance
is found (as a scan would find it), none further, none of the asking submission."""

from __future__ import annotations

import random

from sqlalchemy.ext.asyncio import AsyncEngine

from intake.adapters.db.media_hashes import SqlHashIndex, probes
from intake.adapters.db.transactions import Database

SUBMISSION = "00000000-0000-0000-0000-0000000000aa"
ASKING = "00000000-0000-0000-0000-0000000000bb"


def _flip(value: int, bits: int, rng: random.Random) -> int:
    for bit in rng.sample(range(64), bits):
        value ^= 1 << bit
    return value


async def test_every_hash_within_the_distance_is_found_and_no_other(engine: AsyncEngine) -> None:
    rng = random.Random(21)
    index = SqlHashIndex(Database(engine))
    target = rng.getrandbits(64) | 1 << 63  # the top bit set: stored as a negative BIGINT
    stored = {f"f{bits:02d}": _flip(target, bits, rng) for bits in range(0, 16)}
    stored |= {f"r{i:02d}": rng.getrandbits(64) for i in range(200)}
    for file_id, value in stored.items():
        await index.add(file_id, SUBMISSION, "photo", [f"{value:016x}"])
    await index.add("mine", ASKING, "photo", [f"{target:016x}"])
    for max_bits in (0, 3, 6, 10):
        found = await index.near([f"{target:016x}"], max_bits, ASKING)
        expected = {f for f, v in stored.items() if (v ^ target).bit_count() <= max_bits}
        assert {m.file_id for m in found} == expected
        assert [m.distance for m in found] == sorted(m.distance for m in found)
        assert all(m.submission_id == SUBMISSION and m.query == 0 for m in found)


async def test_adding_again_replaces_and_each_query_is_told_apart(engine: AsyncEngine) -> None:
    index = SqlHashIndex(Database(engine))
    frames = ["0f0f0f0f0f0f0f0f", "ffff0000ffff0000", "123456789abcdef0"]
    await index.add("video", SUBMISSION, "video", frames)
    await index.add("video", SUBMISSION, "video", frames)  # a retried inspection
    found = await index.near(["0f0f0f0f0f0f0f0e", "fedcba9876543210", "ffff0000ffff0001"], 2,
                             ASKING)  # fmt: skip
    assert sorted((m.query, m.distance, m.kind) for m in found) == [(0, 1, "video"),
                                                                    (2, 1, "video")]  # fmt: skip


def test_the_probes_of_a_band() -> None:
    assert list(probes(0, 0)) == [0]
    assert len(set(probes(0xABCD, 1))) == 17
    assert len(set(probes(0xABCD, 2))) == 1 + 16 + 120
