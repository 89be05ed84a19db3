"""Animated public copies written frame by frame: one decoded frame in memory at a time.

Pillow's own ``save_all`` collects every frame before writing (GIF) or lists them (WebP),
so an animation of many large frames would hold all of them at once. These writers take
an iterator of cleaned frames and let each go once it is encoded. They use Pillow's GIF
frame writer and libwebp's animation encoder as Pillow does (its private helpers: the
version is pinned in the lock files, and ``tests/unit/media/test_photos.py`` checks the
output decodes with every frame and its timing).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from PIL import GifImagePlugin, Image, WebPImagePlugin, features
from PIL import _webp as webp

DEFAULT_DURATION = 100


def _palette_frame(frame: Image.Image) -> tuple[Image.Image, int | None]:
    """The frame in mode P (at most 256 colours); the index of transparent pixels."""
    if frame.mode == "RGBA":
        opaque = frame.getchannel("A").point(lambda a: 255 if a >= 128 else 0)
        paletted = frame.convert("RGB").quantize(colors=255)
        paletted.paste(255, mask=Image.eval(opaque, lambda a: 255 - a))
        return paletted, 255
    if frame.mode == "P":
        transparency = frame.info.get("transparency")
        return frame, transparency if isinstance(transparency, int) else None
    return frame.convert("RGB").quantize(colors=256), None


def write_gif(frames: Iterator[Image.Image], path: Path, loop: int) -> int:
    """Write ``frames`` (full-canvas frames, ``info["duration"]`` in ms) as an animated
    GIF; return how many were written."""
    count = 0
    with path.open("wb") as out:
        for frame in frames:
            paletted, transparent = _palette_frame(frame)
            params: dict[str, object] = {
                "duration": frame.info.get("duration", DEFAULT_DURATION),
                "include_color_table": True,
                "disposal": 2 if transparent is not None else 1,
            }
            if transparent is not None:
                params["transparency"] = transparent
            if count == 0:
                header = GifImagePlugin._get_global_header(paletted, {"loop": loop, **params})
                out.write(b"".join(header))
            GifImagePlugin._write_frame_data(out, paletted, (0, 0), params)
            count += 1
        out.write(b";")
    return count


def write_webp(
    frames: Iterator[Image.Image], path: Path, size: tuple[int, int], loop: int, quality: int
) -> int:
    """Write ``frames`` as an animated WebP of ``size``; return how many were written."""
    if not features.check("webp"):
        raise OSError("WebP support is missing")
    encoder = webp.WebPAnimEncoder(size, 0, loop, False, 3, 5, False, False)
    timestamp = 0
    count = 0
    for frame in frames:
        converted = WebPImagePlugin._convert_frame(frame)
        encoder.add(converted.getim(), timestamp, False, quality, 100, 0)
        timestamp += int(frame.info.get("duration", DEFAULT_DURATION))
        count += 1
    encoder.add(None, timestamp, False, quality, 100, 0)
    data = encoder.assemble("", "", "")
    if data is None:
        raise OSError("the WebP encoder returned nothing")
    path.write_bytes(data)
    return count
