"""Real media files for the tests, made in memory with Pillow, pillow-heif and PyAV.

Every photo generator writes the same capture facts (:data:`CAPTURED_AT`, :data:`MAKE`,
:data:`MODEL`, :data:`ORIENTATION`, :data:`LATITUDE`/:data:`LONGITUDE`/:data:`ALTITUDE_M`)
where its format can hold them, and every video generator writes :data:`CAPTURED_AT` as
``creation_time`` and :data:`LOCATION_ISO6709` as ``location`` where its muxer keeps
them, so tests can check that metadata is kept, read or stripped.

Each generated file is sniffed by libmagic as its type in ``intake.media.types``.
The ``bad``-input helpers at the end make files that must be refused.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import struct
import zipfile
from collections.abc import Iterator, Mapping
from functools import cache

import av
import pillow_heif
from PIL import Image, ImageDraw
from PIL.PngImagePlugin import PngInfo

CAPTURED_AT = dt.datetime(2024, 5, 1, 12, 34, 56, tzinfo=dt.UTC)
MAKE = "IntakeTest"
MODEL = "Factory Camera 1"
ORIENTATION = 6
"""EXIF Orientation 6: the stored pixels must be rotated 90° clockwise for display."""
LATITUDE = 48.8577
LONGITUDE = 2.2950
ALTITUDE_M = 35.0
LOCATION_ISO6709 = "+48.8577+002.2950/"

PHOTO_SIZE = (64, 48)
VIDEO_SIZE = (160, 120)
VIDEO_FPS = 5

_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825
_MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"


# --- photos -------------------------------------------------------------------------


def _picture(size: tuple[int, int] = PHOTO_SIZE, step: int = 0) -> Image.Image:
    """A small RGB picture with a shape that moves with ``step`` (for animation)."""
    width, height = size
    image = Image.new("RGB", size, (30, 120 + 10 * step % 100, 200))
    x = (step * 8) % max(width - 16, 1)
    ImageDraw.Draw(image).ellipse((x, height // 4, x + 16, height // 4 + 16), fill=(250, 200, 0))
    return image


def _dms(degrees: float) -> tuple[float, float, float]:
    """Decimal degrees as EXIF's (degrees, minutes, seconds), sign dropped."""
    value = abs(degrees)
    whole = int(value)
    minutes = int((value - whole) * 60)
    seconds = round(((value - whole) * 60 - minutes) * 60, 4)
    return float(whole), float(minutes), seconds


def camera_exif(orientation: int = ORIENTATION) -> Image.Exif:
    """EXIF as a phone writes it: Make, Model, Orientation and DateTime in IFD0,
    DateTimeOriginal in the Exif IFD, and GPS latitude, longitude and altitude (above
    sea level) in the GPS IFD (0x8825)."""
    exif = Image.Exif()
    stamp = CAPTURED_AT.strftime("%Y:%m:%d %H:%M:%S")
    exif[0x010F] = MAKE
    exif[0x0110] = MODEL
    exif[0x0112] = orientation
    exif[0x0132] = stamp
    exif.get_ifd(_EXIF_IFD)[0x9003] = stamp  # DateTimeOriginal
    gps = exif.get_ifd(_GPS_IFD)
    gps[0x0000] = b"\x02\x03\x00\x00"  # GPSVersionID 2.3
    gps[0x0001] = "N" if LATITUDE >= 0 else "S"
    gps[0x0002] = _dms(LATITUDE)
    gps[0x0003] = "E" if LONGITUDE >= 0 else "W"
    gps[0x0004] = _dms(LONGITUDE)
    gps[0x0005] = b"\x00"  # GPSAltitudeRef: above sea level
    gps[0x0006] = ALTITUDE_M
    return exif


@cache
def jpeg_with_exif() -> bytes:
    """A 64x48 JPEG (JFIF) with :func:`camera_exif`: Make, Model, Orientation 6,
    DateTime/DateTimeOriginal and GPS latitude, longitude, altitude."""
    out = io.BytesIO()
    _picture().save(out, "JPEG", quality=85, exif=camera_exif())
    return out.getvalue()


@cache
def large_jpeg(min_bytes: int) -> bytes:
    """A JPEG of random pixels at least ``min_bytes`` long, with :func:`camera_exif`
    (noise does not compress, so the file is large for its pixel count)."""
    side = 128
    while True:
        pixels = random.Random(side).randbytes(side * side * 3)
        out = io.BytesIO()
        Image.frombytes("RGB", (side, side), pixels).save(
            out, "JPEG", quality=95, exif=camera_exif()
        )
        if out.tell() >= min_bytes:
            return out.getvalue()
        side *= 2


@cache
def png_image() -> bytes:
    """A 64x48 RGB PNG with a ``Creation Time`` tEXt chunk (PNG has no EXIF here)."""
    info = PngInfo()
    info.add_text("Creation Time", CAPTURED_AT.isoformat())
    out = io.BytesIO()
    _picture().save(out, "PNG", pnginfo=info)
    return out.getvalue()


@cache
def webp_with_exif() -> bytes:
    """A 64x48 lossy WebP (RIFF, VP8X) with an EXIF chunk holding :func:`camera_exif`."""
    out = io.BytesIO()
    _picture().save(out, "WEBP", quality=80, exif=camera_exif())
    return out.getvalue()


@cache
def heic_with_exif() -> bytes:
    """A 64x48 HEIC (ftyp ``heic``, HEVC still image) with an Exif item holding
    :func:`camera_exif`, GPS included. libheif applies rotation with an ``irot`` box,
    so readers may report Orientation 1 for it."""
    out = io.BytesIO()
    pillow_heif.from_pillow(_picture()).save(out, quality=50, exif=camera_exif().tobytes())
    return out.getvalue()


@cache
def animated_gif(frames: int = 4) -> bytes:
    """A 64x48 GIF89a with ``frames`` frames of 100 ms, looping forever (NETSCAPE2.0);
    GIF holds no capture metadata."""
    images = [_picture(step=i) for i in range(frames)]
    out = io.BytesIO()
    images[0].save(
        out, "GIF", save_all=True, append_images=images[1:], duration=100, loop=0, disposal=2
    )
    return out.getvalue()


# --- videos -------------------------------------------------------------------------


def _video_frames(size: tuple[int, int], count: int) -> Iterator[av.VideoFrame]:
    for step in range(count):
        yield av.VideoFrame.from_image(_picture(size, step))


def _encode_video(
    container_format: str,
    codec: str,
    *,
    size: tuple[int, int] = VIDEO_SIZE,
    fps: int = VIDEO_FPS,
    seconds: int = 1,
    muxer_options: Mapping[str, str] | None = None,
    codec_options: Mapping[str, str] | None = None,
    codec_tag: str | None = None,
) -> bytes:
    """``seconds`` of moving picture at ``fps``, muxed with ``creation_time`` and
    ``location`` in the container metadata (the muxer keeps what it can)."""
    out = io.BytesIO()
    with av.open(out, mode="w", format=container_format, options=dict(muxer_options or {})) as c:
        c.metadata["creation_time"] = CAPTURED_AT.strftime("%Y-%m-%dT%H:%M:%S.000000Z")
        c.metadata["location"] = LOCATION_ISO6709
        stream = c.add_stream(codec, rate=fps, options=dict(codec_options or {}))
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        if codec_tag:
            stream.codec_tag = codec_tag
        for frame in _video_frames(size, fps * seconds):
            c.mux(stream.encode(frame.reformat(format="yuv420p")))
        c.mux(stream.encode(None))
    return out.getvalue()


@cache
def mp4_h264() -> bytes:
    """1 s of 160x120 H.264 at 5 fps in MP4 (ftyp ``isom``); mvhd creation_time and
    ``©xyz`` location (+48.8577+002.2950/)."""
    return _encode_video("mp4", "libx264")


@cache
def mp4_hevc() -> bytes:
    """1 s of 160x120 HEVC (tagged ``hvc1``, as Apple writes it) at 5 fps in MP4;
    mvhd creation_time and ``©xyz`` location."""
    return _encode_video(
        "mp4", "libx265", codec_options={"x265-params": "log-level=none"}, codec_tag="hvc1"
    )


@cache
def mov_h264() -> bytes:
    """1 s of 160x120 H.264 at 5 fps in QuickTime MOV (ftyp ``qt  ``); mvhd
    creation_time and ``©xyz`` location in udta."""
    return _encode_video("mov", "libx264")


@cache
def webm_vp9() -> bytes:
    """1 s of 160x120 VP9 at 5 fps in WebM; DateUTC (creation_time) in the segment info
    and a LOCATION tag."""
    return _encode_video("webm", "libvpx-vp9", codec_options={"deadline": "realtime"})


@cache
def mkv_h264() -> bytes:
    """1 s of 160x120 H.264 at 5 fps in Matroska (DocType ``matroska``); DateUTC
    (creation_time) in the segment info and a LOCATION tag."""
    return _encode_video("matroska", "libx264")


@cache
def threegp_h263() -> bytes:
    """1 s of 176x144 (QCIF) H.263 at 5 fps in 3GPP (ftyp ``3gp4``), as old phones
    record; mvhd creation_time and ``©xyz`` location."""
    return _encode_video("3gp", "h263", size=(176, 144))


# --- videos carrying metadata inside their bitstream ----------------------------------

SEI_LOCATION = b"34.5311N,69.1701E"
SEI_SERIAL = b"SN-CAM-00042917"
ENCODER_SEI_MARKS = (b"x264 - core", b"x265 (build", b"options:")
"""What libx264 and libx265 write into their own settings SEI."""
_SEI_UUID = bytes.fromhex("d2b7f0a15c3e4b6a9e1f0c2d3b4a5968")


def _sei_payload(text: bytes) -> bytes:
    """One user_data_unregistered SEI message (payload type 5): a UUID, then ``text``;
    then the RBSP trailing bits."""
    body = _SEI_UUID + text
    size = b"\xff" * (len(body) // 255) + bytes([len(body) % 255])
    return b"\x05" + size + body + b"\x80"


def _in_band_unit(codec: str, text: bytes) -> bytes:
    """``text`` as an Annex B unit each codec's decoder skips: an SEI NAL unit (H.264
    type 6, HEVC prefix SEI type 39) or MPEG-4 Part 2 user data (start code 0xB2)."""
    if codec == "h264":
        return b"\x00\x00\x00\x01\x06" + _sei_payload(text)
    if codec == "hevc":
        return b"\x00\x00\x00\x01\x4e\x01" + _sei_payload(text)
    return b"\x00\x00\x01\xb2" + text


def video_with_in_band_metadata(container_format: str, encoder: str) -> bytes:
    """1 s of video in which every packet starts with a camera's in-band metadata unit
    holding :data:`SEI_LOCATION` and :data:`SEI_SERIAL` (the muxers convert the Annex B
    units to length-prefixed ones where the container wants them); the encoder's own
    settings SEI (libx264, libx265) stays in the first packet."""
    options = {"x265-params": "log-level=none"} if encoder == "libx265" else {}
    out = io.BytesIO()
    with av.open(out, mode="w", format=container_format) as container:
        stream = container.add_stream(encoder, rate=VIDEO_FPS, options=options)
        stream.width, stream.height = VIDEO_SIZE
        stream.pix_fmt = "yuv420p"
        unit = _in_band_unit(
            stream.codec_context.name, b"GPS " + SEI_LOCATION + b" SERIAL " + SEI_SERIAL
        )
        frames = [f.reformat(format="yuv420p") for f in _video_frames(VIDEO_SIZE, VIDEO_FPS)]
        for frame in [*frames, None]:
            for packet in stream.encode(frame):
                crafted = av.Packet(unit + bytes(packet))
                crafted.pts, crafted.dts = packet.pts, packet.dts
                crafted.time_base, crafted.stream = packet.time_base, stream
                crafted.is_keyframe = packet.is_keyframe
                container.mux(crafted)
    return out.getvalue()


# --- inputs to refuse ---------------------------------------------------------------


def html_page() -> bytes:
    """An HTML document (what a mis-saved web page looks like)."""
    return (
        b"<!doctype html>\n<html><head><title>Photo</title></head>\n"
        b"<body><p>This is a web page, not a photo.</p></body></html>\n"
    )


def svg_image() -> bytes:
    """An SVG drawing (XML, may carry scripts; not a photo)."""
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="48">'
        b'<rect width="64" height="48" fill="#1e78c8"/></svg>\n'
    )


def minimal_pdf() -> bytes:
    """A valid one-page PDF 1.4 with an xref table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def zip_archive() -> bytes:
    """A zip archive holding one file, ``clip.mp4``, that is not a video."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("clip.mp4", b"not really a video\n" * 50)
    return out.getvalue()


def elf_binary(padding: int = 256) -> bytes:
    """A 64-bit little-endian x86-64 ELF executable header followed by zero padding."""
    header = (
        b"\x7fELF\x02\x01\x01\x00"  # class 64, little-endian, version 1, SysV ABI
        + b"\x00" * 8
        + b"\x02\x00\x3e\x00\x01\x00\x00\x00"  # ET_EXEC, x86-64, version 1
    )
    return header + b"\x00" * padding


def truncated_header() -> bytes:
    """The first two bytes of a JPEG (SOI) and nothing else."""
    return b"\xff\xd8"


def mp4_head_then_random(random_bytes: int) -> bytes:
    """An MP4 ``ftyp mp42`` box followed by ``random_bytes`` random bytes: sniffed as
    video/mp4, large at little cost."""
    return _MP4_HEAD + os.urandom(random_bytes)


@cache
def mp4_audio_only() -> bytes:
    """1 s of silence (AAC) in MP4: a valid file with no video stream."""
    out = io.BytesIO()
    with av.open(out, mode="w", format="mp4") as c:
        stream = c.add_stream("aac", rate=48000)
        for start in range(0, 48000, 1024):
            frame = av.AudioFrame(format="fltp", layout="mono", samples=1024)
            frame.planes[0].update(bytes(frame.planes[0].buffer_size))
            frame.sample_rate = 48000
            frame.pts = start
            c.mux(stream.encode(frame))
        c.mux(stream.encode(None))
    return out.getvalue()


def hls_playlist(segment_url: str) -> bytes:
    """An HLS playlist whose one segment is ``segment_url`` (a URL or a local path)."""
    return (
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:0\n"
        f"#EXTINF:1.0,\n{segment_url}\n#EXT-X-ENDLIST\n"
    ).encode()


def ffconcat_list(target: str) -> bytes:
    """An FFmpeg concat script that joins ``target`` (a URL or a local path)."""
    return f"ffconcat version 1.0\nfile '{target}'\n".encode()


def gif_bomb(frames: int, side: int) -> bytes:
    """A tiny GIF whose ``frames`` frames each decode to a ``side`` x ``side`` canvas: every
    frame draws one pixel, the decoder composes the whole canvas."""
    out = bytearray(b"GIF89a")
    out += struct.pack("<HHBBB", side, side, 0x80, 0, 0)  # 2-colour global table
    out += b"\x00\x00\x00\xff\xff\xff"
    for index in range(frames):
        out += b"\x21\xf9\x04\x00" + struct.pack("<H", 1) + b"\x00\x00"  # 10 ms
        out += b"\x2c" + struct.pack("<HHHHB", 0, 0, 1, 1, 0)
        out += b"\x02\x02" + bytes([0x44 if index % 2 else 0x4C, 0x01]) + b"\x00"
    out += b"\x3b"
    return bytes(out)
