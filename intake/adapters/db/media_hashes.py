""":class:`intake.inspection.ports.HashIndex` on SQLAlchemy Core: a multi-index hash lookup.

Each 64-bit hash is kept with its four 16-bit bands, each indexed. Two hashes at most
``d`` bits apart have, by the pigeonhole principle, a band at most ``d // 4`` bits apart;
so the candidates are the rows one of whose bands equals a probe (the band itself and
every value within ``d // 4`` bits of it), a few index range lookups (read from the
index alone: it holds the hash) instead of a scan, and the Hamming distance is checked
on them alone; only the rows near enough are read from the table. With 1,000,000 random
hashes and ``d`` = 6 that is about 1,000 candidates read from 68 index probes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import combinations

from sqlalchemy import and_, delete, insert, select

from intake.adapters.db.engine import BITS_APART
from intake.adapters.db.schema import files, media_hashes
from intake.adapters.db.transactions import Database
from intake.inspection.ports import HashMatch
from intake.submissions.records import FileState

BANDS = 4
BAND_BITS = 16
MAX_PROBE_RADIUS = 2
"""Beyond 11 bits apart the probes (2,517 per band) cost more than they save."""


def bands(value: int) -> list[int]:
    """The four 16-bit bands of a 64-bit hash, most significant first."""
    return [(value >> (BAND_BITS * (BANDS - 1 - i))) & 0xFFFF for i in range(BANDS)]


def signed(value: int) -> int:
    """A 64-bit hash as the signed integer a BIGINT column holds."""
    return value - (1 << 64) if value >= 1 << 63 else value


def unsigned(value: int) -> int:
    return value + (1 << 64) if value < 0 else value


def probes(band: int, radius: int) -> Iterator[int]:
    """``band`` and every 16-bit value within ``radius`` bits of it."""
    for flips in range(radius + 1):
        for bits in combinations(range(BAND_BITS), flips):
            value = band
            for bit in bits:
                value ^= 1 << bit
            yield value


def row(file_id: str, submission_id: str, kind: str, value: int) -> dict[str, object]:
    b = bands(value)
    return {"file_id": file_id, "submission_id": submission_id, "kind": kind,
            "hash": signed(value), **{f"band{i}": b[i] for i in range(BANDS)}}  # fmt: skip


class SqlHashIndex:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def add(self, file_id: str, submission_id: str, kind: str, hashes: Sequence[str]) -> None:
        t = media_hashes.c
        rows = [row(file_id, submission_id, kind, int(h, 16)) for h in dict.fromkeys(hashes)]
        # The file's row is locked first: an erasure (withdrawal) either comes after and
        # deletes these hashes too, or came before and nothing of the file is kept.
        inspected = (
            select(files.c.id)
            .where(files.c.id == file_id, files.c.state == FileState.INSPECTED.value)
            .with_for_update()
        )
        async with self._db.transaction() as conn:
            live = (await conn.execute(inspected)).first() is not None
            mine = and_(t.file_id == file_id, t.kind == kind)
            await conn.execute(delete(media_hashes).where(mine))
            if rows and live:
                await conn.execute(insert(media_hashes), rows)

    async def near(
        self, hashes: Sequence[str], max_bits: int, exclude_submission: str
    ) -> list[HashMatch]:
        radius = min(max_bits // BANDS, MAX_PROBE_RADIUS)
        found: list[HashMatch] = []
        # reads, each consistent on its own: in autocommit on PostgreSQL (no BEGIN, COMMIT)
        async with self._db.statement(write=False) as conn:
            for index, text in enumerate(hashes):
                target = int(text, 16)
                near: dict[int, int] = {}
                candidates = _candidates(target, radius, max_bits, conn.dialect.name)
                for r in await conn.exec_driver_sql(candidates):
                    if (distance := (unsigned(r.hash) ^ target).bit_count()) <= max_bits:
                        near[r.id] = distance
                if not near:
                    continue
                t = media_hashes.c
                whose = select(t.id, t.file_id, t.submission_id, t.kind).where(
                    t.id.in_(list(near)), t.submission_id != exclude_submission
                )
                found += [HashMatch(r.file_id, r.submission_id, r.kind, near[r.id], index)
                          for r in await conn.execute(whose)]  # fmt: skip
        found.sort(key=lambda m: (m.distance, m.query))
        return found


def _candidates(target: int, radius: int, max_bits: int, dialect: str) -> str:
    """Row ids and hashes of the rows one of whose bands is a probe of ``target``'s: one
    index range per band, each read from the index alone. The database counts the bits
    apart itself (PostgreSQL's ``bit_count``, SQLite's :data:`.engine.BITS_APART`), so
    only the near rows come back (1,000 candidates made into rows cost more than the
    lookup). Written out as text (the probes are integers we
    computed) and run as it is: compiling 68 bound parameters, or even parsing the text
    for them, each time cost more than the lookup."""
    parts = [
        f"SELECT id, hash FROM media_hashes WHERE band{i} IN "  # noqa: S608 (integers only)
        f"({','.join(str(int(p)) for p in probes(band, radius))})"
        for i, band in enumerate(bands(target))
    ]
    union = " UNION ALL ".join(parts)
    if dialect == "postgresql":
        apart = f"bit_count((c.hash # ({signed(target)})::bigint)::bit(64))"
    else:
        apart = f"{BITS_APART}(c.hash, {signed(target)})"
    return f"SELECT id, hash FROM ({union}) AS c WHERE {apart} <= {int(max_bits)}"  # noqa: S608
