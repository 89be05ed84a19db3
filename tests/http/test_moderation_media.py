"""Media through intake: a moderator opens a file's original, public copy or thumbnail
with HTTP Range (206, Content-Range, 416), never cached, each opening in the audit log;
by token or desk session; escalated files only for seniors."""

from __future__ import annotations

import dataclasses
import hashlib
import os
from typing import Any

import pytest

from intake.moderation.media import CHUNK
from intake.moderation.records import Role
from intake.submissions.records import FileState, StoredFile, Submission, SubmissionState
from intake.web.keys import OBJECT_STORE, REPOSITORY
from tests.desk_helpers import desk_account, signed_in
from tests.moderation_helpers import MODERATION, a_file, auth, moderator_token, waiting_submission

NO_SUCH_ID = "0190a000-0000-7000-8000-000000000000"
SIZE = 3 * CHUNK + 200
LAST = SIZE - 1


async def _stored(
    app: Any,
    body: bytes,
    state: SubmissionState = SubmissionState.PENDING_REVIEW,
) -> tuple[Submission, StoredFile]:
    """A submission with one inspected photo whose original is ``body`` (its public copy
    and thumbnail: short stand-ins)."""
    submission = waiting_submission(state=state)
    photo = a_file(submission, state=FileState.INSPECTED, size=len(body))
    photo = dataclasses.replace(
        photo,
        public_key=f"{submission.prefix}{photo.id}/public.jpg",
        thumbnail_key=f"{submission.prefix}{photo.id}/thumb.jpg",
    )
    store = app[OBJECT_STORE]
    await store.put(photo.object_key, body, content_type="image/jpeg", metadata={})
    await store.put(photo.public_key, b"public bytes", content_type="image/jpeg", metadata={})
    await store.put(photo.thumbnail_key, b"thumb", content_type="image/jpeg", metadata={})
    await app[REPOSITORY].add_submission(submission, [photo], [])
    return submission, photo


def _url(submission: Submission, photo: StoredFile, variant: str = "original") -> str:
    return f"{MODERATION}/submissions/{submission.id}/files/{photo.id}/{variant}"


async def _openings(app: Any, submission: Submission) -> list[dict[str, Any]]:
    trail = await app[REPOSITORY].audit_trail(submission.id)
    return [{"actor": a.actor, **a.detail} for a in trail if a.action == "file_opened"]


@pytest.mark.parametrize(
    ("asked", "status", "content_range", "part"),
    [
        (None, 200, None, slice(None)),
        ("bytes=10-19", 206, f"bytes 10-19/{SIZE}", slice(10, 20)),
        (f"bytes={SIZE - 10}-", 206, f"bytes {SIZE - 10}-{LAST}/{SIZE}", slice(SIZE - 10, None)),
        ("bytes=-5", 206, f"bytes {SIZE - 5}-{LAST}/{SIZE}", slice(-5, None)),
        ("bytes=0-99999999", 206, f"bytes 0-{LAST}/{SIZE}", slice(None)),
        (
            f"bytes={CHUNK - 6}-{CHUNK + 4}",
            206,
            f"bytes {CHUNK - 6}-{CHUNK + 4}/{SIZE}",
            slice(CHUNK - 6, CHUNK + 5),
        ),
        ("bytes=0-1,5-9", 200, None, slice(None)),
        ("lines=0-1", 200, None, slice(None)),
    ],
)
async def test_ranges_are_answered_from_the_store(
    client: Any, asked: str | None, status: int, content_range: str | None, part: slice
) -> None:
    app = client.server.app
    body = os.urandom(SIZE)
    submission, photo = await _stored(app, body)
    token = await moderator_token(app, "amina")
    headers = {**auth(token), **({"Range": asked} if asked else {})}
    answer = await client.get(_url(submission, photo), headers=headers)
    assert answer.status == status
    assert answer.headers.get("Content-Range") == content_range
    got = await answer.read()
    assert hashlib.sha256(got).digest() == hashlib.sha256(body[part]).digest()
    assert answer.headers["Accept-Ranges"] == "bytes"
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["Content-Type"] == "image/jpeg"
    assert "sandbox" in answer.headers["Content-Security-Policy"]
    [opened] = await _openings(app, submission)
    assert opened["actor"] == "amina" and opened["file_id"] == photo.id
    assert opened["variant"] == "original"


async def test_a_range_past_the_end_is_416_and_not_audited(client: Any) -> None:
    app = client.server.app
    submission, photo = await _stored(app, b"x" * 100)
    token = await moderator_token(app, "amina")
    for asked in ("bytes=100-", "bytes=500-600", "bytes=-0"):
        answer = await client.get(_url(submission, photo), headers={**auth(token), "Range": asked})
        assert answer.status == 416, asked
        assert answer.headers["Content-Range"] == "bytes */100"
        problem = await answer.json()
        assert problem["type"] == "/problems/range-not-satisfiable" and problem["size"] == 100
    assert await _openings(app, submission) == []


async def test_every_variant_and_what_is_not_there(client: Any) -> None:
    app = client.server.app
    submission, photo = await _stored(app, b"original bytes")
    token = await moderator_token(app, "amina")
    public = await client.get(_url(submission, photo, "public"), headers=auth(token))
    assert public.status == 200 and await public.read() == b"public bytes"
    thumb = await client.get(_url(submission, photo, "thumbnail"), headers=auth(token))
    assert thumb.status == 200 and await thumb.read() == b"thumb"
    for url in (
        _url(submission, photo, "poster"),
        f"{MODERATION}/submissions/{submission.id}/files/{NO_SUCH_ID}/original",
        f"{MODERATION}/submissions/{NO_SUCH_ID}/files/{photo.id}/original",
    ):
        missing = await client.get(url, headers=auth(token))
        assert missing.status == 404, url
    variants = [o["variant"] for o in await _openings(app, submission)]
    assert variants == ["public", "thumbnail"]


async def test_who_may_open_a_file(client: Any) -> None:
    app = client.server.app
    submission, photo = await _stored(app, b"secret", SubmissionState.ESCALATED)
    plain = await moderator_token(app, "plain")
    senior = await moderator_token(app, "senior", Role.SENIOR)
    assert (await client.get(_url(submission, photo))).status == 401
    assert (await client.get(_url(submission, photo), headers=auth("imod_nope"))).status == 401
    refused = await client.get(_url(submission, photo), headers=auth(plain))
    assert refused.status == 403 and b"secret" not in await refused.read()
    allowed = await client.get(_url(submission, photo), headers=auth(senior))
    assert allowed.status == 200 and await allowed.read() == b"secret"
    assert [o["actor"] for o in await _openings(app, submission)] == ["senior"]


async def test_the_desk_session_opens_files_without_a_token(client: Any) -> None:
    app = client.server.app
    submission, photo = await _stored(app, b"through the desk")
    await desk_account(app, "amina")
    await signed_in(client, "amina")
    answer = await client.get(_url(submission, photo), headers={"Range": "bytes=0-6"})
    assert answer.status == 206 and await answer.read() == b"through"
    [opened] = await _openings(app, submission)
    assert opened["actor"] == "amina" and opened["bytes"] == "0-6"
