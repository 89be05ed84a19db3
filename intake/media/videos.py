"""Videos, opened for real in a decoder process with PyAV (FFmpeg).

A crafted file must not make FFmpeg read anything but itself: the container format is
forced to the one libmagic sniffed (an HLS playlist or a concat list is never probed),
only the ``file`` protocol is allowed for any nested open, and MOV external data
references stay off. The poster frame is found by seeking (never by decoding the whole
file); the public copy is the video and audio streams in a fresh container with no
metadata, their packets rid of in-band metadata (SEI and the like) by bitstream filters,
or re-encoded for a codec that has no such filter (:mod:`intake.media.video_bitstreams`).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import av
import av.container
import av.error
from PIL import Image

from intake.core.errors import MediaRejected
from intake.media.credentials import read_credentials
from intake.media.photos import dhash
from intake.media.results import Derivative, Inspected, VideoLimits
from intake.media.video_bitstreams import stream_copy
from intake.media.video_metadata import container_facts, stream_rotation

DEMUXERS = {  # sniffed type -> (FFmpeg demuxer, allowed demuxers)
    "video/mp4": "mov",
    "video/x-m4v": "mov",
    "video/quicktime": "mov",
    "video/3gpp": "mov",
    "video/webm": "matroska",
    "video/x-matroska": "matroska",
}
PUBLIC_FORMATS = {  # sniffed type -> (muxer, content type, extension)
    "video/mp4": ("mp4", "video/mp4", "mp4"),
    "video/x-m4v": ("mp4", "video/mp4", "mp4"),
    "video/quicktime": ("mov", "video/quicktime", "mov"),
    "video/3gpp": ("3gp", "video/3gpp", "3gp"),
    "video/webm": ("webm", "video/webm", "webm"),
    "video/x-matroska": ("matroska", "video/x-matroska", "mkv"),
}
SAFE_OPTIONS = {
    "protocol_whitelist": "file",
    "enable_drefs": "0",  # MOV: never follow data references to other files
    "use_absolute_path": "0",
}


def open_video(path: str, mime: str) -> av.container.InputContainer:
    """Open ``path`` as exactly the sniffed container, reading nothing but the file."""
    demuxer = DEMUXERS[mime]
    options = {**SAFE_OPTIONS, "format_whitelist": demuxer}
    try:
        return av.open(
            path, mode="r", format=demuxer, options=options, metadata_errors="replace",
            timeout=30.0,
        )  # fmt: skip
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise MediaRejected(f"The video could not be opened as {mime}: {exc}") from exc


def _duration(container: av.container.InputContainer, video: av.VideoStream) -> float | None:
    if container.duration:
        return float(container.duration) / av.time_base
    if video.duration and video.time_base:
        return float(video.duration * video.time_base)
    return None


def probe(container: av.container.InputContainer, limits: VideoLimits) -> dict[str, Any]:
    """What the container and its streams say; refuse what is over the limits."""
    if not container.streams.video:
        raise MediaRejected("The file has no video stream.")
    video = container.streams.video[0]
    width, height = video.codec_context.width, video.codec_context.height
    if not width or not height:
        raise MediaRejected("The video stream has no picture size.")
    if max(width, height) > limits.max_side:
        raise MediaRejected(
            f"The video is {width}x{height}; videos larger than {limits.max_side} pixels "
            "on a side are refused."
        )
    duration = _duration(container, video)
    if duration is not None and duration > limits.max_seconds:
        raise MediaRejected(
            f"The video lasts {duration:.0f} s; videos longer than "
            f"{limits.max_seconds:.0f} s are refused."
        )
    rate = video.average_rate or video.guessed_rate
    audio = container.streams.audio[0] if container.streams.audio else None
    facts: dict[str, Any] = {
        "container": container.format.name, "video_codec": video.codec_context.name,
        "width": width, "height": height,
        "duration_seconds": round(duration, 3) if duration is not None else None,
        "frame_rate": round(float(rate), 3) if rate else None,
        "audio_codec": audio.codec_context.name if audio else None,
    }  # fmt: skip
    return {**facts, **container_facts(container, video)}


def poster(
    container: av.container.InputContainer, at_seconds: float, duration: float | None
) -> tuple[Image.Image, int]:
    """The first picture at or after the key frame before ``at_seconds`` (or the middle
    of a shorter video), with the display rotation it carries, by seeking."""
    video = container.streams.video[0]
    target = min(at_seconds, duration / 2) if duration else 0.0
    if target > 0 and video.time_base:
        start = video.start_time or 0
        container.seek(start + int(target / video.time_base), stream=video, backward=True)
    try:
        for frame in container.decode(video):
            rotation = frame.rotation or stream_rotation(video)
            return frame.to_image(), rotation  # type: ignore[no-untyped-call]
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise MediaRejected(f"The video's pictures could not be decoded: {exc}") from exc
    raise MediaRejected("The video has no picture that decodes.")


def keyframe_hashes(
    container: av.container.InputContainer, duration: float | None, count: int, rotation: int
) -> list[str]:
    """dHashes of the key frames at or before ``count`` points evenly spread over the
    video (by seeking: one frame decoded each), turned for display as the poster is."""
    video = container.streams.video[0]
    if not duration or not count or not video.time_base:
        return []
    hashes: list[str] = []
    start = video.start_time or 0
    for i in range(1, count + 1):
        at = duration * i / (count + 1)
        try:
            container.seek(start + int(at / video.time_base), stream=video, backward=True)
            frame = next(container.decode(video), None)
        except (av.error.FFmpegError, OSError, ValueError, StopIteration):
            continue
        if frame is not None:
            picture = _rotated(frame.to_image(), rotation)  # type: ignore[no-untyped-call]
            hashes.append(dhash(picture))
    return hashes


def _rotated(image: Image.Image, rotation: int) -> Image.Image:
    """FFmpeg's rotation is counter-clockwise degrees; apply it for display."""
    quarter = round(rotation / 90) % 4
    turns = {1: Image.Transpose.ROTATE_90, 2: Image.Transpose.ROTATE_180,
             3: Image.Transpose.ROTATE_270}  # fmt: skip
    return image.transpose(turns[quarter]) if quarter else image


def remux(
    source: av.container.InputContainer, mime: str, out: Path
) -> tuple[Derivative, float | None]:
    """The video and audio streams in a new container with no metadata, their bitstreams
    rid of in-band metadata (see :mod:`intake.media.video_bitstreams`); and where the last
    video packet ends, in seconds (the duration of a file that does not say it)."""
    muxer, content_type, extension = PUBLIC_FORMATS[mime]
    path = out / f"public.{extension}"
    source.seek(0)
    kept = [s for s in source.streams if s.type in ("video", "audio")]
    options = {"fflags": "+bitexact"}  # no encoder tag, no creation time
    with av.open(str(path), mode="w", format=muxer, options=options) as target:
        end = 0.0
        try:
            copies = {stream.index: stream_copy(stream, target) for stream in kept}
            target.metadata.clear()
            for packet in source.demux(kept):
                if not packet.size:  # the demuxer's end-of-stream marker
                    continue
                if packet.stream.type == "video" and packet.pts is not None and packet.time_base:
                    end = max(end, float((packet.pts + (packet.duration or 0)) * packet.time_base))
                target.mux(copies[packet.stream.index].send(packet))
            for copy in copies.values():
                target.mux(copy.send(None))
        except (av.error.FFmpegError, ValueError) as exc:
            raise MediaRejected(f"The video could not be copied: {exc}") from exc
    return Derivative(str(path), content_type, extension), (end or None)


def inspect_video(path: str, mime: str, out_dir: str, limits: VideoLimits) -> Inspected:
    """Open the video at ``path`` (sniffed as ``mime``), describe it, and write its
    poster thumbnail and public copy into ``out_dir``; raise :class:`MediaRejected`."""
    out = Path(out_dir)
    clock = time.perf_counter
    started = clock()
    with open_video(path, mime) as container:
        extracted = probe(container, limits)
        probed = clock()
        picture, rotation = poster(container, limits.poster_seconds, extracted["duration_seconds"])
        extracted["rotation"] = (-rotation) % 360
        thumb = _rotated(picture, rotation)
        hashes = [dhash(thumb)]
        thumb.thumbnail((limits.thumbnail_side, limits.thumbnail_side))
        thumb.convert("RGB").save(out / "thumb.jpg", "JPEG", quality=80)
        postered = clock()
        public, end = remux(container, mime, out)
        if extracted["duration_seconds"] is None and end is not None:
            extracted["duration_seconds"] = round(end, 3)
        remuxed = clock()
        hashes += keyframe_hashes(container, extracted["duration_seconds"], limits.keyframes,
                                  rotation)  # fmt: skip
    if credentials := read_credentials(path, mime, limits.trust_anchors):
        extracted["credentials"] = credentials
    done = clock()
    timings = {"probe": probed - started, "poster": postered - probed,
               "remux": remuxed - postered, "verification": done - remuxed}  # fmt: skip
    thumbnail = Derivative(str(out / "thumb.jpg"), "image/jpeg", "jpg")
    return Inspected(extracted, public, thumbnail, "", tuple(hashes), timings)
