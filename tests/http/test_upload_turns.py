"""Chunks take turns, and a reader on a slow connection never holds everyone else up."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from intake.web.keys import UPLOAD_TURNS
from tests.media import mp4_head_then_random
from tests.rawhttp import BOUNDARY, EPILOGUE, field_part, file_part_head
from tests.tus_helpers import CHUNK_TYPE, TUS, KiB, bearer, create_url, head, new_draft, patch


async def _another_upload_completes(client: Any, token: str) -> None:
    """A tus upload of 256 KiB in one PATCH, which needs a turn, is stored."""
    data = mp4_head_then_random(256 * KiB)
    url = await create_url(client, token, len(data), filetype="video/mp4")
    answer = await asyncio.wait_for(patch(client, url, token, 0, data), timeout=20)
    assert answer.status == 204, await answer.text()


async def test_a_stalled_client_does_not_keep_the_only_turn(make_client: Any) -> None:
    client = await make_client(uploads_active_uploads="1")
    draft = await new_draft(client)
    token = draft["submitter_token"]
    slow_data = mp4_head_then_random(512 * KiB)
    slow_url = await create_url(client, token, len(slow_data), filetype="video/mp4")
    go_on = asyncio.Event()

    async def stalling_body() -> AsyncIterator[bytes]:
        yield slow_data[: 64 * KiB]
        await go_on.wait()
        yield slow_data[64 * KiB :]

    slow = asyncio.create_task(
        client.patch(
            slow_url,
            headers={**TUS, **bearer(token), "Content-Type": CHUNK_TYPE, "Upload-Offset": "0"},
            data=stalling_body(),
        )
    )
    turns = client.server.app[UPLOAD_TURNS]
    await asyncio.wait_for(turns.until(lambda: turns.stepped_aside >= 1), timeout=20)
    assert not slow.done()
    await _another_upload_completes(client, token)
    assert not slow.done(), "the stalled upload should still be waiting for its bytes"
    go_on.set()
    answer = await asyncio.wait_for(slow, timeout=20)
    assert answer.status == 204, await answer.text()
    assert answer.headers["Upload-Offset"] == str(len(slow_data))
    status = await head(client, slow_url, token)
    assert status.headers["Upload-Offset"] == str(len(slow_data))


async def test_a_stalled_form_post_does_not_keep_the_only_turn(make_client: Any) -> None:
    client = await make_client(uploads_active_uploads="1")
    video = mp4_head_then_random(512 * KiB)
    form = field_part("consent_terms", "true") + file_part_head("clip.mp4") + video + EPILOGUE
    half = len(form) // 2
    go_on = asyncio.Event()

    async def stalling_form() -> AsyncIterator[bytes]:
        yield form[:half]
        await go_on.wait()
        yield form[half:]

    posting = asyncio.create_task(
        client.post(
            "/api/v1/submissions",
            data=stalling_form(),
            headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
        )
    )
    turns = client.server.app[UPLOAD_TURNS]
    await asyncio.wait_for(turns.until(lambda: turns.stepped_aside >= 1), timeout=20)
    draft = await new_draft(client)
    await _another_upload_completes(client, draft["submitter_token"])
    assert not posting.done(), "the stalled form should still be waiting for its bytes"
    go_on.set()
    posted = await asyncio.wait_for(posting, timeout=20)
    assert posted.status == 201, await posted.text()
    (stored,) = (await posted.json())["files"]
    assert stored["size"] == len(video)
