"""Original filenames, made safe to show and to store as metadata."""

from __future__ import annotations

import unicodedata

MAX_FILENAME_CHARS = 200


def sanitize_filename(name: str | None) -> str:
    """The last path component of ``name`` without control characters or separators.

    The result is for display and records only; it is never part of a storage key.
    """
    if not name:
        return ""
    name = unicodedata.normalize("NFC", name)
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = name.strip().lstrip(".").strip()
    if len(name) > MAX_FILENAME_CHARS:
        stem, dot, ext = name.rpartition(".")
        keep = MAX_FILENAME_CHARS - len(ext) - 1
        name = f"{stem[:keep]}.{ext}" if dot and len(ext) <= 10 else name[:MAX_FILENAME_CHARS]
    return name
