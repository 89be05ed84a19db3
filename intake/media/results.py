"""What a decoder process hands back: plain, picklable data (no Pillow, no PyAV here).

The web and worker processes import only this module of the decoders' side; the
decoders themselves (:mod:`intake.media.photos`, :mod:`intake.media.videos`) run in
separate processes (:mod:`intake.inspection.decoders`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PhotoLimits:
    max_pixels: int
    """Of one frame (width x height), known from the header before decoding."""
    thumbnail_side: int
    max_frames: int = 1000
    max_total_pixels: int = 100_000_000
    """Decoded over all the frames of an animation."""
    jpeg_as_sent: bool = True
    """An upright sRGB JPEG's public copy keeps its compressed picture (metadata out)."""
    trust_anchors: str = ""
    """PEM root certificates whose content credentials (C2PA) are trusted."""


@dataclass(frozen=True)
class VideoLimits:
    max_seconds: float
    max_side: int
    thumbnail_side: int
    poster_seconds: float
    keyframes: int = 6
    """Keyframes hashed besides the poster (evenly spread over the video)."""
    trust_anchors: str = ""


@dataclass(frozen=True)
class Derivative:
    """A file a decoder wrote: the sanitized public copy or the thumbnail."""

    path: str
    content_type: str
    extension: str


@dataclass(frozen=True)
class Inspected:
    """A file that decoded: what it says about itself and the derivatives made from it."""

    extracted: dict[str, Any]
    public: Derivative
    thumbnail: Derivative
    phash: str = ""
    """dHash of a photo as 16 hex digits (64 bits); empty for videos."""
    frame_hashes: tuple[str, ...] = ()
    """A video's dHashes: the poster's first, then its keyframes'; empty for photos."""
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds spent per step (probe, poster, remux...), for benchmarks and logs."""
