"""A JPEG's public copy without re-encoding it: the same compressed picture, with every
metadata segment left out.

A JPEG is a run of marker segments around its entropy-coded scans. The copy keeps what
a decoder needs (quantisation and Huffman tables, frame header, restart interval, the
scans, Adobe's colour-transform flag) and drops the rest: EXIF (camera, serial, GPS,
thumbnail), XMP, IPTC, ICC profiles, MPF and its secondary pictures, comments, and
anything after the end of the picture (motion-photo videos, depth and gain maps). The
orientation the camera recorded is written back as a one-tag EXIF block, so the copy
shows upright. Decoding a 12 MP photo and encoding it again costs about 0.2 CPU-s and a
generation of quality; this costs a copy of the bytes.

Anything unexpected (a marker this module does not know, a truncated segment) answers
``None``: the caller falls back to decoding and re-encoding.
"""

from __future__ import annotations

from PIL import Image

SOI, EOI, SOS = 0xD8, 0xD9, 0xDA
KEPT = {0xDB, 0xC4, 0xCC, 0xDD}
"""Quantisation tables, Huffman tables, arithmetic-coding conditioning, restart interval."""
FRAMES = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
DROPPED = set(range(0xE0, 0xF0)) | {0xFE}
"""Application segments (APP0-APP15) and comments."""
ADOBE = 0xEE
ORIENTATION = 0x0112


def _orientation_segment(orientation: int) -> bytes:
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    body = exif.tobytes()
    return b"\xff\xe1" + (len(body) + 2).to_bytes(2, "big") + body


def _scan_end(data: bytes, start: int) -> int:
    """Where the entropy-coded data from ``start`` ends: at the first marker that is not
    a stuffed zero or a restart marker; ``-1`` if there is none."""
    at = start
    while True:
        at = data.find(b"\xff", at)
        if at < 0 or at + 1 >= len(data):
            return -1
        following = data[at + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            at += 1
            continue
        return at


def stripped(data: bytes, orientation: int = 1) -> bytes | None:
    """The JPEG ``data`` with no metadata, its ``orientation`` (EXIF 1-8) kept."""
    if not data.startswith(b"\xff\xd8"):
        return None
    out = [b"\xff\xd8"]
    if orientation != 1:
        out.append(_orientation_segment(orientation))
    at = 2
    while at + 2 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker == EOI:
            out.append(b"\xff\xd9")
            return b"".join(out)
        length = int.from_bytes(data[at + 2 : at + 4], "big")
        end = at + 2 + length
        if at + 4 > len(data) or length < 2 or end > len(data):
            return None
        segment = data[at:end]
        if marker == SOS:
            scan_end = _scan_end(data, end)
            if scan_end < 0:
                return None
            out.append(data[at:scan_end])
            at = scan_end
            continue
        adobe = marker == ADOBE and segment[4:9] == b"Adobe"
        if marker in KEPT or marker in FRAMES or adobe:
            out.append(segment)
        elif marker not in DROPPED:
            return None
        at = end
    return None
