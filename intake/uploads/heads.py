"""An upload's head: its first bytes, kept in the database between requests while too
few of them came to know the file's type (:class:`~intake.uploads.pipeline.Progress`).

Like its tail, the head is stored sealed with the submission's data key
(:mod:`intake.keys.heads`): the request that saves it seals it, the next one opens it.
A head an older version kept in plain text is read as it is (and sealed when saved).
"""

from __future__ import annotations

from intake.keys.heads import open_head, seal_head
from intake.keys.keyring import KeyRing
from intake.keys.marked import is_sealed
from intake.uploads.records import Upload


class Heads:
    def __init__(self, keys: KeyRing) -> None:
        self._keys = keys

    async def opened(self, upload: Upload) -> bytes:
        """The upload's first bytes as kept (``b""``: none). The data key is fetched only
        when there is a sealed head (:class:`KeyDestroyed`, :class:`TamperedObject` when it
        does not open)."""
        if not is_sealed(upload.head):
            return upload.head
        data_key = await self._keys.for_reading(upload.submission_id)
        return open_head(data_key, upload.id, upload.head)

    async def sealed(self, upload: Upload, head: bytes) -> bytes:
        """``head``, the upload's first bytes, as the database keeps them (``b""``: none)."""
        if not head:
            return b""
        return seal_head(await self._keys.for_writing(upload.submission_id), upload.id, head)
