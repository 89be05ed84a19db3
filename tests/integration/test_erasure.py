"""Nothing is left: after a withdrawal, the bytes of the database's own files (SQLite: the
database, its WAL and shared memory; PostgreSQL: every page of the tables, their TOAST
tables and indexes, read with pageinspect) hold none of what the reader sent, what
inspection found, the files' hashes or the moderator's note, nor a 64-byte run of the
original; neither does any file under the data directory, the embedded SeaweedFS's
volumes included (its objects were sealed, and their key is destroyed); the audit log
still says who did what, when."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from intake.adapters.db.audit import audit_row
from intake.adapters.db.engine import create_engine
from intake.adapters.db.migrate import migrate
from intake.adapters.db.schema import audit_log, files, submissions
from intake.adapters.db.submissions import SqlSubmissionRepository, file_row, submission_row
from intake.adapters.db.transactions import Database
from intake.adapters.embedded.seaweedfs import run_seaweedfs
from intake.adapters.s3 import S3Connection, S3ObjectStore
from intake.keys.keyring import KeyDestroyed
from intake.submissions.records import AuditEntry, SubmissionState
from intake.web.keys import OBJECT_STORE, REPOSITORIES, WORKER
from tests import media, reader_flow
from tests.conftest import ROOT
from tests.moderation_helpers import (
    EPOCH,
    a_file,
    auth,
    moderator_token,
    queue,
    waiting_submission,
)

MODERATION = "/api/v1/moderation"
ERASED_TABLES = ("submissions", "files", "uploads", "upload_tails", "audit_log")


def _runs_of(original: bytes, size: int = 64) -> set[bytes]:
    """Every ``size``-byte run of ``original`` varied enough to be its own (not a run of
    zeros or a repeated pattern another file could hold as well)."""
    runs = (original[i : i + size] for i in range(len(original) - size + 1))
    return {run for run in runs if len(set(run)) >= 24}


def _traces(data: bytes, secrets: list[bytes], runs: set[bytes]) -> list[object]:
    found: list[object] = [s for s in secrets if s in data]
    found += [data[i : i + 64] for i in range(len(data) - 63) if data[i : i + 64] in runs][:3]
    return found


async def _pages(engine: AsyncEngine, *, tuples_only: bool = False) -> bytes:
    """Every page of the erased tables, their TOAST tables and their indexes; or, with
    ``tuples_only``, the data of every tuple (live or dead) on the heap and TOAST pages."""
    names = ", ".join(f"'{t}'" for t in ERASED_TABLES)
    relations = f"""
        SELECT c.oid::regclass::text, pg_relation_size(c.oid) / 8192, c.relkind IN ('r', 't')
        FROM pg_class c WHERE c.relname IN ({names})
           OR c.oid IN (SELECT reltoastrelid FROM pg_class WHERE relname IN ({names}))
           OR c.oid IN (SELECT indexrelid FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
                        WHERE t.relname IN ({names}))"""
    page = text("SELECT get_raw_page(:name, :block)")
    items = text("SELECT string_agg(t_data, ''::bytea) FROM heap_page_items("
                 "get_raw_page(:name, :block)) WHERE t_data IS NOT NULL")  # fmt: skip
    found = []
    async with engine.connect() as conn:
        await conn.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
        for name, blocks, heap in (await conn.execute(text(relations))).all():
            if tuples_only and not heap:
                continue
            for block in range(blocks):
                query = items if tuples_only else page
                data = (await conn.execute(query, {"name": name, "block": block})).scalar()
                found.append(data or b"")
        await conn.commit()
    return b"".join(found)


async def _send_inspect_decide(client: Any, fields: dict[str, str], note: str) -> list[dict]:
    """One submission through the API and one as a draft with a tus upload, inspected,
    each claimed and rejected by a moderator with ``note``."""
    token = await moderator_token(client.server.app, "amina")
    base = str(client.make_url("/"))
    found: list[str] = []
    async with aiohttp.ClientSession(base) as http:
        form = reader_flow._form(fields, "IMG_erase_me.jpg")
        async with http.post("/api/v1/submissions", data=form) as response:
            sent = await response.json()
        drafted = await reader_flow._tus_submission(http, fields, "IMG_erase_me.jpg", found)
    await client.server.app[WORKER].run_until_idle()
    for _ in range(2):
        claimed = await (await client.post(f"{MODERATION}/claim", headers=auth(token))).json()
        decision = {"decision": "reject", "reason": "off_topic", "note": note}
        url = f"{MODERATION}/submissions/{claimed['id']}/decision"
        assert (await client.post(url, headers=auth(token), json=decision)).status == 200
    return [sent, drafted]


async def test_a_withdrawal_leaves_nothing_of_the_reader_in_the_database_files(
    make_client: Callable[..., Any], tmp_path: Path, database_url: str
) -> None:
    database = database_url  # SQLite in tmp_path/intake.db, or a fresh PostgreSQL database
    client = await make_client(database_url=database)
    engine: AsyncEngine = client.server.app[REPOSITORIES].engine
    fields = reader_flow.reader_fields("e4a5e001")
    note = "her brother drives the white Corolla, plate 4-12345"
    made = await _send_inspect_decide(client, fields, note)
    async with engine.connect() as conn:
        hashes = (await conn.execute(select(files.c.sha256, files.c.phash))).all()
    assert len(hashes) == 2 and all(sha and phash for sha, phash in hashes)

    secrets = [v.encode() for v in (*fields.values(), note, "IMG_erase_me.jpg", media.MODEL)]
    secrets += [value.encode() for row in hashes for value in row]
    runs = _runs_of(media.jpeg_with_exif())
    if database.startswith("sqlite"):
        before = b"".join(p.read_bytes() for p in tmp_path.glob("intake.db*"))
    else:
        before = await _pages(engine, tuples_only=True)
    assert len(_traces(before, secrets, runs)) > len(secrets) // 2, "the search finds them"

    for submission in made:
        withdrawn = await client.delete(
            f"/api/v1/submissions/{submission['id']}",
            headers=auth(submission["submitter_token"]),
        )
        assert withdrawn.status == 204

    repository = client.server.app[REPOSITORIES].submissions
    if database.startswith("sqlite"):
        for rewrite in (False, True):
            if rewrite:
                await repository.reclaim_erased(rewrite=True)
            written = {p.name: p.read_bytes() for p in tmp_path.glob("intake.db*")}
            assert written["intake.db-wal"] == b"", "the WAL was checkpointed and truncated"
            assert {name: _traces(data, secrets, runs) for name, data in written.items()} == {
                name: [] for name in written
            }
    else:
        # VACUUM after the erasure removed every old row version...
        assert _traces(await _pages(engine, tuples_only=True), secrets, runs) == []
        # ...but bytes of them may lie in free page space until rows take it, or a rewrite:
        await repository.reclaim_erased(rewrite=True)
        assert _traces(await _pages(engine), secrets, runs) == []
    async with engine.connect() as conn:
        trail = (await conn.execute(select(audit_log).order_by(audit_log.c.id))).all()
    decided = [row for row in trail if row.action == "decided"]
    assert [(row.actor, row.to_state, row.note) for row in decided] == [
        ("amina", "rejected", None)
    ] * 2
    assert [row.action for row in trail].count("withdrawn") == 2


def _every_file(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in directory.rglob("*")
            if p.is_file()}  # fmt: skip


async def test_after_a_withdrawal_no_file_under_the_data_directory_holds_a_byte_of_it(
    make_client: Callable[..., Any], tmp_path: Path, database_url: str
) -> None:
    data_dir = tmp_path / "var"
    identity = ROOT / "storage" / "seaweedfs-s3.json"
    async with run_seaweedfs(data_dir / "seaweedfs", identity) as weed:
        store = S3ObjectStore(S3Connection(weed.endpoint, "us-east-1", "intake",
                                           weed.access_key_id, weed.secret_access_key))  # fmt: skip
        await store.ensure_bucket()
        try:
            sqlite = f"sqlite+aiosqlite:///{data_dir / 'intake.db'}"
            database = sqlite if database_url.startswith("sqlite") else database_url
            client = await make_client(object_store=store, database_url=database,
                                       server_data_dir=str(data_dir))  # fmt: skip
            fields = reader_flow.reader_fields("e4a5e002")
            made = await _send_inspect_decide(client, fields, "he drives a white Corolla")
            secrets = [fields["story"].encode(), fields["email"].encode(), fields["name"].encode()]
            runs = _runs_of(media.jpeg_with_exif())
            control = os.urandom(4096)
            await store.put("control/plain", control, content_type="image/jpeg", metadata={})
            volumes = b"".join(_every_file(data_dir / "seaweedfs").values())
            assert control in volumes, "the search reads what the volumes hold"
            assert _traces(volumes, secrets, runs) == [], "stored sealed, even before"
            plain = client.server.app[OBJECT_STORE]
            sent = made[0]["id"]
            original = [k for k in await store.list_keys("submissions/")
                        if f"/{sent}/" in k and k.endswith("original")]  # fmt: skip
            kept = await store.head(original[0])
            backup = await store.get_range(original[0], 0, kept.size - 1)

            for submission in made:
                withdrawn = await client.delete(
                    f"/api/v1/submissions/{submission['id']}",
                    headers=auth(submission["submitter_token"]),
                )
                assert withdrawn.status == 204
            found = {name: _traces(data, secrets, runs)
                     for name, data in _every_file(data_dir).items()}  # fmt: skip
            assert {name: traces for name, traces in found.items() if traces} == {}

            # A copy of the bucket taken before (a backup, a snapshot) is useless now:
            await store.put(original[0], backup, content_type="image/jpeg", metadata=kept.metadata)
            with pytest.raises(KeyDestroyed):
                await plain.get_range(original[0], 0, 100)
        finally:
            store.close()


async def test_the_audit_log_lets_notes_and_details_be_erased_and_nothing_else(
    engine: AsyncEngine,
) -> None:
    repository = SqlSubmissionRepository(Database(engine))
    [submission] = await queue(repository, 1)
    detail = {"reason": "other", "note": "called him"}
    entry = AuditEntry(submission.id, EPOCH, "amina", "decided", SubmissionState.IN_REVIEW,
                       SubmissionState.REJECTED, detail)  # fmt: skip
    async with engine.begin() as conn:
        await conn.execute(insert(audit_log), [audit_row(entry)])
    mine = audit_log.c.action == "decided"
    for refused in (
        update(audit_log).where(mine).values(note="something else"),
        update(audit_log).where(mine).values(detail={"reason": "newsworthy"}),
        update(audit_log).where(mine).values(actor="someone else", note=None),
        update(audit_log).where(mine).values(to_state="approved", detail={}),
        delete(audit_log).where(mine),
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            async with engine.begin() as conn:
                await conn.execute(refused)
    async with engine.begin() as conn:
        await conn.execute(update(audit_log).where(mine).values(note=None))
        await conn.execute(update(audit_log).where(mine).values(detail={}))
    [kept] = [a for a in await repository.audit_trail(submission.id) if a.action == "decided"]
    assert (kept.actor, kept.at, kept.to_state, kept.detail) == (
        "amina",
        EPOCH,
        SubmissionState.REJECTED,
        {},
    )


async def test_the_migration_moves_notes_out_and_erases_what_withdrawals_left(
    tmp_path: Path,
) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    await migrate(engine, "0007")
    kept = waiting_submission(0, state=SubmissionState.REJECTED)
    gone = waiting_submission(1, state=SubmissionState.WITHDRAWN)
    decided = text(
        "INSERT INTO audit_log (submission_id, at, actor, action, from_state, to_state, detail)"
        " VALUES (:id, :at, 'amina', 'decided', 'in_review', 'rejected', :detail)"
    )
    async with engine.begin() as conn:
        for submission in (kept, gone):
            await conn.execute(insert(submissions), [submission_row(submission)])
            stored = a_file(submission, sha256="5" * 64, phash="abcdef0123456789")
            await conn.execute(insert(files), [file_row(stored)])
            detail = '{"reason": "other", "note": "his car"}'
            await conn.execute(decided, {"id": submission.id, "at": EPOCH, "detail": detail})
        await conn.execute(
            text("INSERT INTO rate_counters VALUES ('submissions:127.0.0.77', :at, 3)"),
            {"at": EPOCH},
        )
    await migrate(engine)
    async with engine.connect() as conn:
        notes = dict(
            (await conn.execute(select(audit_log.c.submission_id, audit_log.c.note))).all()
        )
        details = (await conn.execute(select(audit_log.c.detail))).scalars().all()
        hashes = dict((await conn.execute(select(files.c.submission_id, files.c.sha256))).all())
        counters = (await conn.execute(text("SELECT count(*) FROM rate_counters"))).scalar()
    await engine.dispose()
    assert notes == {kept.id: "his car", gone.id: None}
    assert details == [{"reason": "other"}] * 2
    assert hashes == {kept.id: "5" * 64, gone.id: ""}
    assert counters == 0
