"""An upload's bytes are sealed with its submission's data key, wherever they are kept:
its parts in the bucket, its tail (:mod:`.tails`), head and hash state in the database.

Between requests the file's :class:`~intake.uploads.pipeline.Progress` holds some of its
bytes: its head (the first bytes, while too few came to know its type) and its SHA-256
state (whose unprocessed block holds up to 63 of them). The request that saves them seals
them (:mod:`intake.keys.heads`, :mod:`intake.keys.hash_states`), the next one opens them.
Plain ones an older version kept are read as they are (and sealed when saved). When they
no longer seal or open, the upload cannot go on.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator

from intake.core.errors import UploadLost
from intake.keys.blocks import TamperedObject
from intake.keys.hash_states import open_hash_state, seal_hash_state
from intake.keys.heads import open_head, seal_head
from intake.keys.keyring import KeyDestroyed, KeyRing, SubmissionErased
from intake.keys.marked import is_sealed
from intake.uploads.pipeline import Progress
from intake.uploads.records import Upload


class KeptProgress:
    """Opens and seals what a resumable upload's row keeps of its file's progress. The
    data key is fetched once per call, and only when there is something sealed to open
    or something to seal."""

    def __init__(self, keys: KeyRing) -> None:
        self._keys = keys

    async def opened(self, upload: Upload) -> Progress:
        """Where the upload's file stands, its head and hash state opened
        (:class:`KeyDestroyed`, :class:`TamperedObject` when they do not open)."""
        head, state = upload.head, upload.hash_state
        if is_sealed(head) or is_sealed(state):
            data_key = await self._keys.for_reading(upload.submission_id)
            if is_sealed(head):
                head = open_head(data_key, upload.id, head)
            if is_sealed(state):
                state = open_hash_state(data_key, upload.id, state)
        return Progress(upload.offset, head, upload.media_type, state)

    async def sealed(self, upload: Upload, progress: Progress) -> Progress:
        """``progress`` as the upload's row keeps it: its head and hash state sealed
        (``b""`` stays ``b""``)."""
        if not (progress.head or progress.hash_state):
            return progress
        data_key = await self._keys.for_writing(upload.submission_id)
        return dataclasses.replace(
            progress,
            head=seal_head(data_key, upload.id, progress.head) if progress.head else b"",
            hash_state=(
                seal_hash_state(data_key, upload.id, progress.hash_state)
                if progress.hash_state
                else b""
            ),
        )


@contextlib.contextmanager
def sealing_upload() -> Iterator[None]:
    """:class:`UploadLost` for an upload whose submission was erased (its data key
    destroyed) or whose stored bytes are not its own, whole."""
    try:
        yield
    except (KeyDestroyed, SubmissionErased):
        raise UploadLost(
            "This upload's submission was withdrawn or erased; start a new submission."
        ) from None
    except TamperedObject:
        raise UploadLost("This upload's bytes can no longer be read; start it again.") from None
