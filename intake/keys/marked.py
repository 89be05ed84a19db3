"""Bytes a resumable upload keeps in its row between requests (its head, its hash state),
each sealed whole as a tail is (:mod:`tails`) with the submission's data key, behind a
mark that says what they are.

    stored = mark ‖ prefix ‖ seal(block 0) ‖ … ‖ seal(final)    aad = "upload-{kind}:{upload}"
    mark   = "\\0intake-{kind}/1\\0"

The tags name the upload and the kind: bytes moved to another upload, taken for another
kind (a head for a hash state, a tail piece for either), cut short or altered fail;
without the data key (destroyed by an erasure) they open for no one. Every mark begins
with :data:`SEALED`, which tells sealed bytes from plain ones an older version kept (read
as they are, and sealed when they are saved again), whatever their kind.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from intake.keys.blocks import PREFIX, Sealer, TamperedObject, plain_size

SEALED = b"\0intake-"
"""How sealed bytes of every kind begin (no photo, video or SHA-256 state does)."""


def is_sealed(stored: bytes) -> bool:
    """Whether ``stored`` was sealed (of any kind), rather than kept in plain text."""
    return stored.startswith(SEALED)


@dataclass(frozen=True)
class Marked:
    """One kind of bytes kept in an upload's row: ``kind`` names it in its mark and tags."""

    kind: str

    @property
    def mark(self) -> bytes:
        return SEALED + self.kind.encode() + b"/1\0"

    def _name(self, upload_id: str) -> str:
        # Object keys hold no ":", and a tail's tags begin "upload-tail:".
        return f"upload-{self.kind}:{upload_id}"

    def seal(self, data_key: bytes, upload_id: str, plain: bytes) -> bytes:
        prefix = os.urandom(PREFIX)
        sealer = Sealer(data_key, prefix, self._name(upload_id))
        return self.mark + prefix + sealer.seal(plain, 0, final=True)

    def open(self, data_key: bytes, upload_id: str, stored: bytes) -> bytes:
        """The bytes :meth:`seal` sealed; :class:`TamperedObject` when ``stored`` is not
        this kind of that upload, whole."""
        mark = self.mark
        if not stored.startswith(mark) or len(stored) < len(mark) + PREFIX:
            raise TamperedObject(f"sealed {self.kind} bytes begin with their mark and prefix")
        sealed = memoryview(stored)[len(mark) + PREFIX :]
        sealer = Sealer(data_key, stored[len(mark) : len(mark) + PREFIX], self._name(upload_id))
        return sealer.open(sealed, 0, plain=plain_size(len(sealed)))
