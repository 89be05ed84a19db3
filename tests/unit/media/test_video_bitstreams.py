"""Public copies of videos keep nothing of what cameras and encoders write inside the
bitstream: a crafted SEI with a location and a serial, the encoder's settings."""

from __future__ import annotations

import io
from pathlib import Path

import av
import pytest

from intake.media.results import VideoLimits
from intake.media.videos import inspect_video
from tests import media

LIMITS = VideoLimits(max_seconds=60, max_side=4096, thumbnail_side=160, poster_seconds=0.5)
TRACES = (media.SEI_LOCATION, media.SEI_SERIAL, *media.ENCODER_SEI_MARKS)


def _public_copy(tmp_path: Path, data: bytes, mime: str) -> Path:
    original = tmp_path / "original"
    original.write_bytes(data)
    return Path(inspect_video(str(original), mime, str(tmp_path), LIMITS).public.path)


def _codec_and_frames(path: Path) -> tuple[str, int]:
    with av.open(str(path)) as video:
        name = video.streams.video[0].codec_context.name
        return name, sum(1 for _ in video.decode(video=0))


@pytest.mark.parametrize("encoder", ["libx264", "libx265"])
@pytest.mark.parametrize(
    ("container", "mime"),
    [("mp4", "video/mp4"), ("mov", "video/quicktime"), ("matroska", "video/x-matroska")],
)
def test_sei_is_removed_and_every_picture_kept(
    tmp_path: Path, encoder: str, container: str, mime: str
) -> None:
    crafted = media.video_with_in_band_metadata(container, encoder)
    assert media.SEI_LOCATION in crafted and media.SEI_SERIAL in crafted
    assert any(mark in crafted for mark in media.ENCODER_SEI_MARKS)

    public = _public_copy(tmp_path, crafted, mime)

    raw = public.read_bytes()
    assert [trace for trace in TRACES if trace in raw] == []
    codec = "h264" if encoder == "libx264" else "hevc"
    assert _codec_and_frames(public) == (codec, media.VIDEO_FPS)  # filtered, not re-encoded


def test_a_codec_without_a_filter_is_re_encoded_without_its_user_data(tmp_path: Path) -> None:
    crafted = media.video_with_in_band_metadata("matroska", "mpeg4")
    assert media.SEI_LOCATION in crafted

    public = _public_copy(tmp_path, crafted, "video/x-matroska")

    raw = public.read_bytes()
    assert [trace for trace in TRACES if trace in raw] == []
    assert _codec_and_frames(public) == ("h264", media.VIDEO_FPS)


def test_the_filters_leave_the_pictures_bit_for_bit(tmp_path: Path) -> None:
    public = _public_copy(tmp_path, media.mp4_h264(), "video/mp4")
    with av.open(str(public)) as copy, av.open(io.BytesIO(media.mp4_h264())) as src:
        copied = [bytes(p) for p in copy.demux(video=0) if p.size]
        original = [bytes(p) for p in src.demux(video=0) if p.size]
    assert len(copied) == len(original)
    assert copied[1:] == original[1:]  # only the first packet held x264's settings SEI
    assert len(copied[0]) < len(original[0])
