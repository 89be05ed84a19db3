"""A video codec's configuration record (the container's extradata) without the
metadata units it may hold.

The bitstream filters clean packets; the configuration stored once in the container is
read by players too: an ``hvcC`` record has arrays of NAL units, and libx265 puts its
settings SEI there; an ``av1C`` record may end with metadata OBUs. H.264's ``avcC`` holds
parameter sets only. Annex B extradata (start codes) is cleaned the same way.
"""

from __future__ import annotations

import re

H264_SEI = frozenset({6})
HEVC_SEI = frozenset({39, 40})
AV1_SEQUENCE_HEADER = 1
_START_CODE = re.compile(b"\x00\x00\x01")


def _nal_type(codec: str, nal: bytes) -> int:
    return (nal[0] >> 1) & 0x3F if codec == "hevc" else nal[0] & 0x1F


def _annexb_without(codec: str, data: bytes, types: frozenset[int]) -> bytes:
    starts = [m.end() for m in _START_CODE.finditer(data)]
    kept = []
    for index, start in enumerate(starts):
        end = starts[index + 1] - 3 if index + 1 < len(starts) else len(data)
        nal = data[start:end].rstrip(b"\x00")
        if nal and _nal_type(codec, nal) not in types:
            kept.append(b"\x00\x00\x00\x01" + nal)
    return b"".join(kept)


def _hvcc_without_sei(record: bytes) -> bytes:
    """``HEVCDecoderConfigurationRecord``: 22 bytes, the number of arrays, then per array
    its NAL unit type (low 6 bits), a count and length-prefixed units."""
    arrays, at = [], 23
    for _ in range(record[22]):
        nal_type, count = record[at] & 0x3F, int.from_bytes(record[at + 1 : at + 3], "big")
        end = at + 3
        for _ in range(count):
            end += 2 + int.from_bytes(record[end : end + 2], "big")
        if nal_type not in HEVC_SEI:
            arrays.append(record[at:end])
        at = end
    return record[:22] + bytes([len(arrays)]) + b"".join(arrays)


def _leb128(data: bytes, at: int) -> tuple[int, int]:
    value = 0
    for index in range(8):
        byte = data[at + index]
        value |= (byte & 0x7F) << (7 * index)
        if not byte & 0x80:
            return value, at + index + 1
    raise ValueError("leb128 longer than 8 bytes")


def _av1c_sequence_header_only(record: bytes) -> bytes:
    """``AV1CodecConfigurationRecord``: 4 bytes, then OBUs; only the sequence header
    OBU is kept (metadata OBUs may carry ITU-T T.35 user data)."""
    kept, at = [], 4
    while at < len(record):
        header = record[at]
        obu_type, extension, sized = (header >> 3) & 0xF, (header >> 2) & 1, (header >> 1) & 1
        start = at
        at += 1 + extension
        if not sized:  # the last OBU runs to the end
            size, at = len(record) - at, at
        else:
            size, at = _leb128(record, at)
        at += size
        if obu_type == AV1_SEQUENCE_HEADER:
            kept.append(record[start:at])
    return record[:4] + b"".join(kept)


def without_metadata(codec: str, extradata: bytes) -> bytes:
    """``extradata`` of ``codec`` without SEI or metadata units; as it is when the
    codec's record holds none (or cannot: ``avcC``), or its form is not recognised."""
    if not extradata:
        return extradata
    annexb = extradata.startswith((b"\x00\x00\x01", b"\x00\x00\x00\x01"))
    if codec == "h264" and annexb:
        return _annexb_without(codec, extradata, H264_SEI)
    if codec == "hevc":
        if annexb:
            return _annexb_without(codec, extradata, HEVC_SEI)
        if extradata[0] == 1 and len(extradata) >= 23:
            return _hvcc_without_sei(extradata)
    if codec == "av1" and extradata[0] == 0x81 and len(extradata) >= 4:
        return _av1c_sequence_header_only(extradata)
    return extradata
