"""Heads: the first bytes of a resumable upload, kept in the database while too few of
them came to know the file's type, sealed with the submission's data key and bound to
their upload (:mod:`marked`, kind ``head``).

    stored = MARK ‖ prefix ‖ seal(block 0) ‖ … ‖ seal(final)    aad = "upload-head:{upload}"

A head an older version kept in plain text is read as it is, and sealed when it is saved
again.
"""

from __future__ import annotations

from intake.keys.marked import Marked

HEAD = Marked("head")
MARK = HEAD.mark
"""How a sealed head begins (no photo or video does: they begin with their magic)."""


def seal_head(data_key: bytes, upload_id: str, plain: bytes) -> bytes:
    """``plain``, the upload's first bytes, sealed."""
    return HEAD.seal(data_key, upload_id, plain)


def open_head(data_key: bytes, upload_id: str, stored: bytes) -> bytes:
    """The first bytes of the upload, sealed by :func:`seal_head`; :class:`TamperedObject`
    when ``stored`` is not that upload's head, whole."""
    return HEAD.open(data_key, upload_id, stored)
