"""What uploads may be: accepted types, sizes per kind and per submission, and how
they are written (part size, memory)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from intake.core.errors import UnsupportedMediaType
from intake.core.settings import Settings
from intake.media.sniff import known_type, sniff_mime
from intake.media.types import KNOWN_TYPES, MediaKind, MediaType
from intake.uploads.object_writer import WriterLimits
from intake.uploads.spool import MemoryBudget

PIECES_PER_FILE = 8
"""Parallel tus clients send a file in a few pieces (tus-js-client's ``parallelUploads``)."""


@dataclass(frozen=True)
class FilePolicy:
    """Which files are accepted and how large each kind may be."""

    accepted: frozenset[str]
    max_bytes: Mapping[MediaKind, int]
    sniff_bytes: int

    def accepted_labels(self) -> str:
        return ", ".join(sorted({KNOWN_TYPES[m].label for m in self.accepted}))

    def check_type(self, head: bytes, filename: str) -> MediaType:
        """The accepted media type of a file starting with ``head``, or a 415."""
        mime = sniff_mime(head)
        media_type = known_type(mime)
        if media_type is None or mime not in self.accepted:
            raise UnsupportedMediaType(
                f"{filename or 'A file'} is {mime}, which is not accepted. "
                f"Send photos or videos as {self.accepted_labels()}.",
                filename=filename,
                sniffed_type=mime,
                accepted_types=sorted(self.accepted),
            )
        return media_type

    def check_piece(self, head: bytes, filename: str) -> str:
        """What the first bytes of a partial upload are: a piece of a photo or video may
        start anywhere in it, where its bytes are compressed data, so libmagic's name for
        them proves nothing (a JPEG's middle may start with ``MZ``), except that they are
        never text: a piece that reads as text or markup (a page, a script) is a 415."""
        mime = sniff_mime(head)
        if mime.startswith("text/") or any(word in mime for word in _TEXTUAL):
            self.check_type(head, filename)
        return mime


_TEXTUAL = ("xml", "json", "javascript", "html")


@dataclass(frozen=True)
class UploadPolicy:
    """The limits every file of a submission is received under, whichever door."""

    files: FilePolicy
    writer: WriterLimits
    max_files: int
    max_total_bytes: int

    @property
    def max_partials(self) -> int:
        """Partial uploads (tus concatenation) waiting at once: enough to send each file
        in :data:`PIECES_PER_FILE` pieces."""
        return self.max_files * PIECES_PER_FILE

    @classmethod
    def from_settings(cls, settings: Settings) -> UploadPolicy:
        limits = settings.limits
        return cls(
            files=FilePolicy(
                accepted=frozenset(settings.media.accepted_types),
                max_bytes={
                    MediaKind.PHOTO: limits.photo_max_bytes,
                    MediaKind.VIDEO: limits.video_max_bytes,
                },
                sniff_bytes=settings.uploads.sniff_bytes,
            ),
            writer=WriterLimits(
                part_size=settings.s3.part_size,
                memory_buffer=settings.uploads.memory_buffer,
                spool_dir=settings.uploads.spool_dir or None,
                budget=MemoryBudget(settings.uploads.memory_budget),
            ),
            max_files=limits.max_files,
            max_total_bytes=limits.max_total_bytes,
        )
