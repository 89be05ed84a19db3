"""The real type of a file, from its first bytes, by libmagic."""

from __future__ import annotations

import magic

from intake.media.types import KNOWN_TYPES, MediaType

_ALIASES = {"image/heic-sequence": "image/heic", "image/heif-sequence": "image/heif",
            "video/3gpp2": "video/3gpp"}  # fmt: skip


def sniff_mime(head: bytes) -> str:
    """The MIME type libmagic sees in ``head`` (a few KiB are enough for media)."""
    mime = str(magic.from_buffer(head, mime=True))
    return _ALIASES.get(mime, mime)


def known_type(mime: str) -> MediaType | None:
    return KNOWN_TYPES.get(mime)
