"""Nothing orphaned, nothing resurrected: the janitor removes objects whose submission
or upload has no row once the grace period is over (on an injected clock), and a
manifest rewrite that races a withdrawal never brings the manifest back."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest

from intake.adapters.embedded.seaweedfs import EmbeddedS3
from intake.adapters.s3 import S3Connection, S3ObjectStore
from intake.core.bucket_layout import manifest_key, original_key, segment_key, submission_prefix
from intake.core.ids import new_id
from intake.core.object_store import ObjectStore
from intake.web.keys import INSPECTION, REPOSITORIES, SETTINGS, WORKER
from intake.wiring.janitor import Janitor
from intake.wiring.services import open_services
from tests import media
from tests.clocks import ShiftedClock
from tests.tus_helpers import bearer, create_url, new_draft, patch_ok, tail_rows, upload_id

DAY = 86_400


@pytest.fixture
async def own_bucket(seaweedfs: EmbeddedS3) -> AsyncIterator[S3ObjectStore]:
    """A bucket of this test's own: the sweep looks at every key in it."""
    store = S3ObjectStore(S3Connection(
        endpoint=seaweedfs.endpoint, region="us-east-1",
        bucket=f"intake-orphans-{secrets.token_hex(4)}",
        access_key_id=seaweedfs.access_key_id, secret_access_key=seaweedfs.secret_access_key,
    ))  # fmt: skip
    await store.ensure_bucket()
    yield store
    store.close()


async def _sent(client: Any) -> dict[str, Any]:
    form = aiohttp.FormData()
    form.add_field("consent_terms", "true")
    form.add_field("story", "The bridge flooded")
    form.add_field("files", media.jpeg_with_exif(), filename="p.jpg", content_type="image/jpeg")
    response = await client.post("/api/v1/submissions", data=form)
    assert response.status == 201
    sent: dict[str, Any] = await response.json()
    return sent


async def _left_by_a_dead_node(store: ObjectStore, clock: ShiftedClock) -> dict[str, Any]:
    """What a node that died between storing and committing leaves: an original and a
    manifest, a multipart upload mid-way, and a segment of an upload never recorded (as
    versions before tails stored them)."""
    orphan = new_id()
    prefix = submission_prefix(orphan, clock())
    keys = [original_key(prefix, new_id()), manifest_key(prefix)]
    for key in keys:
        await store.put(key, b'{"name": "Zarmina"}', content_type="application/json",
                        metadata={"submission-id": orphan})  # fmt: skip
    big = original_key(prefix, new_id())
    multipart = await store.create_multipart(big, content_type="video/mp4", metadata={})
    await store.upload_part(big, multipart, 1, b"x" * 1024)
    stray_upload = new_id()
    segment = segment_key(stray_upload, 0, 1024)
    await store.put(segment, b"y" * 1024, content_type="application/octet-stream", metadata={})
    return {"prefix": prefix, "segment": segment}


async def test_the_janitor_removes_what_no_row_owns_after_the_grace_period(
    make_client: Callable[..., Any], own_bucket: S3ObjectStore
) -> None:
    clock = ShiftedClock()
    client = await make_client(object_store=own_bucket, clock=clock,
                               uploads_expire_seconds=str(30 * DAY))  # fmt: skip
    app = client.server.app
    kept = await _sent(client)
    await app[WORKER].run_until_idle()
    draft = await new_draft(client, story="A long video")
    url = await create_url(client, draft["submitter_token"], 8 * 1024 * 1024)
    chunk = media.mp4_h264()
    await patch_ok(client, url, draft["submitter_token"], 0, chunk)
    left = await _left_by_a_dead_node(own_bucket, clock)
    before = set(await own_bucket.list_keys(""))

    async def sweep() -> None:
        async with open_services(app[SETTINGS], own_bucket, app[REPOSITORIES], clock) as services:
            await Janitor(app[SETTINGS], services, clock).sweep()

    await sweep()
    assert set(await own_bucket.list_keys("")) == before  # within the grace period
    assert await own_bucket.list_multipart_uploads(left["prefix"])

    clock.advance(DAY + 1)
    await sweep()
    after = set(await own_bucket.list_keys(""))
    assert after == {k for k in before if not k.startswith(left["prefix"])} - {left["segment"]}
    assert await own_bucket.list_multipart_uploads(left["prefix"]) == []
    kept_row = await app[REPOSITORIES].submissions.get_submission(kept["id"])
    assert kept_row is not None
    assert len(await own_bucket.list_keys(kept_row.prefix)) == 4  # manifest, original, derivatives
    assert await tail_rows(app, upload_id(url))  # an upload going on keeps its tail
    response = await client.head(url, headers={**bearer(draft["submitter_token"]),
                                                "Tus-Resumable": "1.0.0"})  # fmt: skip
    assert response.headers["Upload-Offset"] == str(len(chunk))


class RacingStore:
    """The real store, but the first write of ``armed`` runs ``before`` first."""

    def __init__(self, store: ObjectStore) -> None:
        self._store = store
        self.armed = ""
        self.before: Callable[[], Awaitable[None]] | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    async def put(self, key: str, *args: Any, **kwargs: Any) -> None:
        if key == self.armed and self.before is not None:
            before, self.before = self.before, None
            await before()
        await self._store.put(key, *args, **kwargs)


async def test_a_manifest_rewrite_never_brings_back_what_a_withdrawal_removed(
    make_client: Callable[..., Any], s3_store: S3ObjectStore
) -> None:
    racing = RacingStore(s3_store)
    client = await make_client(object_store=racing)
    app = client.server.app
    sent = await _sent(client)
    await app[WORKER].run_until_idle()
    submission = await app[REPOSITORIES].submissions.get_submission(sent["id"])
    assert submission is not None
    assert await s3_store.list_keys(submission.prefix)

    async def withdraw() -> None:
        url = f"/api/v1/submissions/{sent['id']}"
        response = await client.delete(url, headers=bearer(sent["submitter_token"]))
        assert response.status == 204
        assert await s3_store.list_keys(submission.prefix) == []

    racing.armed, racing.before = manifest_key(submission.prefix), withdraw
    await app[INSPECTION].rewrite_manifest(sent["id"])  # read before, written after
    assert racing.before is None
    assert await s3_store.list_keys(submission.prefix) == []
