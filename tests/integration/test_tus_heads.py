"""Uploads' heads, on the real SeaweedFS and each database: the first bytes of an upload,
kept in the database while too few of them came to know its type, are sealed with the
submission's data key (no run of them in the row) and bound to their upload; the upload
then lands byte-identical. A head moved to another upload, or whose submission's key is
destroyed, ends the upload with a 410 (never a 5xx); a plain head an older version kept
still resumes, and is sealed at the next save."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select, update

from intake.adapters.db.schema import uploads
from intake.keys.heads import open_head
from intake.web.keys import REPOSITORIES
from tests import media
from tests.integration.test_tus_tails import keyring, send, stored_original, submitted_whole
from tests.tus_helpers import (
    DraftUpload,
    KiB,
    MiB,
    create_url,
    head,
    new_draft,
    patch,
    patch_ok,
    problem,
    submit,
    tail_rows,
    upload_id,
)

FIRST = 1000
"""A first PATCH shorter than the sniff window (4 KiB): the upload keeps a head."""


async def stored_head(app: Any, upload: str) -> bytes:
    """The upload's ``head`` column, as the database keeps it."""
    async with app[REPOSITORIES].engine.connect() as conn:
        value = (await conn.execute(select(uploads.c.head).where(uploads.c.id == upload))).scalar()
    return bytes(value)


async def set_head(app: Any, upload: str, value: bytes) -> None:
    async with app[REPOSITORIES].engine.begin() as conn:
        await conn.execute(update(uploads).where(uploads.c.id == upload).values(head=value))


def runs(data: bytes, size: int = 16) -> list[bytes]:
    """Every ``size``-byte run of ``data``."""
    return [data[i : i + size] for i in range(len(data) - size + 1)]


async def started(client: Any, draft: dict[str, Any], data: bytes) -> str:
    """An upload of ``data`` whose first PATCH sent only its first bytes; its URL."""
    token = draft["submitter_token"]
    url = await create_url(client, token, len(data), filename="noise.jpg", filetype="image/jpeg")
    await patch_ok(client, url, token, 0, data[:FIRST])
    return url


async def a_started_upload(make_client: Callable[..., Any], database_url: str) -> DraftUpload:
    """A draft with a 1 MiB photo's upload whose first PATCH sent only its first bytes."""
    client = await make_client(database_url=database_url)
    draft = await new_draft(client)
    data = media.large_jpeg(MiB)
    return DraftUpload(client, draft, data, await started(client, draft, data))


async def ends_with_a_410(up: DraftUpload, offset: int) -> None:
    """A PATCH at ``offset`` is refused with a 410, the upload is gone, and keeps no tail."""
    response = await patch(up.client, up.url, up.token, offset, up.data[offset : offset + KiB])
    await problem(response, 410, "gone")
    assert (await head(up.client, up.url, up.token)).status == 410
    assert await tail_rows(up.app, up.upload) == []


async def head_is_sealed(up: DraftUpload, sent: int) -> None:
    """The upload's head holds no run of the first ``sent`` bytes and opens to them."""
    kept = await stored_head(up.app, up.upload)
    assert [run for run in runs(up.data[:sent]) if run in kept] == []
    data_key = await keyring(up.app).for_reading(up.draft["id"])
    assert open_head(data_key, up.upload, kept) == up.data[:sent]


async def test_a_head_is_sealed_bound_to_its_upload_and_the_upload_lands_byte_identical(
    make_client: Callable[..., Any], database_url: str
) -> None:
    up = await a_started_upload(make_client, database_url)
    for sent in (FIRST, 3 * KiB):  # kept after each PATCH while the type is still unknown
        if sent > FIRST:
            await patch_ok(up.client, up.url, up.token, FIRST, up.data[FIRST:sent])
        await head_is_sealed(up, sent)
    await send(up.client, up.url, up.token, up.data, 200 * KiB + 3, start=3 * KiB)
    assert await stored_head(up.app, up.upload) == b""
    await submitted_whole(up.client, up.draft, up.data)


async def test_a_head_copied_onto_another_upload_is_refused_and_ends_that_upload(
    make_client: Callable[..., Any], database_url: str
) -> None:
    up = await a_started_upload(make_client, database_url)
    client, app, draft, token, data, url = up.client, up.app, up.draft, up.token, up.data, up.url
    other = media.jpeg_with_exif()
    other_url = await started(client, draft, other)
    # The same submission, so the same data key: only the head's binding refuses it.
    await set_head(app, upload_id(other_url), await stored_head(app, upload_id(url)))
    await ends_with_a_410(DraftUpload(client, draft, other, other_url), FIRST)
    # The upload whose head it is goes on.
    await send(client, url, token, data, 300 * KiB, start=FIRST)
    submitted = await submit(client, draft)
    assert submitted.status == 202, await submitted.text()
    (stored,) = (await submitted.json())["files"]
    assert await stored_original(client, stored["id"]) == data


async def test_a_head_whose_key_is_destroyed_ends_the_upload_with_a_410(
    make_client: Callable[..., Any], database_url: str
) -> None:
    up = await a_started_upload(make_client, database_url)
    # As an erasure leaves it between destroying the key and ending the uploads.
    await keyring(up.app).destroy(up.draft["id"])
    await ends_with_a_410(up, FIRST)


async def test_a_plain_head_an_older_version_kept_still_resumes_and_is_sealed_next(
    make_client: Callable[..., Any], database_url: str
) -> None:
    up = await a_started_upload(make_client, database_url)
    await set_head(up.app, up.upload, up.data[:FIRST])  # as versions before sealed heads kept it
    await patch_ok(up.client, up.url, up.token, FIRST, up.data[FIRST : 2 * FIRST])
    await head_is_sealed(up, 2 * FIRST)
    await send(up.client, up.url, up.token, up.data, 300 * KiB, start=2 * FIRST)
    await submitted_whole(up.client, up.draft, up.data)
