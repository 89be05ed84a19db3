"""Uploads' hash states, on the real SeaweedFS and each database: the SHA-256 state kept
in the row between PATCHes (its unprocessed block holds up to 63 of the file's bytes) is
sealed with the submission's data key (none of those bytes in the row) and bound to its
upload, and the completed file's sha256 is still right; a completed or withdrawn upload
keeps none. A state moved to another upload, a head taken for one, or one whose
submission's key is destroyed ends the upload with a 410; a plain state an older
version kept still resumes, and is sealed at the next save."""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select, update

from intake.adapters.db.schema import uploads
from intake.keys.hash_states import open_hash_state
from intake.keys.marked import is_sealed
from intake.uploads.filters import ResumableSha256
from intake.web.keys import REPOSITORIES
from tests import media
from tests.integration.test_tus_heads import FIRST, ends_with_a_410, runs, stored_head
from tests.integration.test_tus_tails import ENDINGS, keyring, send, submitted_whole
from tests.tus_helpers import (
    DraftUpload,
    KiB,
    MiB,
    create_url,
    new_draft,
)

NOTE = b"".join(
    b"Reader's note %04d: the source is J. Whistle, office 7, phone 0612345678.\n" % n
    for n in range(200)
)
"""Text no photo holds by chance, about 15 KiB of it: every 8-byte run of it is unique
to it, and none is in a sealed state unless the sealing failed."""


def noted_photo() -> bytes:
    """A 1 MiB JPEG with :data:`NOTE` in a comment segment after its first segment."""
    jpeg = media.large_jpeg(MiB)
    first_end = 4 + struct.unpack(">H", jpeg[4:6])[0]
    comment = b"\xff\xfe" + struct.pack(">H", len(NOTE) + 2) + NOTE
    return jpeg[:first_end] + comment + jpeg[first_end:]


def in_note(data: bytes) -> int:
    """An offset inside :data:`NOTE`, past the sniffed head (4 KiB), where SHA-256's
    unprocessed block holds 63 of its bytes."""
    at = data.index(NOTE) + 8 * KiB
    return at + (63 - at % 64)


def state_of(data: bytes) -> bytes:
    hasher = ResumableSha256()
    hasher.feed(data)
    return hasher.state


async def stored_state(app: Any, upload: str) -> bytes:
    """The upload's ``hash_state`` column, as the database keeps it."""
    query = select(uploads.c.hash_state).where(uploads.c.id == upload)
    async with app[REPOSITORIES].engine.connect() as conn:
        return bytes((await conn.execute(query)).scalar_one())


async def set_state(app: Any, upload: str, value: bytes) -> None:
    async with app[REPOSITORIES].engine.begin() as conn:
        await conn.execute(update(uploads).where(uploads.c.id == upload).values(hash_state=value))


async def a_noted_upload(make_client: Callable[..., Any], database_url: str) -> DraftUpload:
    client = await make_client(database_url=database_url)
    draft = await new_draft(client)
    data = noted_photo()
    token = draft["submitter_token"]
    url = await create_url(client, token, len(data), filename="note.jpg", filetype="image/jpeg")
    return DraftUpload(client, draft, data, url)


async def state_is_sealed(up: DraftUpload, sent: int) -> None:
    """The upload's hash state holds no run of the first ``sent`` bytes (none of the 63
    in its unprocessed block) and opens to the state of those bytes."""
    kept = await stored_state(up.app, up.upload)
    pending = up.data[sent - sent % 64 : sent]
    assert [run for run in runs(pending, 8) if run in kept] == []
    assert [run for run in runs(up.data[:sent]) if run in kept] == []
    assert is_sealed(kept)
    data_key = await keyring(up.app).for_reading(up.draft["id"])
    assert open_hash_state(data_key, up.upload, kept) == state_of(up.data[:sent])


async def test_a_hash_state_holds_none_of_the_bytes_sent_and_the_sha256_is_right(
    make_client: Callable[..., Any], database_url: str
) -> None:
    up = await a_noted_upload(make_client, database_url)
    sent = in_note(up.data)
    assert up.data[sent - 63 : sent] in NOTE
    await up.send(0, sent)
    await state_is_sealed(up, sent)
    later = sent + 100 * KiB + 41
    await up.send(sent, later)
    await state_is_sealed(up, later)
    await send(up.client, up.url, up.token, up.data, 300 * KiB + 5, start=later)
    assert await stored_state(up.app, up.upload) == b""
    await submitted_whole(up.client, up.draft, up.data)


async def test_a_plain_hash_state_an_older_version_kept_still_resumes_and_is_sealed_next(
    make_client: Callable[..., Any], database_url: str
) -> None:
    up = await a_noted_upload(make_client, database_url)
    sent = in_note(up.data)
    await up.send(0, sent)
    await set_state(up.app, up.upload, state_of(up.data[:sent]))  # as older versions kept it
    later = sent + 64 * KiB + 7
    await up.send(sent, later)
    await state_is_sealed(up, later)
    await send(up.client, up.url, up.token, up.data, 400 * KiB, start=later)
    await submitted_whole(up.client, up.draft, up.data)


@pytest.mark.parametrize("ending", ["terminated", "expired", "withdrawn"])
async def test_an_upload_ended_before_completing_keeps_no_hash_state_nor_head(
    make_client: Callable[..., Any], database_url: str, ending: str
) -> None:
    up = await a_noted_upload(make_client, database_url)
    await up.send(0, FIRST)  # too few bytes to know the type: the head is kept
    assert await stored_head(up.app, up.upload) != b""
    assert await stored_state(up.app, up.upload) != b""
    await ENDINGS[ending](up.client, up.draft, up.url, up.data)
    assert await stored_state(up.app, up.upload) == b""
    assert await stored_head(up.app, up.upload) == b""


async def test_a_hash_state_copied_onto_another_upload_is_refused_and_ends_that_upload(
    make_client: Callable[..., Any], database_url: str
) -> None:
    up = await a_noted_upload(make_client, database_url)
    sent = in_note(up.data)
    await up.send(0, sent)
    token = up.token
    url = await create_url(up.client, token, len(up.data), filename="b.jpg", filetype="image/jpeg")
    other = DraftUpload(up.client, up.draft, up.data, url)
    await other.send(0, sent)
    # The same submission and the same bytes: only the state's binding refuses it.
    await set_state(up.app, other.upload, await stored_state(up.app, up.upload))
    await ends_with_a_410(other, sent)
    # The upload whose state it is goes on.
    await send(up.client, up.url, token, up.data, 300 * KiB, start=sent)


async def test_a_head_taken_for_a_hash_state_ends_the_upload_with_a_410(
    make_client: Callable[..., Any], database_url: str
) -> None:
    up = await a_noted_upload(make_client, database_url)
    await up.send(0, FIRST)  # too few bytes to know the type: a sealed head is kept
    sealed_head = await stored_head(up.app, up.upload)
    assert is_sealed(sealed_head)
    await set_state(up.app, up.upload, sealed_head)
    await ends_with_a_410(up, FIRST)


async def test_a_hash_state_whose_key_is_destroyed_ends_the_upload_with_a_410(
    make_client: Callable[..., Any], database_url: str
) -> None:
    up = await a_noted_upload(make_client, database_url)
    sent = in_note(up.data)
    await up.send(0, sent)
    # As an erasure leaves it between destroying the key and ending the uploads.
    await keyring(up.app).destroy(up.draft["id"])
    await ends_with_a_410(up, sent)
