"""The object store a command uses: an S3 endpoint, or the embedded SeaweedFS.

Only ``intake serve`` starts the embedded SeaweedFS; other commands on the same data
directory use the one it runs, or stop with a message that says what to do.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from intake.adapters.embedded.seaweedfs import EmbeddedS3, run_seaweedfs, running_seaweedfs
from intake.adapters.private_files import private_directory
from intake.adapters.s3 import S3Connection, S3ObjectStore
from intake.core.errors import ConfigurationError
from intake.core.settings import Settings


def _policy_file(settings: Settings, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((Path(settings.server.storage_dir) / name).read_text())
    return data


def s3_connection(settings: Settings, endpoint: str, key_id: str, secret: str) -> S3Connection:
    s3 = settings.s3
    return S3Connection(
        endpoint=endpoint or None,
        region=s3.region,
        bucket=s3.bucket,
        access_key_id=key_id or None,
        secret_access_key=secret or None,
        addressing_style=s3.addressing_style,
        server_side_encryption=s3.server_side_encryption,
        threads=s3.threads,
    )


async def _opened(settings: Settings, conn: S3Connection, set_up: bool) -> S3ObjectStore:
    store = S3ObjectStore(conn)
    try:
        if set_up:
            await store.ensure_bucket()
            await store.apply_policies(
                _policy_file(settings, "lifecycle.json"), _policy_file(settings, "cors.json")
            )
        else:
            await store.ping()
    except BaseException:
        store.close()
        raise
    return store


def _embedded_connection(settings: Settings, embedded: EmbeddedS3) -> S3Connection:
    return s3_connection(
        settings, embedded.endpoint, embedded.access_key_id, embedded.secret_access_key
    )


@contextlib.asynccontextmanager
async def open_object_store(
    settings: Settings, *, start_embedded: bool = False
) -> AsyncIterator[S3ObjectStore]:
    """The configured bucket. Without ``s3.endpoint``: the embedded SeaweedFS, started
    here when ``start_embedded`` (``intake serve``), else the one ``intake serve`` runs."""
    embedded_dir = settings.data_path / "seaweedfs"
    if settings.s3.endpoint:
        s3 = settings.s3
        conn = s3_connection(settings, s3.endpoint, s3.access_key_id, s3.secret_access_key)
        store = await _opened(settings, conn, set_up=s3.create_bucket)
    elif start_embedded:
        private_directory(settings.data_path)
        identity = Path(settings.server.storage_dir) / "seaweedfs-s3.json"
        async with run_seaweedfs(embedded_dir, identity) as embedded:
            store = await _opened(settings, _embedded_connection(settings, embedded), True)
            try:
                yield store
            finally:
                store.close()
        return
    else:
        running = await running_seaweedfs(embedded_dir)
        if running is None:
            raise ConfigurationError(
                f"no `intake serve` runs the embedded SeaweedFS in {embedded_dir}: start "
                "`intake serve` first (it runs the storage), or set s3.endpoint"
            )
        store = await _opened(settings, _embedded_connection(settings, running), False)
    try:
        yield store
    finally:
        store.close()
