"""Hash states: sealed, they hold none of the bytes in their unprocessed block and open
only as the hash state of their upload, whole; a head is never taken for one, nor one for
a head; a plain state an older version kept is told apart by its mark."""

from __future__ import annotations

import hashlib
import os

import pytest

from intake.keys.blocks import TamperedObject
from intake.keys.hash_states import MARK, open_hash_state, seal_hash_state
from intake.keys.heads import MARK as HEAD_MARK
from intake.keys.heads import open_head, seal_head
from intake.keys.marked import SEALED, is_sealed
from intake.keys.tails import seal_tail
from intake.uploads.filters import ResumableSha256

KEY = bytes(range(32))
PENDING = b"SOURCE-NAME:Jane Q. Whistle, 12 Rue Secrete, Paris;CALL:+336123"
"""63 distinctive bytes, left in SHA-256's unprocessed block after a whole block."""


def state_of(data: bytes) -> bytes:
    hasher = ResumableSha256()
    hasher.feed(data)
    return hasher.state


def test_a_state_opens_as_it_was_and_holds_none_of_its_pending_bytes() -> None:
    assert len(PENDING) == 63
    data = os.urandom(64) + PENDING
    plain = state_of(data)
    assert PENDING in plain  # what an older version stored
    stored = seal_hash_state(KEY, "u1", plain)
    assert is_sealed(stored) and stored.startswith(MARK)
    assert open_hash_state(KEY, "u1", stored) == plain
    assert [PENDING[i : i + 8] for i in range(56) if PENDING[i : i + 8] in stored] == []
    resumed = ResumableSha256(open_hash_state(KEY, "u1", stored))
    resumed.feed(b"and the rest")
    assert resumed.hexdigest == hashlib.sha256(data + b"and the rest").hexdigest()


@pytest.mark.parametrize("fed", [0, 1, 63, 64, 1000])
def test_a_plain_state_is_not_taken_for_a_sealed_one(fed: int) -> None:
    assert not is_sealed(state_of(os.urandom(fed)))


def test_the_marks_say_which_kind_and_share_how_sealed_bytes_begin() -> None:
    assert MARK != HEAD_MARK
    assert MARK.startswith(SEALED) and HEAD_MARK.startswith(SEALED)
    assert HEAD_MARK == b"\0intake-head/1\0"  # heads sealed before keep opening


def test_another_upload_key_a_head_a_tail_piece_or_a_changed_or_cut_state_opens_nothing() -> None:
    plain = state_of(os.urandom(100) + PENDING)
    stored = seal_hash_state(KEY, "u1", plain)
    changed = bytearray(stored)
    changed[len(MARK) + 20] ^= 1
    head = seal_head(KEY, "u1", plain)  # the same bytes sealed as the upload's head
    relabelled = MARK + head[len(HEAD_MARK) :]  # and given the hash state's mark
    tail = seal_tail(KEY, "u1", 0, plain)
    attempts = [
        (KEY, "u2", stored),
        (os.urandom(32), "u1", stored),
        (KEY, "u1", bytes(changed)),
        (KEY, "u1", stored[:-1]),
        (KEY, "u1", stored[:-16]),  # its final block gone
        (KEY, "u1", head),
        (KEY, "u1", relabelled),
        (KEY, "u1", MARK + tail),
        (KEY, "u1", MARK),
        (KEY, "u1", plain),
    ]
    for attempt in attempts:
        with pytest.raises(TamperedObject):
            open_hash_state(*attempt)


def test_a_hash_state_is_not_a_head() -> None:
    plain = state_of(PENDING)
    stored = seal_hash_state(KEY, "u1", plain)
    with pytest.raises(TamperedObject):
        open_head(KEY, "u1", stored)
    with pytest.raises(TamperedObject):
        open_head(KEY, "u1", HEAD_MARK + stored[len(MARK) :])
