"""The object store on any S3 API, through boto3 in a bounded thread pool.

This is the only module that imports boto3. Every call runs in the adapter's own
executor, so the event loop never waits on the network; botocore's errors become
intake's own.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ipaddress
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from intake.core.errors import ObjectNotFound, StorageError, StorageUnavailable
from intake.core.object_store import (
    MadeBody,
    ObjectInfo,
    SpooledBody,
    StoreBody,
    UploadedPart,
)

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

T = TypeVar("T")
CallObserver = Callable[[str, float, bool], None]
_NOT_FOUND = {"NoSuchKey", "404", "NotFound", "NoSuchUpload"}
_DELETE_BATCH = 1000
_DOWNLOAD_CHUNK = 1024 * 1024
_SEND_BLOCK = 1024 * 1024 + 64 * 1024


@dataclass(frozen=True)
class S3Connection:
    """Where and how to reach the bucket."""

    endpoint: str | None
    region: str
    bucket: str
    access_key_id: str | None
    secret_access_key: str | None
    addressing_style: str = "path"
    server_side_encryption: bool = False
    threads: int = 16

    def __repr__(self) -> str:
        return f"S3Connection(endpoint={self.endpoint!r}, bucket={self.bucket!r})"


def signs_payload(endpoint: str | None) -> bool:
    """Whether request bodies are hashed into the SigV4 signature.

    Only plain http to another host needs it: TLS already protects a body on its way,
    and a loopback connection never leaves the machine. Hashing every part a second
    time (intake hashes each file anyway) costs a pass over every byte.
    """
    if not endpoint:
        return False
    url = urlsplit(endpoint)
    if url.scheme == "https":
        return False
    host = url.hostname or ""
    if host == "localhost":
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True


def _send_body_at_once(params: dict[str, Any], **_: Any) -> None:
    """Drop the ``Expect: 100-continue`` botocore adds to a write whose body is a file.

    A body in memory goes without it; one spooled to disk would wait for the store's
    go-ahead first: a round trip more for every part, a second's wait behind a proxy
    that does not pass the 100 on, and a 417 from one that refuses the header.
    """
    params["headers"].pop("Expect", None)


def _send_files_in_large_blocks(client: S3Client) -> None:
    """Have urllib3 read a body that is a file ``_SEND_BLOCK`` bytes at a time.

    botocore has it read 128 KiB at a time: for a sealed part, each read a call into the
    sealing reader, a copy of a slice of the 1 MiB block it sealed and a ``send`` of its
    own. A little over that block, each block goes out whole, as sealed. urllib3 takes
    the size as a connection setting that botocore does not expose; its pool manager
    passes it to every connection it makes. Should botocore keep the manager elsewhere,
    parts go in 128 KiB reads as before (a test says so).
    """
    with contextlib.suppress(AttributeError):
        manager = client._endpoint.http_session._manager  # type: ignore[attr-defined]
        manager.connection_pool_kw["blocksize"] = _SEND_BLOCK


def _make_client(conn: S3Connection) -> S3Client:
    s3_options = {
        "addressing_style": conn.addressing_style,
        "payload_signing_enabled": signs_payload(conn.endpoint),
    }
    config = Config(
        region_name=conn.region,
        signature_version="s3v4",
        s3=cast(Any, s3_options),
        max_pool_connections=conn.threads,
        retries={"mode": "standard", "max_attempts": 4},
        connect_timeout=5,
        read_timeout=60,
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    session = boto3.session.Session()
    client = session.client(
        "s3",
        endpoint_url=conn.endpoint or None,
        aws_access_key_id=conn.access_key_id or None,
        aws_secret_access_key=conn.secret_access_key or None,
        config=config,
    )
    client.meta.events.register_last("before-call.s3", _send_body_at_once)
    _send_files_in_large_blocks(client)
    return client


def _in_memory(body: bytes | bytearray | MadeBody) -> bytes:
    """The bytes to send, made here (on the S3 thread) when they are a :class:`MadeBody`."""
    return body.make() if isinstance(body, MadeBody) else bytes(body)


def _translate(exc: Exception, key: str) -> StorageError:
    if isinstance(exc, ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in _NOT_FOUND:
            return ObjectNotFound(f"{key}: not found")
        if code in {"SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout"}:
            return StorageUnavailable(f"object storage answered {code}")
        return StorageError(f"object storage refused {key}: {code}")
    return StorageUnavailable(f"object storage is unreachable: {type(exc).__name__}")


class S3ObjectStore:
    """:class:`intake.core.object_store.ObjectStore` on boto3."""

    copies_parts = True

    def __init__(self, conn: S3Connection) -> None:
        self._conn = conn
        self._bucket = conn.bucket
        self._client = _make_client(conn)
        self._executor = ThreadPoolExecutor(conn.threads, thread_name_prefix="s3")
        self.observers: list[CallObserver] = []
        """Each told every call's operation, duration in seconds and whether it failed."""

    @property
    def bucket(self) -> str:
        return self._bucket

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._client.close()

    async def _call(self, key: str, fn: Callable[..., T], /, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        started, failed = time.perf_counter(), True
        try:
            answer = await loop.run_in_executor(self._executor, functools.partial(fn, **kwargs))
            failed = False
            return answer
        except (ClientError, BotoCoreError) as exc:
            error = _translate(exc, key)
            failed = not isinstance(error, ObjectNotFound)
            raise error from exc
        finally:
            if self.observers:
                operation = getattr(fn, "__name__", "call").strip("_").removesuffix("_sync")
                for observer in self.observers:
                    observer(operation, time.perf_counter() - started, failed)

    def _write_args(self, content_type: str, metadata: Mapping[str, str]) -> dict[str, Any]:
        args: dict[str, Any] = {"ContentType": content_type, "Metadata": dict(metadata)}
        if self._conn.server_side_encryption:
            args["ServerSideEncryption"] = "AES256"
        return args

    async def ping(self) -> None:
        await self._call("", self._client.head_bucket, Bucket=self._bucket)

    async def ensure_bucket(self) -> None:
        """Create the bucket unless it exists (used for the embedded server and set-up)."""
        try:
            await self.ping()
        except StorageError:
            await self._call("", self._client.create_bucket, Bucket=self._bucket)

    async def apply_policies(
        self, lifecycle: Mapping[str, Any] | None, cors: Mapping[str, Any] | None
    ) -> None:
        """Set the bucket's lifecycle rules and CORS rules (shapes as in ``storage/``)."""
        if lifecycle:
            await self._call(
                "",
                self._client.put_bucket_lifecycle_configuration,
                Bucket=self._bucket,
                LifecycleConfiguration=lifecycle,
            )
        if cors:
            await self._call(
                "", self._client.put_bucket_cors, Bucket=self._bucket, CORSConfiguration=cors
            )

    async def put(
        self, key: str, body: StoreBody, *, content_type: str, metadata: Mapping[str, str]
    ) -> None:
        args = self._write_args(content_type, metadata)
        await self._call(key, self._put_sync, key=key, body=body, args=args)

    def _put_sync(self, key: str, body: StoreBody, args: dict[str, Any]) -> None:
        if isinstance(body, SpooledBody):
            with body.open() as f:
                self._client.put_object(
                    Bucket=self._bucket, Key=key, Body=f, ContentLength=body.length, **args
                )
        else:
            self._client.put_object(Bucket=self._bucket, Key=key, Body=_in_memory(body), **args)

    async def create_multipart(
        self, key: str, *, content_type: str, metadata: Mapping[str, str]
    ) -> str:
        answer = await self._call(
            key,
            self._client.create_multipart_upload,
            Bucket=self._bucket,
            Key=key,
            **self._write_args(content_type, metadata),
        )
        return answer["UploadId"]

    async def upload_part(
        self, key: str, upload_id: str, number: int, body: StoreBody
    ) -> UploadedPart:
        etag = await self._call(
            key, self._upload_part_sync, key=key, upload_id=upload_id, number=number, body=body
        )
        return UploadedPart(number, etag)

    def _upload_part_sync(self, key: str, upload_id: str, number: int, body: StoreBody) -> str:
        common: dict[str, Any] = {
            "Bucket": self._bucket, "Key": key, "UploadId": upload_id, "PartNumber": number,
        }  # fmt: skip
        if isinstance(body, SpooledBody):
            with body.open() as f:
                answer = self._client.upload_part(Body=f, ContentLength=body.length, **common)
        else:
            answer = self._client.upload_part(Body=_in_memory(body), **common)
        return answer["ETag"]

    async def copy_part(
        self, key: str, upload_id: str, number: int, source_key: str
    ) -> UploadedPart:
        answer = await self._call(
            source_key,
            self._client.upload_part_copy,
            Bucket=self._bucket,
            Key=key,
            UploadId=upload_id,
            PartNumber=number,
            CopySource={"Bucket": self._bucket, "Key": source_key},
        )
        return UploadedPart(number, answer["CopyPartResult"]["ETag"])

    async def complete_multipart(
        self, key: str, upload_id: str, parts: Sequence[UploadedPart]
    ) -> None:
        await self._call(
            key,
            self._client.complete_multipart_upload,
            Bucket=self._bucket,
            Key=key,
            UploadId=upload_id,
            MultipartUpload={"Parts": [{"PartNumber": p.number, "ETag": p.etag} for p in parts]},
        )

    async def abort_multipart(self, key: str, upload_id: str) -> None:
        with contextlib.suppress(ObjectNotFound):
            await self._call(
                key,
                self._client.abort_multipart_upload,
                Bucket=self._bucket,
                Key=key,
                UploadId=upload_id,
            )

    async def head(self, key: str) -> ObjectInfo:
        answer = await self._call(key, self._client.head_object, Bucket=self._bucket, Key=key)
        return ObjectInfo(
            key=key,
            size=answer["ContentLength"],
            content_type=answer.get("ContentType", ""),
            metadata=answer.get("Metadata", {}),
        )

    async def get_range(self, key: str, start: int, end: int) -> bytes:
        return await self._call(key, self._get_range_sync, key=key, start=start, end=end)

    def _get_range_sync(self, key: str, start: int, end: int) -> bytes:
        answer = self._client.get_object(Bucket=self._bucket, Key=key, Range=f"bytes={start}-{end}")
        with answer["Body"] as body:
            return body.read()

    async def download(self, key: str, path: Path) -> int:
        return await self._call(key, self._download_sync, key=key, path=path)

    def _download_sync(self, key: str, path: Path) -> int:
        answer = self._client.get_object(Bucket=self._bucket, Key=key)
        body = answer["Body"]
        size = 0
        try:
            with path.open("wb") as f:
                for chunk in body.iter_chunks(_DOWNLOAD_CHUNK):
                    size += f.write(chunk)
        finally:
            body.close()
        return size

    async def presign_get(self, key: str, *, seconds: int) -> str:
        return await self._call(
            key,
            self._client.generate_presigned_url,
            ClientMethod="get_object",
            Params={"Bucket": self._bucket, "Key": key},
            ExpiresIn=seconds,
        )

    async def delete(self, keys: Sequence[str]) -> None:
        for start in range(0, len(keys), _DELETE_BATCH):
            batch = keys[start : start + _DELETE_BATCH]
            answer = await self._call(
                batch[0],
                self._client.delete_objects,
                Bucket=self._bucket,
                Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True},
            )
            failed = [e for e in answer.get("Errors", []) if e.get("Code") != "NoSuchKey"]
            if failed:
                raise StorageError(f"could not delete {len(failed)} objects: {failed[0]}")

    async def list_keys(self, prefix: str) -> list[str]:
        return await self._call(prefix, self._list_keys_sync, prefix=prefix)

    def _list_keys_sync(self, prefix: str) -> list[str]:
        paginator = self._client.get_paginator("list_objects_v2")
        keys: list[str] = []
        for page in paginator.paginate(Bucket=self._bucket, Prefix=prefix):
            keys.extend(item["Key"] for item in page.get("Contents", []))
        return sorted(keys)

    async def list_multipart_uploads(self, prefix: str) -> list[tuple[str, str]]:
        return await self._call(prefix, self._list_uploads_sync, prefix=prefix)

    def _list_uploads_sync(self, prefix: str) -> list[tuple[str, str]]:
        paginator = self._client.get_paginator("list_multipart_uploads")
        found: list[tuple[str, str]] = []
        for page in paginator.paginate(Bucket=self._bucket, Prefix=prefix):
            found.extend((u["Key"], u["UploadId"]) for u in page.get("Uploads", []))
        return found
