"""Original filenames, made safe to show and to store as metadata."""

from __future__ import annotations

import unicodedata

MAX_FILENAME_CHARS = 200
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Embeddings, overrides and isolates: in a filename they can make ``gpj.exe`` read as
``exe.jpg``."""


def _kept(c: str) -> bool:
    return unicodedata.category(c) not in ("Cc", "Cs") and c not in BIDI_CONTROLS


def sanitize_filename(name: str | None) -> str:
    """The last path component of ``name`` without control characters, bidi overrides
    and isolates, or separators (ZWNJ, ZWJ, LRM and RLM stay: Dari names need them).

    The result is for display and records only; it is never part of a storage key.
    """
    if not name:
        return ""
    name = unicodedata.normalize("NFC", name)
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if _kept(c))
    name = name.strip().lstrip(".").strip()
    if len(name) > MAX_FILENAME_CHARS:
        stem, dot, ext = name.rpartition(".")
        keep = MAX_FILENAME_CHARS - len(ext) - 1
        name = f"{stem[:keep]}.{ext}" if dot and len(ext) <= 10 else name[:MAX_FILENAME_CHARS]
    return name
