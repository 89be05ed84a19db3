"""Heads: the first bytes of a resumable upload, kept in the database while too few of
them came to know the file's type, sealed as its tail is (:mod:`tails`) with the
submission's data key.

A head is stored as a mark, its random 8-byte nonce prefix, then its sealed blocks and
its final block. Its tags name the upload, and say it is a head: a head moved to another
upload, taken for a tail piece (or a piece for it), cut short or altered fails; without
the data key (destroyed by an erasure) it opens for no one.

    stored = MARK ‖ prefix ‖ seal(block 0) ‖ … ‖ seal(final)    aad = "upload-head:{upload}"

The mark tells a sealed head from one an older version kept in plain text (read as it
is, and sealed when it is saved again).
"""

from __future__ import annotations

import os

from intake.keys.blocks import PREFIX, Sealer, TamperedObject, plain_size

MARK = b"\0intake-head/1\0"
"""How a sealed head begins (no photo or video does: they begin with their magic)."""


def _name(upload_id: str) -> str:
    # Object keys hold no ":", and a tail's tags begin "upload-tail:".
    return f"upload-head:{upload_id}"


def is_sealed(stored: bytes) -> bool:
    """Whether ``stored`` is a sealed head (rather than a plain one an older version kept)."""
    return stored.startswith(MARK)


def seal_head(data_key: bytes, upload_id: str, plain: bytes) -> bytes:
    """``plain``, the upload's first bytes, sealed."""
    prefix = os.urandom(PREFIX)
    sealer = Sealer(data_key, prefix, _name(upload_id))
    return MARK + prefix + sealer.seal(plain, 0, final=True)


def open_head(data_key: bytes, upload_id: str, stored: bytes) -> bytes:
    """The first bytes of the upload, sealed by :func:`seal_head`; :class:`TamperedObject`
    when ``stored`` is not that upload's head, whole."""
    if not is_sealed(stored) or len(stored) < len(MARK) + PREFIX:
        raise TamperedObject("a sealed head begins with its mark and its prefix")
    sealed = memoryview(stored)[len(MARK) + PREFIX :]
    sealer = Sealer(data_key, stored[len(MARK) : len(MARK) + PREFIX], _name(upload_id))
    return sealer.open(sealed, 0, plain=plain_size(len(sealed)))
