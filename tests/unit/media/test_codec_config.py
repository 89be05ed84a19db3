"""Codec configuration records rid of their metadata units, parameter sets kept."""

from __future__ import annotations

from intake.media.codec_config import without_metadata

VPS, SPS, PPS = b"\x40\x01\x0c\x01", b"\x42\x01\x01\x01", b"\x44\x01\xc1\x72"
SEI = b"\x4e\x01\x05\x10" + b"x265 options: ..."


def _array(nal_type: int, *units: bytes) -> bytes:
    body = b"".join(len(u).to_bytes(2, "big") + u for u in units)
    return bytes([0x80 | nal_type]) + len(units).to_bytes(2, "big") + body


def _hvcc(*arrays: bytes) -> bytes:
    return b"\x01" + bytes(21) + bytes([len(arrays)]) + b"".join(arrays)


def test_sei_arrays_leave_an_hvcc_record() -> None:
    record = _hvcc(_array(32, VPS), _array(33, SPS), _array(39, SEI), _array(34, PPS))
    assert without_metadata("hevc", record) == _hvcc(
        _array(32, VPS), _array(33, SPS), _array(34, PPS)
    )


def test_sei_units_leave_annex_b_extradata() -> None:
    h264 = b"\x00\x00\x00\x01\x67\x42" + b"\x00\x00\x01\x06\x05\x02ab\x80" + b"\x00\x00\x01\x68\xce"
    assert without_metadata("h264", h264) == b"\x00\x00\x00\x01\x67\x42\x00\x00\x00\x01\x68\xce"
    hevc = b"\x00\x00\x00\x01" + VPS + b"\x00\x00\x00\x01" + SEI
    assert without_metadata("hevc", hevc) == b"\x00\x00\x00\x01" + VPS


def test_metadata_obus_leave_an_av1c_record() -> None:
    sequence_header = b"\x0a\x03abc"  # type 1, with a size field
    metadata = b"\x2a\x05T.35!"  # type 5
    record = b"\x81\x00\x0c\x00" + sequence_header + metadata
    assert without_metadata("av1", record) == b"\x81\x00\x0c\x00" + sequence_header


def test_records_that_cannot_hold_metadata_are_left_alone() -> None:
    avcc = b"\x01\x42\xc0\x1e\xff\xe1\x00\x04\x67\x42\xc0\x1e\x01\x00\x02\x68\xce"
    assert without_metadata("h264", avcc) == avcc
    assert without_metadata("vp9", b"\x01\x02") == b"\x01\x02"
    assert without_metadata("hevc", b"") == b""
