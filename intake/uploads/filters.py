"""Small filters that every received byte passes through, whichever door it came in by."""

from __future__ import annotations

import hashlib
from typing import Protocol

from rehashes import PySha256

from intake.core.errors import PayloadTooLarge
from intake.core.sizes import describe_size


class HeadCollector:
    """Keeps the first ``size`` bytes of a stream, for sniffing."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._head = bytearray()

    @property
    def full(self) -> bool:
        return len(self._head) >= self.size

    @property
    def head(self) -> bytes:
        return bytes(self._head)

    def feed(self, chunk: bytes) -> None:
        if not self.full:
            self._head += chunk[: self.size - len(self._head)]


class SizeLimit:
    """Counts bytes and raises :class:`PayloadTooLarge` the moment they pass ``limit``."""

    def __init__(self, limit: int, what: str, *, count: int = 0) -> None:
        self.limit = limit
        self.what = what
        self.count = count

    def feed(self, chunk: bytes) -> None:
        self.count += len(chunk)
        if self.count > self.limit:
            raise PayloadTooLarge(
                f"{self.what} is larger than {describe_size(self.limit)}; "
                "send a smaller or shorter file.",
                limit_bytes=self.limit,
            )


class Hasher(Protocol):
    def feed(self, chunk: bytes) -> None: ...

    @property
    def hexdigest(self) -> str: ...


class Sha256:
    """SHA-256 of a stream received in one go (hashlib: it lets other threads run)."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()

    def feed(self, chunk: bytes) -> None:
        self._hash.update(chunk)

    @property
    def hexdigest(self) -> str:
        return self._hash.hexdigest()


class ResumableSha256:
    """SHA-256 whose state can be saved and resumed elsewhere: a resumable upload
    continues on whichever instance receives its next chunk."""

    def __init__(self, state: bytes | None = None) -> None:
        self._hash = PySha256.deserialize(state) if state else PySha256()

    def feed(self, chunk: bytes) -> None:
        self._hash.update(chunk)

    @property
    def state(self) -> bytes:
        saved: bytes = self._hash.serialize()
        return saved

    @property
    def hexdigest(self) -> str:
        digest: str = self._hash.finalize()
        return digest
