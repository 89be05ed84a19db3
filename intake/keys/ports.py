"""The port of data keys: kept wrapped in the database, one per submission."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class WrappedKey:
    submission_id: str
    master_key_id: str
    wrapped: bytes


@dataclass(frozen=True)
class KeyCounts:
    by_master_key: dict[str, int]
    """Live data keys per master key id."""
    destroyed: int


class DataKeyRepository(Protocol):
    """Wrapped data keys. A destroyed key leaves a row without its key, so that no key
    is ever made again for that submission; every change is committed when it returns."""

    async def get(self, submission_id: str) -> WrappedKey | None:
        """The live key of a submission, or ``None`` (none made yet, or destroyed)."""

    async def add(self, key: WrappedKey, now: dt.datetime) -> WrappedKey | None:
        """Store ``key`` unless the submission has one (live or destroyed); return the
        key the submission has now (``None``: it was destroyed)."""

    async def submission_of_upload(self, upload_id: str) -> str | None:
        """The submission a resumable upload belongs to, or ``None``."""

    async def destroy(self, submission_id: str, now: dt.datetime) -> None:
        """Overwrite the submission's key (made or not: none will be made after)."""

    async def rewrap(self, old: WrappedKey, new: WrappedKey) -> bool:
        """Replace ``old`` by ``new`` if it is still ``old``; ``False`` otherwise."""

    async def wrapped_with(self, master_key_ids: set[str], limit: int) -> list[WrappedKey]:
        """Live keys wrapped with none of ``master_key_ids``."""

    async def counts(self) -> KeyCounts:
        """How many keys each master key wraps, and how many were destroyed."""


@dataclass(frozen=True)
class PublishedCopy:
    """A public copy an editor published: unsealed, under a key that says nothing."""

    object_key: str
    submission_id: str
    file_id: str
    published_at: dt.datetime
    published_by: str


class PublishedCopyRepository(Protocol):
    """The record of every published copy, so that a withdrawal deletes them too."""

    async def add(self, copy: PublishedCopy) -> None:
        """Record a copy (committed when it returns)."""

    async def of_submission(self, submission_id: str) -> list[PublishedCopy]:
        """Every copy published of a submission's files, oldest first."""

    async def remove(self, object_keys: list[str]) -> None:
        """Forget these copies (their objects deleted already)."""
