"""Where this node last saw its recent uploads stand: a hint, never the truth.

A PATCH that fills no part and does not complete its upload needs no lease (see
:mod:`.resumable`), which only the upload's row can tell; reading the row first costs a
statement more for the PATCHes that do need one. What this node last saw of the upload
(at its creation or its last PATCH here) chooses which statement to try first; the
database still decides. Another node's uploads are simply not seen here.
"""

from __future__ import annotations

import collections

from intake.uploads.chunks import stays_in_tail
from intake.uploads.records import Upload, UploadState

Seen = tuple[int, int | None, int]
"""An upload's offset, length (``None``: deferred) and bytes held in its tail."""


def seen(upload: Upload) -> Seen:
    return upload.offset, upload.length, upload.held_size


class RecentUploads:
    """The last state seen of up to ``size`` uploads, the least recently seen forgotten
    first (three integers each)."""

    def __init__(self, size: int = 4096) -> None:
        self._seen: collections.OrderedDict[str, Seen] = collections.OrderedDict()
        self._size = size

    def saw(self, upload: Upload) -> None:
        if upload.state is not UploadState.OPEN:
            self._seen.pop(upload.id, None)
            return
        self._seen[upload.id] = seen(upload)
        self._seen.move_to_end(upload.id)
        if len(self._seen) > self._size:
            self._seen.popitem(last=False)

    def may_need_no_lease(
        self, upload_id: str, offset: int, content_length: int, part_size: int
    ) -> bool:
        """Whether a PATCH should read its upload first, to learn whether it needs a lease:
        unless it fills a part on its own, or this node saw the upload where the PATCH
        continues it and then it would need one."""
        if content_length >= part_size:
            return False
        last = self._seen.get(upload_id)
        return last is None or last[0] != offset or stays_in_tail(*last, content_length, part_size)
