"""Photos, decoded for real in a decoder process: measured, described, made safe.

The header is read first and a photo over the pixel limit (a decompression bomb) is
refused before a single pixel is decoded. Then every frame is decoded in full; the
public copy is the oriented picture in sRGB with no metadata block at all (EXIF, XMP,
IPTC, ICC, comments, text chunks); the thumbnail is the first frame, oriented.
"""

from __future__ import annotations

import io
import time
import warnings
from pathlib import Path
from typing import Any

import pillow_heif
from PIL import Image, ImageCms, ImageOps, ImageSequence

from intake.core.errors import MediaRejected
from intake.media.photo_metadata import exif_facts
from intake.media.results import Derivative, Inspected, PhotoLimits

PILLOW_FORMATS = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WEBP",
    "image/gif": "GIF",
    "image/heic": "HEIF",
    "image/heif": "HEIF",
}
PUBLIC_FORMATS = {  # sniffed type -> (Pillow format, content type, extension)
    "image/jpeg": ("JPEG", "image/jpeg", "jpg"),
    "image/png": ("PNG", "image/png", "png"),
    "image/webp": ("WEBP", "image/webp", "webp"),
    "image/gif": ("GIF", "image/gif", "gif"),
    "image/heic": ("JPEG", "image/jpeg", "jpg"),
    "image/heif": ("JPEG", "image/jpeg", "jpg"),
}
ANIMATION_PIXEL_FACTOR = 10
"""An animation may decode up to this many times the pixel limit over all its frames."""
KEPT_INFO = ("duration", "loop", "transparency", "background", "disposal")
"""What a frame's ``info`` may keep into the public copy: timing and transparency."""
_SRGB = ImageCms.createProfile("sRGB")


def _open(path: str, mime: str, limits: PhotoLimits) -> Image.Image:
    pillow_heif.register_heif_opener()
    Image.MAX_IMAGE_PIXELS = limits.max_pixels  # Pillow's own guard, in this process only
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(path, formats=[PILLOW_FORMATS[mime]])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise MediaRejected(
            f"The photo has more than {limits.max_pixels / 1e6:g} MP; photos over that are "
            f"refused without decoding ({exc})."
        ) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise MediaRejected(f"The photo could not be read as {mime}: {exc}") from exc
    width, height = image.size
    if width * height > limits.max_pixels:
        image.close()
        raise MediaRejected(
            f"The photo is {width}x{height} pixels ({width * height / 1e6:g} MP); photos "
            f"over {limits.max_pixels / 1e6:g} MP are refused without decoding."
        )
    return image


def _decode_all(image: Image.Image, limits: PhotoLimits) -> int:
    """Decode every frame (truncated or corrupt data fails here); return the count."""
    budget = limits.max_pixels * ANIMATION_PIXEL_FACTOR
    frames = 0
    try:
        for frame in ImageSequence.Iterator(image):
            budget -= frame.size[0] * frame.size[1]
            if budget < 0:
                raise MediaRejected(
                    f"The animation has too many frames to decode safely ({frames}+)."
                )
            frame.load()
            frames += 1
        image.seek(0)
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise MediaRejected(f"The photo could not be decoded: {exc}") from exc
    return frames


def _srgb(frame: Image.Image) -> Image.Image:
    """The frame converted to sRGB when it carries an ICC profile (then dropped)."""
    icc = frame.info.get("icc_profile")
    if not icc or frame.mode not in ("RGB", "RGBA", "CMYK", "L"):
        return frame
    out_mode = "RGBA" if frame.mode == "RGBA" else "RGB"
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(frame, source, _SRGB, outputMode=out_mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return frame
    return converted if converted is not None else frame


def _clean(frame: Image.Image) -> Image.Image:
    """The frame oriented, in sRGB, with no metadata left in its ``info``."""
    oriented = ImageOps.exif_transpose(frame) or frame
    if oriented is frame:
        oriented = frame.copy()
    converted = _srgb(oriented)
    converted.info = {k: v for k, v in frame.info.items() if k in KEPT_INFO}
    return converted


def _for_format(image: Image.Image, fmt: str) -> Image.Image:
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        return image.convert("RGB")
    return image


def _save_public(
    image: Image.Image, mime: str, frames: int, out: Path
) -> tuple[Derivative, Image.Image]:
    """The public copy written; and its first frame, cleaned (for the thumbnail)."""
    fmt, content_type, extension = PUBLIC_FORMATS[mime]
    path = out / f"public.{extension}"
    if frames > 1 and fmt in ("GIF", "WEBP"):
        cleaned = [_clean(f.copy()) for f in ImageSequence.Iterator(image)]
        durations = [f.info.get("duration", 100) for f in cleaned]
        cleaned[0].save(
            path, fmt, save_all=True, append_images=cleaned[1:], duration=durations,
            loop=image.info.get("loop", 0),
        )  # fmt: skip
    else:
        image.seek(0)
        cleaned = [_clean(image)]
        options: dict[str, Any] = {"JPEG": {"quality": 90}, "WEBP": {"quality": 90}}.get(fmt, {})
        _for_format(cleaned[0], fmt).save(path, fmt, **options)
    return Derivative(str(path), content_type, extension), cleaned[0]


def dhash(image: Image.Image) -> str:
    """64-bit difference hash: is each pixel of a 9x8 grey version brighter than its
    right neighbour; 16 hex digits. Close hashes (few differing bits) look alike."""
    small = image.convert("L").resize((9, 8), Image.Resampling.LANCZOS)
    pixels = list(small.tobytes())
    bits = 0
    for row in range(8):
        for col in range(8):
            left, right = pixels[row * 9 + col], pixels[row * 9 + col + 1]
            bits = (bits << 1) | (left > right)
    return f"{bits:016x}"


def _thumbnail(first: Image.Image, side: int, out: Path) -> tuple[Derivative, str]:
    """``first`` (the cleaned first frame, changed in place) as a small JPEG; its dHash."""
    first.thumbnail((side, side))
    rgb = first.convert("RGB") if first.mode != "RGB" else first
    rgb.info = {}
    path = out / "thumb.jpg"
    rgb.save(path, "JPEG", quality=80)
    return Derivative(str(path), "image/jpeg", "jpg"), dhash(rgb)


def inspect_photo(path: str, mime: str, out_dir: str, limits: PhotoLimits) -> Inspected:
    """Decode the photo at ``path`` (sniffed as ``mime``) in full and write its public
    copy and thumbnail into ``out_dir``; raise :class:`MediaRejected` with the reason
    when it is too large or does not decode."""
    started = time.perf_counter()
    out = Path(out_dir)
    with _open(path, mime, limits) as image:
        frames = _decode_all(image, limits)
        decoded = time.perf_counter()
        extracted: dict[str, Any] = {
            "format": image.format, "width": image.size[0], "height": image.size[1],
            **exif_facts(image),
        }  # fmt: skip
        if frames > 1:
            extracted["frames"] = frames
        public, first = _save_public(image, mime, frames, out)
        published = time.perf_counter()
        thumbnail, phash = _thumbnail(first, limits.thumbnail_side, out)
    done = time.perf_counter()
    timings = {"decode": decoded - started, "public": published - decoded,
               "thumbnail": done - published}  # fmt: skip
    return Inspected(extracted, public, thumbnail, phash, timings)
