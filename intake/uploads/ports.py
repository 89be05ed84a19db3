"""The port of resumable uploads: their state, offsets and leases in the database."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterable, Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from intake.keys.ports import WrappedKey
from intake.uploads.records import SealedTail, TailSpan, Upload, UploadOwner, UploadState


class Claim(Enum):
    CLAIMED = "claimed"
    OFFSET_MISMATCH = "offset_mismatch"
    LOCKED = "locked"
    NOT_OPEN = "not_open"
    MISSING = "missing"


@dataclass(frozen=True)
class Claimed:
    """An upload a PATCH claimed (or found free), with its submission's data key as it
    was stored then (``None``: none, or destroyed)."""

    upload: Upload
    key: WrappedKey | None


class UploadRepository(Protocol):
    """Resumable uploads' state: offsets, parts, segments, tails, hash state, leases.

    A PATCH that stores a part or the object holds a lease (``lock_id`` until
    ``lock_expires_at``) while it writes, and its change to the upload's progress is
    conditional on holding it; a PATCH whose bytes all go to the tail takes none, and its
    change is conditional on the upload being still where it found it, and not leased
    (:meth:`save_unleased`): of two such PATCHes the first saved wins. An upload's tail
    (its bytes after the last stored part, sealed, in pieces) changes only with its
    progress, in the same transaction; only an open upload has one.
    """

    async def add_upload(self, upload: Upload) -> None:
        """Insert a new upload."""

    async def add_upload_checked(
        self, submission_id: str, build: Callable[[Sequence[Upload]], Upload]
    ) -> Upload | None:
        """Insert the upload ``build`` makes from the submission's uploads, while holding
        the submission's row: concurrent creations for one submission take turns, so a
        check in ``build`` (which raises to refuse) sees every upload created before.
        ``None`` (nothing inserted) when the submission is no longer a draft."""

    async def declare_length_checked(
        self, upload: Upload, length: int, check: Callable[[Sequence[Upload]], None]
    ) -> bool:
        """Set the length of ``upload`` (deferred until now) after ``check`` passed on the
        submission's uploads, holding the submission's row as :meth:`add_upload_checked`
        does; ``False`` when its length was set meanwhile."""

    async def get_upload(self, upload_id: str) -> Upload | None:
        """The upload with this id, or ``None``."""

    async def states_of(self, upload_ids: Sequence[str]) -> dict[str, UploadState]:
        """The state of each of these uploads that has a row (absent ids left out)."""

    async def get_with_owner(self, upload_id: str) -> tuple[Upload, UploadOwner] | None:
        """The upload with this id and the submission it belongs to, or ``None``."""

    async def owner_by_token_hash(self, token_hash: str) -> UploadOwner | None:
        """The submission whose submitter token has this hash, or ``None``."""

    async def uploads_of(self, submission_id: str) -> list[Upload]:
        """Every upload of a submission, oldest first."""

    async def claim(
        self, upload_id: str, *, offset: int, lock_id: str, until: dt.datetime, now: dt.datetime
    ) -> Claim:
        """Take the lease if the upload is open, at ``offset``, and not leased by another."""

    async def claim_as_owner(
        self,
        upload_id: str,
        *,
        token_hash: str,
        offset: int,
        lock_id: str,
        until: dt.datetime,
        now: dt.datetime,
    ) -> Claimed | None:
        """Claim, in one step, an open upload at ``offset`` of the submission whose
        token hash is ``token_hash``, and read its submission's data key; ``None`` when
        any of that is not so."""

    async def free_as_owner(
        self, upload_id: str, *, token_hash: str, offset: int, now: dt.datetime
    ) -> Claimed | None:
        """What :meth:`claim_as_owner` would claim, read without claiming it."""

    async def renew(self, upload_id: str, lock_id: str, until: dt.datetime) -> bool:
        """Extend a lease still held; ``False`` when it was lost."""

    async def save(
        self,
        upload: Upload,
        *,
        lock_id: str,
        release: bool,
        drop_tail: bool = False,
        tail_stored: bool = False,
        tail: AsyncIterable[SealedTail] | None = None,
    ) -> bool:
        """Store the upload's progress if it is open and ``lock_id`` still holds the lease;
        ``False`` (and nothing stored) otherwise. In the same transaction, after the lease
        is found held, the tail stored so far is deleted when ``drop_tail``, then each
        piece of ``tail`` (if any) is added as it comes (read one at a time: a piece need
        not be in memory before its turn). A save that ends an upload with a tail must
        pass ``drop_tail``: an upload no longer open keeps no tail (nor head, nor hash
        state). The deleted rows are left unzeroed only when ``tail_stored`` says their
        every byte is in a stored part or object now, sealed there as here."""

    async def save_unleased(
        self,
        upload: Upload,
        *,
        offset: int,
        now: dt.datetime,
        tail: AsyncIterable[SealedTail] | None = None,
    ) -> bool:
        """Store the upload's progress, and add ``tail`` to its tail as :meth:`save` does,
        if it is open, still at ``offset`` and not leased by another (at ``now``); ``False``
        (and nothing stored) otherwise."""

    async def tail_spans(self, upload_id: str) -> list[TailSpan]:
        """Where each piece of the upload's tail lies, in offset order."""

    async def tail_pieces(self, upload_id: str, first: int, last: int) -> list[SealedTail]:
        """The pieces of the upload's tail that start from offset ``first`` to ``last``
        (both included), in offset order."""

    async def release(self, upload_id: str, lock_id: str) -> None:
        """Give the lease up (no-op when not held)."""

    async def set_state(
        self,
        upload_id: str,
        state: UploadState,
        *,
        now: dt.datetime,
        unless_locked: bool = False,
        from_state: UploadState = UploadState.OPEN,
    ) -> bool:
        """Move an upload from ``from_state`` to ``state`` (unless ``state`` is open, its
        tail, head and hash state are deleted with it); ``False`` when it is not in
        ``from_state`` (or, with ``unless_locked``, while a request holds its lease)."""

    async def expired(self, now: dt.datetime, limit: int = 100) -> list[Upload]:
        """Open or complete uploads of drafts whose expiry has passed, oldest first."""
