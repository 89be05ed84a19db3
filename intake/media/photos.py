"""Photos, decoded for real in a decoder process: measured, described, made safe.

The header is read first and a photo over the pixel limit (a decompression bomb) is
refused before a single pixel is decoded. Then every frame is decoded in full, one at a
time, each only once the budget (frames, pixels over all frames) allows it; the public
copy is the oriented picture in sRGB with no metadata block at all (EXIF, XMP, IPTC, ICC,
comments, text chunks), an animation's written frame by frame; the thumbnail is the
first frame, oriented. A JPEG that is upright and sRGB already keeps its compressed
picture as sent, only its metadata segments left out (:mod:`.jpeg_segments`); it is
decoded for the checks and the thumbnail at the smallest scale the thumbnail allows.
"""

from __future__ import annotations

import io
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pillow_heif
from PIL import Image, ImageCms, ImageOps, ImageSequence

from intake.core.errors import MediaRejected
from intake.media.animation import write_gif, write_webp
from intake.media.credentials import read_credentials
from intake.media.jpeg_segments import ORIENTATION, stripped
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
ANIMATED = ("GIF", "WEBP")
"""Formats whose public copy keeps every frame (others keep the first)."""
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


def _frames(image: Image.Image, limits: PhotoLimits) -> Iterator[Image.Image]:
    """Each frame in turn, decoded only once the budget allows it: at most
    ``max_frames`` frames and ``max_total_pixels`` decoded over all of them."""
    total = 0
    index = 0
    try:
        for frame in ImageSequence.Iterator(image):
            if index >= limits.max_frames:
                raise MediaRejected(
                    f"The animation has more than {limits.max_frames} frames; animations "
                    "over that are refused."
                )
            total += frame.size[0] * frame.size[1]
            if total > limits.max_total_pixels:
                raise MediaRejected(
                    f"The animation's frames add up to more than "
                    f"{limits.max_total_pixels / 1e6:g} MP (after {index} frames); "
                    "animations over that are refused."
                )
            frame.load()
            index += 1
            yield frame
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise MediaRejected(f"The photo could not be decoded: {exc}") from exc


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


def _save_still(image: Image.Image, mime: str, out: Path) -> tuple[Derivative, Image.Image]:
    """The public copy of the first frame; that frame, cleaned (for the thumbnail)."""
    fmt, content_type, extension = PUBLIC_FORMATS[mime]
    path = out / f"public.{extension}"
    image.seek(0)
    cleaned = _clean(image)
    options: dict[str, Any] = {"JPEG": {"quality": 90}, "WEBP": {"quality": 90}}.get(fmt, {})
    _for_format(cleaned, fmt).save(path, fmt, **options)
    return Derivative(str(path), content_type, extension), cleaned


def _save_animation(
    image: Image.Image, mime: str, limits: PhotoLimits, out: Path
) -> tuple[Derivative, Image.Image, int]:
    """The public copy of every frame, written as each is decoded (one in memory at a
    time); the first frame, cleaned; the frame count."""
    fmt, content_type, extension = PUBLIC_FORMATS[mime]
    path = out / f"public.{extension}"
    loop = int(image.info.get("loop", 0))
    firsts: list[Image.Image] = []

    def cleaned() -> Iterator[Image.Image]:
        for frame in _frames(image, limits):
            clean = _clean(frame)
            if not firsts:
                firsts.append(clean.copy())
            yield clean

    if fmt == "GIF":
        count = write_gif(cleaned(), path, loop)
    else:
        count = write_webp(cleaned(), path, image.size, loop, quality=90)
    return Derivative(str(path), content_type, extension), firsts[0], count


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


def _is_srgb(icc: bytes) -> bool:
    try:
        description = ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(icc)))
    except (ImageCms.PyCMSError, OSError, ValueError):
        return False
    return description.strip().startswith("sRGB")


def _jpeg_as_sent(
    image: Image.Image, path: str, limits: PhotoLimits, out: Path
) -> tuple[Derivative, Image.Image, int] | None:
    """A JPEG's public copy without re-encoding (:mod:`.jpeg_segments`), when that
    changes nothing a viewer sees: upright already, in sRGB. The picture is still
    decoded in full (every coefficient), at the smallest scale the thumbnail allows."""
    icc = image.info.get("icc_profile")
    upright = image.getexif().get(ORIENTATION, 1) == 1
    if image.mode not in ("RGB", "L") or not upright or (icc and not _is_srgb(icc)):
        return None
    copy = stripped(Path(path).read_bytes())
    if copy is None:
        return None
    image.draft(image.mode, (limits.thumbnail_side, limits.thumbnail_side))
    frames = sum(1 for _ in _frames(image, limits))
    target = out / "public.jpg"
    target.write_bytes(copy)
    return Derivative(str(target), "image/jpeg", "jpg"), _clean(image), frames


def inspect_photo(path: str, mime: str, out_dir: str, limits: PhotoLimits) -> Inspected:
    """Decode the photo at ``path`` (sniffed as ``mime``) in full and write its public
    copy and thumbnail into ``out_dir``; raise :class:`MediaRejected` with the reason
    when it is too large or does not decode."""
    started = time.perf_counter()
    out = Path(out_dir)
    with _open(path, mime, limits) as image:
        extracted: dict[str, Any] = {
            "format": image.format, "width": image.size[0], "height": image.size[1],
        }  # fmt: skip
        if getattr(image, "is_animated", False) and PUBLIC_FORMATS[mime][0] in ANIMATED:
            public, first, frames = _save_animation(image, mime, limits, out)
        elif (
            mime == "image/jpeg"
            and limits.jpeg_as_sent
            and (as_sent := _jpeg_as_sent(image, path, limits, out))
        ):
            public, first, frames = as_sent
        else:
            frames = sum(1 for _ in _frames(image, limits))  # each frame decodes, one by one
            public, first = _save_still(image, mime, out)
        decoded = time.perf_counter()
        image.seek(0)
        extracted.update(exif_facts(image))
        if frames > 1:
            extracted["frames"] = frames
        if credentials := read_credentials(path, mime, limits.trust_anchors):
            extracted["credentials"] = credentials
        published = time.perf_counter()
        thumbnail, phash = _thumbnail(first, limits.thumbnail_side, out)
    done = time.perf_counter()
    timings = {"decode": decoded - started, "public": published - decoded,
               "thumbnail": done - published}  # fmt: skip
    return Inspected(extracted, public, thumbnail, phash, timings=timings)
