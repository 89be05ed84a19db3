"""Photos decoded in full: facts read, public copies without metadata, bombs refused."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pillow_heif
import pytest
from PIL import Image

from intake.core.errors import MediaRejected
from intake.media.photos import dhash, inspect_photo
from intake.media.results import Inspected, PhotoLimits
from tests import media

LIMITS = PhotoLimits(max_pixels=100_000_000, thumbnail_side=480)
METADATA_MARKERS = (
    b"Exif\x00\x00", b"http://ns.adobe.com/xap", b"ICC_PROFILE", b"iCCP", b"eXIf",
    b"Photoshop 3.0", media.MAKE.encode(), media.MODEL.encode(),
)  # fmt: skip

pillow_heif.register_heif_opener()


def run(tmp_path: Path, data: bytes, mime: str, limits: PhotoLimits = LIMITS) -> Inspected:
    original = tmp_path / "original"
    original.write_bytes(data)
    return inspect_photo(str(original), mime, str(tmp_path), limits)


def assert_no_metadata(path: str) -> None:
    raw = Path(path).read_bytes()
    for marker in METADATA_MARKERS:
        assert marker not in raw, f"{marker!r} left in {path}"
    with Image.open(path) as image:
        assert not image.getexif()
        assert not {"exif", "icc_profile", "xmp", "XML:com.adobe.xmp", "comment"} & set(image.info)


GPS = {"latitude": media.LATITUDE, "longitude": media.LONGITUDE, "altitude": media.ALTITUDE_M}


@pytest.mark.parametrize(
    ("make", "mime", "public_type"),
    [
        (media.jpeg_with_exif, "image/jpeg", "image/jpeg"),
        (media.webp_with_exif, "image/webp", "image/webp"),
        (media.heic_with_exif, "image/heic", "image/jpeg"),
    ],
)
def test_exif_facts_are_read_and_the_public_copy_has_none(
    tmp_path: Path, make: Callable[[], bytes], mime: str, public_type: str
) -> None:
    found = run(tmp_path, make(), mime)
    facts = found.extracted
    assert facts["make"] == media.MAKE
    assert facts["model"] == media.MODEL
    assert facts["captured_at"] == media.CAPTURED_AT.strftime("%Y-%m-%dT%H:%M:%S")
    assert facts["gps"] == pytest.approx(GPS, abs=1e-4)
    # libheif turns HEIC upright while decoding (irot): its size is the displayed one
    assert sorted((facts["width"], facts["height"])) == sorted(media.PHOTO_SIZE)
    assert found.public.content_type == public_type
    assert_no_metadata(found.public.path)
    assert_no_metadata(found.thumbnail.path)
    assert len(found.phash) == 16


def test_orientation_is_applied_to_the_public_copy_and_thumbnail(tmp_path: Path) -> None:
    found = run(tmp_path, media.jpeg_with_exif(), "image/jpeg")
    assert found.extracted["orientation"] == media.ORIENTATION
    width, height = media.PHOTO_SIZE
    with Image.open(found.public.path) as public:
        assert public.size == (height, width)  # turned upright
    with Image.open(found.thumbnail.path) as thumb:
        assert thumb.size == (height, width)


def test_png_text_chunks_are_dropped(tmp_path: Path) -> None:
    found = run(tmp_path, media.png_image(), "image/png")
    assert found.public.content_type == "image/png"
    with Image.open(found.public.path) as public:
        assert "Creation Time" not in public.info
        public.load()
        assert not getattr(public, "text", {})


def test_an_animated_gif_keeps_its_frames_and_thumbnails_the_first(tmp_path: Path) -> None:
    found = run(tmp_path, media.animated_gif(frames=4), "image/gif")
    assert found.extracted["frames"] == 4
    with Image.open(found.public.path) as public:
        assert public.n_frames == 4
    with (
        Image.open(found.thumbnail.path) as thumb,
        Image.open(io.BytesIO(media.animated_gif(frames=4))) as source,
    ):
        assert thumb.format == "JPEG"
        seen = int(dhash(thumb), 16)
        first = int(dhash(source.convert("RGB")), 16)
        source.seek(3)
        last = int(dhash(source.convert("RGB")), 16)
    assert (seen ^ first).bit_count() < (seen ^ last).bit_count()


def test_the_thumbnail_is_at_most_480_pixels(tmp_path: Path) -> None:
    picture = Image.new("RGB", (1600, 900), (10, 120, 200))
    out = io.BytesIO()
    picture.save(out, "JPEG")
    found = run(tmp_path, out.getvalue(), "image/jpeg")
    with Image.open(found.thumbnail.path) as thumb:
        assert thumb.size == (480, 270)


def pixel_bomb(side: int = 20_000) -> bytes:
    """A PNG of side x side pixels (400 MP) that compresses to a few hundred KiB."""
    out = io.BytesIO()
    Image.new("1", (side, side)).save(out, "PNG", optimize=True)
    return out.getvalue()


def test_a_pixel_bomb_is_refused_without_decoding(tmp_path: Path) -> None:
    with pytest.raises(MediaRejected, match="refused without decoding"):
        run(tmp_path, pixel_bomb(), "image/png")


def test_the_pixel_limit_is_configurable(tmp_path: Path) -> None:
    small = PhotoLimits(max_pixels=1000, thumbnail_side=480)
    with pytest.raises(MediaRejected, match="refused without decoding"):
        run(tmp_path, media.jpeg_with_exif(), "image/jpeg", small)


@pytest.mark.parametrize(
    ("data", "mime"),
    [
        (media.jpeg_with_exif()[:600], "image/jpeg"),
        (media.png_image()[:200], "image/png"),
        (media.mp4_h264(), "image/jpeg"),
    ],
    ids=["truncated-jpeg", "truncated-png", "not-a-jpeg"],
)
def test_what_does_not_decode_is_refused(tmp_path: Path, data: bytes, mime: str) -> None:
    with pytest.raises(MediaRejected):
        run(tmp_path, data, mime)


def test_dhash_sees_a_resized_copy_as_nearly_the_same() -> None:
    with Image.open(io.BytesIO(media.large_jpeg(200_000))) as image:
        image.load()
        original = int(dhash(image), 16)
        smaller = int(dhash(image.resize((image.width // 3, image.height // 3))), 16)
    assert (original ^ smaller).bit_count() <= 6
