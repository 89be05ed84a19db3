"""A draft's allowance under concurrency: parallel tus creations take turns on the
draft, so its file count and byte caps hold; partial uploads are counted and sniffed."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.media import html_page, jpeg_with_exif
from tests.tus_helpers import (
    CHUNK_TYPE,
    TUS,
    MiB,
    bearer,
    create,
    new_draft,
    patch,
    patch_ok,
    problem,
    submit,
)

PARTIAL = {"Upload-Concat": "partial"}
GiB = 1024 * MiB


async def test_parallel_creations_declaring_2_gib_each_stay_within_the_byte_cap(
    make_client: Any, database_url: str
) -> None:
    client = await make_client(database_url=database_url)
    token = (await new_draft(client))["submitter_token"]
    answers = await asyncio.gather(
        *(create(client, token, 2 * GiB, filename=f"clip{i}.mp4", filetype="video/mp4")
          for i in range(20))
    )  # fmt: skip
    statuses = sorted(a.status for a in answers)
    assert statuses == [201, 201] + [413] * 18, statuses


async def test_parallel_small_uploads_stay_within_the_file_count(
    make_client: Any, database_url: str
) -> None:
    client = await make_client(limits_max_files="10", database_url=database_url)
    draft = await new_draft(client)
    token = draft["submitter_token"]
    photo = jpeg_with_exif()

    async def upload(i: int) -> int:
        answer = await create(client, token, len(photo), filename=f"p{i}.jpg")
        if answer.status == 201:
            await patch_ok(client, answer.headers["Location"], token, 0, photo)
        return int(answer.status)

    statuses = sorted(await asyncio.gather(*(upload(i) for i in range(25))))
    assert statuses == [201] * 10 + [413] * 15, statuses
    assert (await submit(client, draft)).status == 202
    view = await client.get(f"/api/v1/submissions/{draft['id']}", headers=bearer(token))
    assert len((await view.json())["files"]) == 10


async def test_partials_are_counted_however_many_are_created_at_once(make_client: Any) -> None:
    client = await make_client(limits_max_files="1")
    token = (await new_draft(client))["submitter_token"]
    answers = await asyncio.gather(
        *(create(client, token, 100, metadata={}, headers=PARTIAL) for _ in range(12))
    )
    statuses = sorted(a.status for a in answers)
    assert statuses == [201] * 8 + [413] * 4, statuses


async def test_a_partial_upload_of_a_web_page_is_refused(client: Any) -> None:
    token = (await new_draft(client))["submitter_token"]
    page = html_page()
    created = await create(client, token, len(page), metadata={}, headers=PARTIAL)
    assert created.status == 201
    answer = await patch(client, created.headers["Location"], token, 0, page)
    body = await problem(answer, 415, "unsupported-media-type")
    assert body["sniffed_type"] == "text/html"


async def test_a_partial_sent_with_its_creation_is_sniffed_too(client: Any) -> None:
    token = (await new_draft(client))["submitter_token"]
    page = html_page()
    answer = await create(client, token, len(page), metadata={}, headers=PARTIAL, data=page)
    await problem(answer, 415, "unsupported-media-type")


async def test_lengths_declared_at_once_stay_within_the_byte_cap(
    make_client: Any, database_url: str
) -> None:
    client = await make_client(limits_max_total_bytes="1000", database_url=database_url)
    token = (await new_draft(client))["submitter_token"]
    urls = []
    for i in range(4):
        created = await create(client, token, None, filename=f"p{i}.jpg")
        assert created.status == 201
        urls.append(created.headers["Location"])

    async def declare(url: str) -> int:
        headers = {**TUS, **bearer(token), "Upload-Offset": "0", "Upload-Length": "600",
                   "Content-Type": CHUNK_TYPE}  # fmt: skip
        return int((await client.patch(url, headers=headers, data=b"")).status)

    statuses = sorted(await asyncio.gather(*(declare(url) for url in urls)))
    assert statuses == [204, 413, 413, 413], statuses
