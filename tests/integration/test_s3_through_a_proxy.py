"""The bucket behind a proxy that refuses ``Expect: 100-continue``, as some do (older
Squid and lighttpd answer 417): intake sends a body at once, never asking to go ahead,
so files spooled to disk go up through it as in-memory ones always did."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from intake.adapters.embedded.seaweedfs import EmbeddedS3
from intake.adapters.s3 import S3Connection, S3ObjectStore
from intake.core.object_store import SpooledBody
from tests.haproxy import haproxy

MiB = 1024 * 1024

REFUSING_EXPECT = """\
global
    log stdout format raw local0 notice
defaults
    mode http
    log global
    log-format "%ST %HM %B"
    timeout connect 5s
    timeout client 1m
    timeout server 1m
frontend s3
    bind "${LISTEN}"
    http-request return status 417 if { req.hdr(expect) -m found }
    default_backend bucket
backend bucket
    server weed "${BUCKET}"
"""


@pytest.fixture
async def store_behind_proxy(
    seaweedfs: EmbeddedS3, s3_store: S3ObjectStore, tmp_path: Path
) -> AsyncIterator[S3ObjectStore]:
    config = tmp_path / "haproxy.cfg"
    config.write_text(REFUSING_EXPECT)
    bucket = seaweedfs.endpoint.removeprefix("http://")
    async with haproxy(config, {"BUCKET": bucket}, tmp_path / "haproxy.log") as url:
        store = S3ObjectStore(
            S3Connection(
                endpoint=url,
                region="us-east-1",
                bucket=s3_store.bucket,
                access_key_id=seaweedfs.access_key_id,
                secret_access_key=seaweedfs.secret_access_key,
            )
        )
        yield store
        store.close()


async def test_spooled_files_go_up_through_a_proxy_that_refuses_expect(
    store_behind_proxy: S3ObjectStore, tmp_path: Path
) -> None:
    store = store_behind_proxy
    first, last = os.urandom(5 * MiB), os.urandom(1000)
    (tmp_path / "first").write_bytes(first)
    (tmp_path / "last").write_bytes(last)
    key = f"proxy/{os.urandom(4).hex()}"
    await store.put(
        key, SpooledBody(tmp_path / "last", len(last)), content_type="video/mp4", metadata={}
    )
    upload = await store.create_multipart(key + "-parts", content_type="video/mp4", metadata={})
    parts = [
        await store.upload_part(
            key + "-parts", upload, 1, SpooledBody(tmp_path / "first", 5 * MiB)
        ),
        await store.upload_part(key + "-parts", upload, 2, last),
    ]
    await store.complete_multipart(key + "-parts", upload, parts)
    assert await store.get_range(key, 0, len(last) - 1) == last
    assert await store.get_range(key + "-parts", 0, 5 * MiB + 999) == first + last
