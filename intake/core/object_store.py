"""The object store port: a private bucket of objects addressed by key.

Adapters implement it (``intake.adapters.s3``); the shared contract tests in
``tests/integration/test_object_store_contract.py`` run against each.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol


@dataclass(frozen=True)
class SpooledBody:
    """The whole file at ``path`` (``length`` bytes): a part body on disk. With
    ``opener``, the body is what ``opener(path)`` reads (``length`` bytes of it)."""

    path: Path
    length: int
    opener: Callable[[Path], BinaryIO] | None = None

    def open(self) -> BinaryIO:
        return self.opener(self.path) if self.opener else self.path.open("rb")


PartBody = bytes | bytearray | SpooledBody


@dataclass(frozen=True)
class MadeBody:
    """``length`` bytes that ``make`` returns, called by the store on the thread that sends
    them: a part sealed there rather than in a hand-off to a thread of its own."""

    length: int
    make: Callable[[], bytes]


StoreBody = PartBody | MadeBody
"""What a store's writes take."""


def body_length(body: StoreBody) -> int:
    """How many bytes ``body`` holds."""
    return body.length if isinstance(body, SpooledBody | MadeBody) else len(body)


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    content_type: str
    metadata: Mapping[str, str]


@dataclass(frozen=True)
class UploadedPart:
    """A stored part of an S3 multipart upload."""

    number: int
    etag: str


class ObjectStore(Protocol):
    """A private bucket of objects addressed by key.

    Keys and metadata are validated by the caller. Every call is safe to retry;
    ``delete`` and ``abort_multipart`` of something already gone succeed. Errors are
    :class:`intake.core.errors.StorageError` subclasses, never the SDK's own.
    """

    copies_parts: bool
    """Whether :meth:`copy_part` may be used (a sealing store cannot copy sealed bytes)."""

    async def ping(self) -> None:
        """Return when the bucket answers; raise ``StorageUnavailable`` otherwise."""

    async def put(
        self, key: str, body: StoreBody, *, content_type: str, metadata: Mapping[str, str]
    ) -> None:
        """Store a whole object in one request (atomic: all of it or nothing)."""

    async def create_multipart(
        self, key: str, *, content_type: str, metadata: Mapping[str, str]
    ) -> str:
        """Start a multipart upload; return its upload id. Nothing is visible yet."""

    async def upload_part(
        self, key: str, upload_id: str, number: int, body: StoreBody
    ) -> UploadedPart:
        """Store part ``number`` (1-based). All parts but the last are >= 5 MiB."""

    async def copy_part(
        self, key: str, upload_id: str, number: int, source_key: str
    ) -> UploadedPart:
        """Store the whole object ``source_key`` as part ``number`` (server-side copy)."""

    async def complete_multipart(
        self, key: str, upload_id: str, parts: Sequence[UploadedPart]
    ) -> None:
        """Join the parts into the object at ``key``; it appears atomically."""

    async def abort_multipart(self, key: str, upload_id: str) -> None:
        """Discard a multipart upload and its parts."""

    async def head(self, key: str) -> ObjectInfo:
        """Size, type and metadata of ``key``; ``ObjectNotFound`` when absent."""

    async def get_range(self, key: str, start: int, end: int) -> bytes:
        """Bytes ``start`` to ``end`` inclusive; ``ObjectNotFound`` when absent."""

    async def download(self, key: str, path: Path) -> int:
        """Write the whole object to the file at ``path`` (streamed: memory stays
        bounded whatever its size); return its size. ``ObjectNotFound`` when absent."""

    async def presign_get(self, key: str, *, seconds: int) -> str:
        """A URL that lets its holder GET ``key`` for ``seconds``."""

    async def delete(self, keys: Sequence[str]) -> None:
        """Delete every key listed; absent keys are not an error."""

    async def list_keys(self, prefix: str) -> list[str]:
        """Every key under ``prefix``, in key order."""

    async def list_multipart_uploads(self, prefix: str) -> list[tuple[str, str]]:
        """``(key, upload_id)`` of every unfinished multipart upload under ``prefix``."""
