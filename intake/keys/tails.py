"""Tails: bytes of a resumable upload kept in the database until they make a part, sealed
as objects are (:mod:`blocks`) with the submission's data key.

A tail piece is stored as its random 8-byte nonce prefix, then its sealed blocks and its
final block. Its tags name the upload and the offset of its first byte, so a piece moved
to another offset or another upload, cut short, or altered fails; without the data key
(destroyed by an erasure) it opens for no one.

    stored = prefix ‖ seal(block 0) ‖ … ‖ seal(final)    aad = "upload-tail:{upload}:{start}"
"""

from __future__ import annotations

import os

from intake.keys.blocks import PREFIX, Sealer, TamperedObject, sealed_size


def _name(upload_id: str, start: int) -> str:
    # Object keys hold no ":", so a tail's tags never open as an object's blocks.
    return f"upload-tail:{upload_id}:{start}"


def stored_size(plain: int) -> int:
    """The stored size of a tail piece of ``plain`` bytes."""
    return PREFIX + sealed_size(plain)


def seal_tail(data_key: bytes, upload_id: str, start: int, plain: bytes | memoryview) -> bytes:
    """``plain``, the upload's bytes from offset ``start`` on, sealed."""
    prefix = os.urandom(PREFIX)
    sealer = Sealer(data_key, prefix, _name(upload_id, start))
    return prefix + sealer.seal(plain, 0, final=True)


def open_tail(data_key: bytes, upload_id: str, start: int, stored: bytes, plain: int) -> bytes:
    """The ``plain`` bytes of a tail piece sealed by :func:`seal_tail`;
    :class:`TamperedObject` when it is not that piece, whole."""
    if len(stored) != stored_size(plain):
        raise TamperedObject(f"a tail of {plain} bytes is not {len(stored)} bytes sealed")
    sealer = Sealer(data_key, stored[:PREFIX], _name(upload_id, start))
    return sealer.open(memoryview(stored)[PREFIX:], 0, plain=plain)
