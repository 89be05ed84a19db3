"""The banded hash index on SQLite and PostgreSQL: every stored hash within the distance
is found (as a scan would find it), none further, none of the asking submission."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from intake.adapters.db.engine import create_engine
from intake.adapters.db.erasure import erase
from intake.adapters.db.media_hashes import SqlHashIndex, probes
from intake.adapters.db.migrate import migrate
from intake.adapters.db.schema import files, media_hashes, submissions
from intake.adapters.db.submissions import file_row, submission_row
from intake.adapters.db.transactions import Database
from intake.submissions.records import FileState
from tests.moderation_helpers import EPOCH, a_file, waiting_submission

SUBMISSION = "00000000-0000-0000-0000-0000000000aa"
ASKING = "00000000-0000-0000-0000-0000000000bb"


async def inspected_files(engine: AsyncEngine, count: int) -> tuple[str, list[str]]:
    """A submission with ``count`` inspected files: its id and theirs."""
    submission = waiting_submission()
    made = [dataclasses.replace(a_file(submission), state=FileState.INSPECTED)
            for _ in range(count)]  # fmt: skip
    async with engine.begin() as conn:
        await conn.execute(insert(submissions), [submission_row(submission)])
        await conn.execute(insert(files), [file_row(f) for f in made])
    return submission.id, [f.id for f in made]


def _flip(value: int, bits: int, rng: random.Random) -> int:
    for bit in rng.sample(range(64), bits):
        value ^= 1 << bit
    return value


async def test_every_hash_within_the_distance_is_found_and_no_other(engine: AsyncEngine) -> None:
    rng = random.Random(21)
    index = SqlHashIndex(Database(engine))
    submission, ids = await inspected_files(engine, 217)
    asking, [mine] = await inspected_files(engine, 1)
    target = rng.getrandbits(64) | 1 << 63  # the top bit set: stored as a negative BIGINT
    values = [_flip(target, bits, rng) for bits in range(0, 16)]
    values += [rng.getrandbits(64) for _ in range(200)]
    stored = dict(zip(ids, values, strict=False))
    for file_id, value in stored.items():
        await index.add(file_id, submission, "photo", [f"{value:016x}"])
    await index.add(mine, asking, "photo", [f"{target:016x}"])
    for max_bits in (0, 3, 6, 10):
        found = await index.near([f"{target:016x}"], max_bits, asking)
        expected = {f for f, v in stored.items() if (v ^ target).bit_count() <= max_bits}
        assert {m.file_id for m in found} == expected
        assert [m.distance for m in found] == sorted(m.distance for m in found)
        assert all(m.submission_id == submission and m.query == 0 for m in found)


async def test_adding_again_replaces_and_each_query_is_told_apart(engine: AsyncEngine) -> None:
    index = SqlHashIndex(Database(engine))
    submission, [video] = await inspected_files(engine, 1)
    frames = ["0f0f0f0f0f0f0f0f", "ffff0000ffff0000", "123456789abcdef0"]
    await index.add(video, submission, "video", frames)
    await index.add(video, submission, "video", frames)  # a retried inspection
    found = await index.near(["0f0f0f0f0f0f0f0e", "fedcba9876543210", "ffff0000ffff0001"], 2,
                             ASKING)  # fmt: skip
    assert sorted((m.query, m.distance, m.kind) for m in found) == [(0, 1, "video"),
                                                                    (2, 1, "video")]  # fmt: skip


async def test_a_withdrawal_leaves_no_hash_whichever_comes_first(engine: AsyncEngine) -> None:
    index = SqlHashIndex(Database(engine))
    submission, [first, second] = await inspected_files(engine, 2)
    await index.add(first, submission, "photo", ["00000000ffffffff"])
    async with engine.begin() as conn:
        assert await erase(conn, submission, EPOCH)
    await index.add(second, submission, "photo", ["ffffffff00000000"])  # inspected too late
    async with engine.connect() as conn:
        assert (await conn.execute(select(media_hashes))).all() == []
    assert await index.near(["00000000ffffffff", "ffffffff00000000"], 6, ASKING) == []


def test_the_probes_of_a_band() -> None:
    assert list(probes(0, 0)) == [0]
    assert len(set(probes(0xABCD, 1))) == 17
    assert len(set(probes(0xABCD, 2))) == 1 + 16 + 120


async def test_the_migration_indexes_the_photos_already_inspected(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    await migrate(engine, "0010")
    submission = waiting_submission()
    photo = dataclasses.replace(a_file(submission), state=FileState.INSPECTED,
                                phash="fedcba9876543210")  # fmt: skip
    pending = a_file(submission)
    async with engine.begin() as conn:
        await conn.execute(insert(submissions), [submission_row(submission)])
        await conn.execute(insert(files), [file_row(photo), file_row(pending)])
    await migrate(engine)
    try:
        found = await SqlHashIndex(Database(engine)).near(["fedcba9876543211"], 6, ASKING)
    finally:
        await engine.dispose()
    assert [(m.file_id, m.submission_id, m.kind, m.distance) for m in found] == [
        (photo.id, submission.id, "photo", 1)
    ]
