"""The sealed format: a seekable stream of AES-256-GCM blocks.

An object's plaintext is cut into blocks of :data:`BLOCK` bytes (the last may be
shorter); each is sealed on its own with the submission's data key, its nonce made of
the object's random 8-byte prefix and the block's index, its associated data naming the
object's key. After the last data block comes a final block: no plaintext, only its
tag, flagged final in its associated data and numbered after the others.

    ciphertext = seal(block 0) ‖ seal(block 1) ‖ … ‖ seal(block n-1) ‖ seal(final, n)
    seal(b, i) = AES-GCM(data key, nonce = prefix ‖ i (4 bytes), aad = key ‖ flag) → b + 16

A block moved, repeated, swapped from another object or altered fails its tag; an object
cut short at any point loses its final block (its last 16 bytes then fail as one).
Any plaintext range is read by opening only the blocks it covers.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from intake.core.errors import StorageError

BLOCK = 64 * 1024
TAG = 16
SEALED_BLOCK = BLOCK + TAG
PREFIX = 8
MAX_BLOCKS = 2**32 - 1
_VERSION = b"intake-seal/1\0"
_DATA, _FINAL = b"\0", b"\1"


class TamperedObject(StorageError):
    """A sealed object whose bytes fail their tags (altered, cut, reordered, or sealed
    with another key)."""


def sealed_size(plain: int) -> int:
    """The stored size of ``plain`` bytes sealed."""
    full, rest = divmod(plain, BLOCK)
    return full * SEALED_BLOCK + (rest + TAG if rest else 0) + TAG


def plain_size(sealed: int) -> int:
    """The plaintext size of a sealed object of ``sealed`` bytes."""
    full, rest = divmod(sealed - TAG, SEALED_BLOCK)
    if sealed < TAG or 0 < rest <= TAG:
        raise TamperedObject(f"{sealed} bytes cannot be a sealed object")
    return full * BLOCK + (rest - TAG if rest else 0)


def block_count(plain: int) -> int:
    return -(-plain // BLOCK)


@dataclass(frozen=True)
class Span:
    """What to read of a sealed object for plaintext bytes ``start``..``end``."""

    first_block: int
    sealed_start: int
    sealed_end: int
    """Inclusive, the final block included when the range reaches the last byte."""
    skip: int
    """Plaintext bytes of the first block before ``start``."""
    length: int


def span(start: int, end: int, plain: int) -> Span:
    """The blocks covering plaintext ``start``..``end`` (inclusive, ``end < plain``)."""
    first, last = start // BLOCK, end // BLOCK
    stop = (last + 1) * SEALED_BLOCK if end + 1 < plain else sealed_size(plain)
    return Span(first, first * SEALED_BLOCK, min(stop, sealed_size(plain)) - 1,
                start - first * BLOCK, end - start + 1)  # fmt: skip


class Sealer:
    """Seals and opens the blocks of one object (``key`` names it in the tags)."""

    def __init__(self, data_key: bytes, prefix: bytes, key: str) -> None:
        if len(prefix) != PREFIX:
            raise ValueError("a sealed object's prefix is 8 bytes")
        self._aead = AESGCM(data_key)
        self._prefix = prefix
        self._aad = _VERSION + key.encode()

    def _nonce(self, index: int) -> bytes:
        if not 0 <= index <= MAX_BLOCKS:
            raise ValueError("a sealed object holds at most 2**32 - 1 blocks")
        return self._prefix + struct.pack(">I", index)

    def seal(
        self, data: bytes | bytearray | memoryview, first_block: int, *, final: bool = False
    ) -> bytes:
        """Seal ``data`` (whole blocks, but for the object's last) from ``first_block`` on;
        with ``final``, the object ends there and its final block follows (one join)."""
        view = memoryview(data)
        encrypt, aad = self._aead.encrypt, self._aad + _DATA
        blocks = [
            encrypt(self._nonce(first_block + n), view[at : at + BLOCK], aad)
            for n, at in enumerate(range(0, len(view), BLOCK))
        ]
        if final:
            blocks.append(self.final(first_block + len(blocks)))
        return b"".join(blocks)

    def final(self, blocks: int) -> bytes:
        """The final block of an object of ``blocks`` data blocks."""
        return self._aead.encrypt(self._nonce(blocks), b"", self._aad + _FINAL)

    def open(self, sealed: bytes | memoryview, first_block: int, *, plain: int) -> bytes:
        """Open sealed blocks from ``first_block`` on, of an object of ``plain`` bytes;
        ``sealed`` ends with the object's final block when it reaches the end."""
        view = memoryview(sealed)
        blocks = block_count(plain)
        out = []
        decrypt, aad = self._aead.decrypt, self._aad + _DATA
        try:
            index, at = first_block, 0
            while at < len(view) and index < blocks:
                size = min(BLOCK, plain - index * BLOCK) + TAG
                out.append(decrypt(self._nonce(index), view[at : at + size], aad))
                index, at = index + 1, at + size
            if at < len(view):
                decrypt(self._nonce(blocks), view[at:], self._aad + _FINAL)
        except InvalidTag:
            raise TamperedObject("a sealed block failed its tag") from None
        return b"".join(out)
