"""An object store that seals every object of a submission with the submission's data
key (:mod:`blocks`), over the real one.

Callers see plaintext: sizes, offsets and ranges are the plaintext's, a range read opens
only the blocks it covers. An object's 8-byte nonce prefix, random, is kept in its
metadata (``intake-seal``). A multipart upload's id carries it, with the part size, so
that any instance can seal part ``n`` at its blocks: every part but the last holds
exactly ``part_size`` bytes (a multiple of 64 KiB), and the part that ends the object,
shorter, ends with its final block (else :meth:`complete_multipart` adds a part holding
only that). A part's etag carries its plaintext size. Parts are never copied inside the
store (``copies_parts``): blocks sealed for one object open for no other.

Objects without the seal (written before sealing existed) are read as they are. A key
that belongs to no submission is refused: nothing of a reader is stored unsealed.
"""

from __future__ import annotations

import asyncio
import functools
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO, TypeVar, cast

from intake.core.bucket_layout import submission_of_key, upload_of_key
from intake.core.errors import ObjectNotFound, StorageError
from intake.core.object_store import (
    MadeBody,
    ObjectInfo,
    ObjectStore,
    SpooledBody,
    StoreBody,
    UploadedPart,
    body_length,
)
from intake.keys.blocks import (
    BLOCK,
    PREFIX,
    Sealer,
    block_count,
    plain_size,
    span,
)
from intake.keys.keyring import KeyRing
from intake.keys.streams import SealingReader, open_file, sealed_length

T = TypeVar("T")
SEAL = "intake-seal"
_VERSION = "1"
_UPLOAD = "sealed"


def _reader(sealer: Sealer, path: Path, *, first_block: int, final: bool) -> BinaryIO:
    return cast(BinaryIO, SealingReader(sealer, path, first_block, final))


def _sealed_body(sealer: Sealer, body: StoreBody, first_block: int, *, final: bool) -> StoreBody:
    """``body`` sealed from ``first_block`` on, by the inner store's thread as it sends it:
    read from its spool file and sealed as it goes, or sealed whole from memory."""
    if isinstance(body, SpooledBody):
        opener = functools.partial(_reader, sealer, first_block=first_block, final=final)
        return SpooledBody(body.path, sealed_length(body.length, final=final), opener)

    def seal() -> bytes:
        plain = body.make() if isinstance(body, MadeBody) else body
        return sealer.seal(plain, first_block, final=final)

    return MadeBody(sealed_length(body_length(body), final=final), seal)


class SealingStore:
    """:class:`intake.core.object_store.ObjectStore` that seals, over ``inner``."""

    copies_parts = False

    def __init__(self, inner: ObjectStore, keys: KeyRing, part_size: int, threads: int = 2) -> None:
        if part_size % BLOCK:
            raise ValueError("the part size of a sealing store is a multiple of 64 KiB")
        self.inner = inner
        self._keys = keys
        self._part_size = part_size
        self._executor = ThreadPoolExecutor(threads, thread_name_prefix="seal")

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    async def _run(self, fn: Callable[..., T], /, *args: object) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args))

    async def _owner(self, key: str) -> str:
        owner = submission_of_key(key)
        if owner is None and (upload := upload_of_key(key)) is not None:
            owner = await self._keys.scope_of_upload(upload)
            if owner is None:
                raise ObjectNotFound(f"{key}: no upload owns it")
        if owner is None:
            raise StorageError(f"{key}: no submission owns this key; nothing is stored unsealed")
        return owner

    async def _sealer(self, key: str, prefix: bytes, *, writing: bool) -> Sealer:
        owner = await self._owner(key)
        keyring = self._keys
        data_key = await (keyring.for_writing(owner) if writing else keyring.for_reading(owner))
        return Sealer(data_key, prefix, key)

    async def ping(self) -> None:
        await self.inner.ping()

    async def put(
        self, key: str, body: StoreBody, *, content_type: str, metadata: Mapping[str, str]
    ) -> None:
        prefix = os.urandom(PREFIX)
        sealer = await self._sealer(key, prefix, writing=True)
        sealed_meta = {**metadata, SEAL: f"{_VERSION}.{prefix.hex()}"}
        sealed = _sealed_body(sealer, body, 0, final=True)
        await self.inner.put(key, sealed, content_type=content_type, metadata=sealed_meta)

    async def create_multipart(
        self, key: str, *, content_type: str, metadata: Mapping[str, str]
    ) -> str:
        prefix = os.urandom(PREFIX)
        await self._sealer(key, prefix, writing=True)  # refused for an erased submission
        sealed_meta = {**metadata, SEAL: f"{_VERSION}.{prefix.hex()}"}
        inner_id = await self.inner.create_multipart(
            key, content_type=content_type, metadata=sealed_meta
        )
        return f"{_UPLOAD}.{prefix.hex()}.{self._part_size}.{inner_id}"

    @staticmethod
    def _parse_upload(upload_id: str) -> tuple[bytes, int, str]:
        tag, prefix, part_size, inner_id = upload_id.split(".", 3)
        if tag != _UPLOAD:
            raise ValueError(upload_id)
        return bytes.fromhex(prefix), int(part_size), inner_id

    async def upload_part(
        self, key: str, upload_id: str, number: int, body: StoreBody
    ) -> UploadedPart:
        prefix, part_size, inner_id = self._parse_upload(upload_id)
        length = body_length(body)
        if length > part_size:
            raise StorageError(f"a sealed part holds at most {part_size} bytes, not {length}")
        sealer = await self._sealer(key, prefix, writing=True)
        first = (number - 1) * part_size // BLOCK
        sealed = _sealed_body(sealer, body, first, final=length < part_size)
        stored = await self.inner.upload_part(key, inner_id, number, sealed)
        return UploadedPart(number, f"{stored.etag}#{length}")

    async def copy_part(
        self, key: str, upload_id: str, number: int, source_key: str
    ) -> UploadedPart:
        raise StorageError("sealed objects are not copied as parts: write their bytes")

    async def complete_multipart(
        self, key: str, upload_id: str, parts: Sequence[UploadedPart]
    ) -> None:
        prefix, part_size, inner_id = self._parse_upload(upload_id)
        sizes = [int(p.etag.rpartition("#")[2]) for p in parts]
        if any(size != part_size for size in sizes[:-1]):
            raise StorageError(f"every sealed part but the last holds {part_size} bytes")
        stored = [UploadedPart(p.number, p.etag.rpartition("#")[0]) for p in parts]
        if sizes and sizes[-1] == part_size:
            sealer = await self._sealer(key, prefix, writing=True)
            final = sealer.final(block_count(sum(sizes)))
            stored.append(await self.inner.upload_part(key, inner_id, len(parts) + 1, final))
        await self.inner.complete_multipart(key, inner_id, stored)

    async def abort_multipart(self, key: str, upload_id: str) -> None:
        inner_id = upload_id
        if upload_id.startswith(_UPLOAD + "."):
            inner_id = self._parse_upload(upload_id)[2]
        await self.inner.abort_multipart(key, inner_id)

    @staticmethod
    def _seal_of(info: ObjectInfo) -> bytes | None:
        seal = info.metadata.get(SEAL)
        if seal is None:
            return None
        version, _, prefix = seal.partition(".")
        if version != _VERSION or len(prefix) != 2 * PREFIX:
            raise StorageError(f"{info.key}: sealed in a format this version cannot read")
        return bytes.fromhex(prefix)

    async def head(self, key: str) -> ObjectInfo:
        info = await self.inner.head(key)
        if self._seal_of(info) is None:
            return info
        metadata = {k: v for k, v in info.metadata.items() if k != SEAL}
        return ObjectInfo(key, plain_size(info.size), info.content_type, metadata)

    async def get_range(self, key: str, start: int, end: int) -> bytes:
        info = await self.inner.head(key)
        prefix = self._seal_of(info)
        if prefix is None:
            return await self.inner.get_range(key, start, end)
        plain = plain_size(info.size)
        if start < 0 or start >= plain or end < start:
            raise StorageError(f"{key}: bytes {start}-{end} are not in its {plain} bytes")
        s = span(start, min(end, plain - 1), plain)
        sealer = await self._sealer(key, prefix, writing=False)
        sealed = await self.inner.get_range(key, s.sealed_start, s.sealed_end)
        opened = await self._run(functools.partial(sealer.open, plain=plain), sealed, s.first_block)
        return opened[s.skip : s.skip + s.length]

    async def download(self, key: str, path: Path) -> int:
        info = await self.inner.head(key)
        prefix = self._seal_of(info)
        if prefix is None:
            return await self.inner.download(key, path)
        sealer = await self._sealer(key, prefix, writing=False)
        sealed = path.with_name(path.name + ".sealed")
        try:
            if await self.inner.download(key, sealed) != info.size:
                raise ObjectNotFound(f"{key}: changed while it was read")
            plain = plain_size(info.size)
            await self._run(open_file, sealer, sealed, path, plain)
        finally:
            sealed.unlink(missing_ok=True)
        return plain

    async def presign_get(self, key: str, *, seconds: int) -> str:
        """A link to the stored (sealed) bytes: media reach moderators through intake."""
        return await self.inner.presign_get(key, seconds=seconds)

    async def delete(self, keys: Sequence[str]) -> None:
        await self.inner.delete(keys)

    async def list_keys(self, prefix: str) -> list[str]:
        return await self.inner.list_keys(prefix)

    async def list_multipart_uploads(self, prefix: str) -> list[tuple[str, str]]:
        return await self.inner.list_multipart_uploads(prefix)
