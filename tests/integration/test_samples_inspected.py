"""Real device files (../shared/media-samples): what inspection reads equals what their
README lists, and the public copies keep none of it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import pytest
from PIL import Image

from intake.media.photos import inspect_photo
from intake.media.results import PhotoLimits, VideoLimits
from intake.media.videos import inspect_video
from tests.conftest import samples_dir

pytestmark = pytest.mark.samples
PHOTO = PhotoLimits(max_pixels=100_000_000, thumbnail_side=480)
VIDEO = VideoLimits(max_seconds=7200, max_side=8192, thumbnail_side=480, poster_seconds=1)

# name -> (sniffed type, facts the README lists)
PHOTOS: dict[str, tuple[str, dict[str, Any]]] = {
    "iphone4_gps.jpg": ("image/jpeg", {
        "make": "Apple", "model": "iPhone 4", "captured_at": "2011-01-13T14:33:39",
        "gps": {"latitude": 41.853, "longitude": 12.488833}, "orientation": 1,
        "width": 1296, "height": 968}),
    "htc_desire_gps.jpg": ("image/jpeg", {
        "make": "HTC", "model": "HTC Desire", "captured_at": "2011-05-06T09:59:48",
        "gps": {"latitude": 45.500667, "longitude": 9.110333, "altitude": 217.0},
        "width": 776, "height": 909}),
    "sony_dsc-hx5v_gps.jpg": ("image/jpeg", {
        "make": "SONY", "captured_at": "2010-05-15T17:12:05",
        "gps": {"latitude": 51.778615, "longitude": 8.365638, "altitude": 93.3}}),
    "samsung_sm-j327t1_orientation6.jpg": ("image/jpeg", {
        "orientation": 6, "captured_at": "2019-09-26T16:38:00", "width": 2576,
        "height": 1932}),
    "iphone13pro_gps_depth.heic": ("image/heic", {
        "captured_at": "2023-02-21T14:33:08+03:00",
        "gps": {"latitude": 44.850478, "longitude": 34.976647, "altitude": 29.1},
        "width": 4032, "height": 3024}),
    "iphonexs_gps_two_images.heic": ("image/heic", {
        "captured_at": "2021-07-06T16:08:14+03:00",
        "gps": {"latitude": 46.754703, "longitude": 33.336106, "altitude": 7.7},
        "width": 1025, "height": 900}),
    "xiaomi_poco_f3_gps.heic": ("image/heic", {
        "captured_at": "2023-04-27T19:44:18",
        "gps": {"latitude": 47.227289, "longitude": 39.699992, "altitude": 95.8},
        "width": 2592, "height": 1944}),
    "htc_desire_exif_gps.webp": ("image/webp", {
        "make": "HTC", "captured_at": "2011-05-06T09:59:48",
        "gps": {"latitude": 45.500667, "longitude": 9.110333, "altitude": 217.0}}),
    "nikon_p7000_exif_xmp_orientation6.webp": ("image/webp", {
        "orientation": 6, "captured_at": "2010-10-21T11:22:48", "width": 3648,
        "height": 2736}),
    "imagemagick_text_chunks.png": ("image/png", {"width": 500, "height": 500}),
    "animated_42frames.gif": ("image/gif", {"frames": 42, "width": 245, "height": 245}),
}  # fmt: skip

VIDEOS: dict[str, tuple[str, dict[str, Any]]] = {
    "iphone6_iso6709_rot90.mov": ("video/quicktime", {
        "location_iso6709": "+32.0929+034.8620+028.516/",
        "gps": {"latitude": 32.0929, "longitude": 34.862, "altitude": 28.516},
        "captured_at": "2019-07-24T11:25:40+0300",
        "creation_time": "2019-07-24T08:25:57.000000Z", "make": "Apple",
        "model": "iPhone 6", "rotation": 90, "width": 568, "height": 320,
        "video_codec": "h264", "audio_codec": "aac"}),
    "samsung_android_xyz_location.mp4": ("video/mp4", {
        "location_iso6709": "+51.4169-000.0806/",
        "gps": {"latitude": 51.4169, "longitude": -0.0806},
        "creation_time": "2017-02-22T08:20:28.000000Z", "rotation": 0,
        "width": 1920, "height": 1080, "video_codec": "h264"}),
    "chrome_mediarecorder_webcam.webm": ("video/webm", {
        "video_codec": "vp8", "audio_codec": "opus", "width": 640, "height": 480}),
}  # fmt: skip
DURATIONS = {"iphone6_iso6709_rot90.mov": 4.0, "samsung_android_xyz_location.mp4": 0.17,
             "chrome_mediarecorder_webcam.webm": 7.55}  # fmt: skip


def close(found: Any, expected: Any) -> bool:
    if isinstance(expected, dict):
        return all(close(found.get(k), v) for k, v in expected.items())
    if isinstance(expected, float):
        return found == pytest.approx(expected, abs=0.06)
    return bool(found == expected)


def sample(name: str) -> Path:
    return samples_dir() / name


@pytest.mark.parametrize("name", sorted(PHOTOS))
def test_a_real_photo_is_described_and_published_bare(name: str, tmp_path: Path) -> None:
    mime, expected = PHOTOS[name]
    found = inspect_photo(str(sample(name)), mime, str(tmp_path), PHOTO)
    wrong = {k: found.extracted.get(k) for k, v in expected.items()
             if not close(found.extracted.get(k), v)}  # fmt: skip
    assert not wrong, f"{name}: {wrong} (expected {expected})"
    with Image.open(found.public.path) as public:
        assert not public.getexif()
        assert not {"exif", "icc_profile", "xmp", "XML:com.adobe.xmp", "comment"} & set(public.info)
        if expected.get("orientation") == 6:
            assert public.size == (expected["height"], expected["width"])
    raw = Path(found.public.path).read_bytes()
    assert b"Exif\x00\x00" not in raw and b"http://ns.adobe.com/xap" not in raw


@pytest.mark.parametrize("name", sorted(VIDEOS))
def test_a_real_video_is_described_and_published_bare(name: str, tmp_path: Path) -> None:
    mime, expected = VIDEOS[name]
    found = inspect_video(str(sample(name)), mime, str(tmp_path), VIDEO)
    wrong = {k: found.extracted.get(k) for k, v in expected.items()
             if not close(found.extracted.get(k), v)}  # fmt: skip
    assert not wrong, f"{name}: {wrong} (expected {expected})"
    assert found.extracted["duration_seconds"] == pytest.approx(DURATIONS[name], abs=0.1)
    with av.open(found.public.path) as public:
        tags = dict(public.metadata)
        assert not [k for k in tags if "location" in k or "creation" in k or "apple" in k]
        assert sorted(s.type for s in public.streams) in (["audio", "video"], ["video"])
        for stream in public.streams:
            assert "creation_time" not in stream.metadata
        first = next(public.decode(video=0))
        assert (-first.rotation) % 360 == expected.get("rotation", 0)  # display kept
    with Image.open(found.thumbnail.path) as thumb:
        if expected.get("rotation") == 90:
            assert thumb.height > thumb.width  # turned upright, as the phone held it
        assert max(thumb.size) <= 480
