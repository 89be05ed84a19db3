"""Hash states: the SHA-256 midstate of a resumable upload's file so far, kept in the
database between requests. Its unprocessed block holds up to 63 of the file's bytes, so
it is sealed as a head is, with the submission's data key and bound to its upload
(:mod:`marked`, kind ``hash``).

    stored = MARK ‖ prefix ‖ seal(block 0) ‖ seal(final)    aad = "upload-hash:{upload}"

A state an older version kept in plain text is read as it is, and sealed when it is
saved again.
"""

from __future__ import annotations

from intake.keys.marked import Marked

HASH_STATE = Marked("hash")
MARK = HASH_STATE.mark


def seal_hash_state(data_key: bytes, upload_id: str, plain: bytes) -> bytes:
    """``plain``, the upload's serialized SHA-256 state, sealed."""
    return HASH_STATE.seal(data_key, upload_id, plain)


def open_hash_state(data_key: bytes, upload_id: str, stored: bytes) -> bytes:
    """The upload's SHA-256 state, sealed by :func:`seal_hash_state`;
    :class:`TamperedObject` when ``stored`` is not that upload's hash state, whole."""
    return HASH_STATE.open(data_key, upload_id, stored)
