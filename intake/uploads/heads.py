"""An upload's head: its first bytes, kept in the database between requests while too
few of them came to know the file's type (:class:`~intake.uploads.pipeline.Progress`).

Like its tail, the head is stored sealed with the submission's data key
(:mod:`intake.keys.heads`): the request that saves it seals it, the next one opens it.
A head an older version kept in plain text is read as it is (and sealed when saved).
"""

from __future__ import annotations

from intake.core.errors import Gone
from intake.keys.blocks import TamperedObject
from intake.keys.heads import is_sealed, open_head, seal_head
from intake.keys.keyring import KeyDestroyed, KeyRing
from intake.uploads.records import Upload


class HeadLost(Gone):
    """The upload's head cannot be opened: its submission was erased (its data key
    destroyed), or the stored head is not this upload's. The upload cannot go on."""


class Heads:
    def __init__(self, keys: KeyRing) -> None:
        self._keys = keys

    async def opened(self, upload: Upload) -> bytes:
        """The upload's first bytes as kept (``b""``: none); :class:`HeadLost` when they
        cannot be opened. The data key is fetched only when there is a sealed head."""
        if not is_sealed(upload.head):
            return upload.head
        try:
            data_key = await self._keys.for_reading(upload.submission_id)
            return open_head(data_key, upload.id, upload.head)
        except KeyDestroyed:
            raise HeadLost(
                "This upload's submission was withdrawn or erased; start a new submission."
            ) from None
        except TamperedObject:
            raise HeadLost(
                "This upload's first bytes can no longer be read; start it again."
            ) from None

    async def sealed(self, upload: Upload, head: bytes) -> bytes:
        """``head``, the upload's first bytes, as the database keeps them (``b""``: none)."""
        if not head:
            return b""
        return seal_head(await self._keys.for_writing(upload.submission_id), upload.id, head)
