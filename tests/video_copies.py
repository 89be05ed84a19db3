"""Videos for the near-duplicate tests: a slowly panning scene, and a copy of a video
trimmed, scaled and re-encoded as a messenger or an editor would."""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from functools import cache

import av
from PIL import Image, ImageFilter

SIZE = (320, 240)
FPS = 10


@cache
def _scene(seed: int) -> Image.Image:
    """A wide picture of soft blobs, different for each ``seed``."""
    rng = random.Random(seed)
    small = Image.new("RGB", (48, 12))
    small.putdata([(rng.randrange(256), rng.randrange(256), rng.randrange(256))
                   for _ in range(48 * 12)])  # fmt: skip
    return small.resize((SIZE[0] * 4, SIZE[1]), Image.Resampling.BICUBIC).filter(
        ImageFilter.GaussianBlur(6)
    )


def _frames(seed: int, count: int) -> Iterator[Image.Image]:
    scene = _scene(seed)
    for step in range(count):
        x = step  # a slow pan: 10 pixels a second
        yield scene.crop((x, 0, x + SIZE[0], SIZE[1]))


def _encode(frames: Iterator[Image.Image], size: tuple[int, int], gop: int, crf: str) -> bytes:
    out = io.BytesIO()
    with av.open(out, mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=FPS, options={"crf": crf})
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.codec_context.gop_size = gop
        stream.codec_context.options = {**stream.codec_context.options, "sc_threshold": "0"}
        for picture in frames:
            frame = av.VideoFrame.from_image(picture.resize(size))
            container.mux(stream.encode(frame.reformat(format="yuv420p")))
        container.mux(stream.encode(None))
    return out.getvalue()


@cache
def panning_video(seed: int = 1, seconds: int = 10) -> bytes:
    """``seconds`` of a panning scene in H.264/MP4, a key frame every second."""
    return _encode(_frames(seed, seconds * FPS), SIZE, FPS, "23")


def trimmed_copy(data: bytes, start_seconds: float) -> bytes:
    """``data`` from ``start_seconds`` on, scaled to three quarters and re-encoded at a
    lower quality with key frames every 1.5 s."""
    with av.open(io.BytesIO(data)) as source:
        stream = source.streams.video[0]
        pictures = [
            frame.to_image()  # type: ignore[no-untyped-call]
            for frame in source.decode(stream)
            if frame.time is not None and frame.time >= start_seconds
        ]
    smaller = (SIZE[0] * 3 // 4, SIZE[1] * 3 // 4)
    return _encode(iter(pictures), smaller, FPS * 3 // 2, "32")
