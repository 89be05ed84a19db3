"""An upright sRGB JPEG's public copy keeps its compressed picture as sent and loses
every metadata segment, and whatever the segment walk does not know is re-encoded."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pytest
from PIL import Image, ImageCms

from intake.core.errors import MediaRejected
from intake.media.jpeg_segments import stripped
from intake.media.photos import inspect_photo
from intake.media.results import PhotoLimits
from tests import media
from tests.unit.media.test_photos import METADATA_MARKERS, assert_no_metadata

LIMITS = PhotoLimits(max_pixels=100_000_000, thumbnail_side=480)
MOTION_PHOTO = b"\x00\x00\x00\x18ftypmp42" + media.SEI_LOCATION + b"SM-G991B serial R58N"
XMP = b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>" + media.SEI_LOCATION + b"</x:xmpmeta>"


def camera_jpeg(*, orientation: int = 1, progressive: bool = False, trailer: bool = True) -> bytes:
    """A 1600x1200 photo as phones write them: EXIF with GPS, an sRGB ICC profile, XMP,
    a comment, and a motion-photo video appended after the picture."""
    picture = Image.radial_gradient("L").resize((1600, 1200)).convert("RGB")
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=88, exif=media.camera_exif(orientation), icc_profile=srgb,
                 progressive=progressive, comment=b"taken by " + media.MODEL.encode())  # fmt: skip
    data = out.getvalue()
    app1 = b"\xff\xe1" + (len(XMP) + 2).to_bytes(2, "big") + XMP
    return data[:2] + app1 + data[2:] + (MOTION_PHOTO if trailer else b"")


def decoded(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        return image.convert("RGB").tobytes()


@pytest.mark.parametrize(
    ("progressive", "trailer"),
    [(False, True), (True, True), (False, False)],
    ids=["baseline", "progressive", "ends-at-the-picture"],
)
def test_an_upright_srgb_jpeg_keeps_its_picture_and_loses_its_metadata(
    tmp_path: Path, progressive: bool, trailer: bool
) -> None:
    sent = camera_jpeg(progressive=progressive, trailer=trailer)
    original = tmp_path / "original"
    original.write_bytes(sent)
    found = inspect_photo(str(original), "image/jpeg", str(tmp_path), LIMITS)
    public = Path(found.public.path).read_bytes()
    assert decoded(public) == decoded(sent), "the same pixels: not re-encoded"
    assert_no_metadata(found.public.path)
    for secret in (media.SEI_LOCATION, b"R58N", b"ftypmp42", b"taken by", *METADATA_MARKERS):
        assert secret not in public
    assert public.endswith(b"\xff\xd9")
    assert (found.extracted["width"], found.extracted["height"]) == (1600, 1200)
    assert found.extracted["gps"]["latitude"] == pytest.approx(media.LATITUDE, abs=1e-4)
    with Image.open(found.thumbnail.path) as thumb:
        assert thumb.size == (480, 360)


def test_a_turned_photo_is_still_re_encoded_upright(tmp_path: Path) -> None:
    original = tmp_path / "original"
    original.write_bytes(camera_jpeg(orientation=6))
    found = inspect_photo(str(original), "image/jpeg", str(tmp_path), LIMITS)
    assert_no_metadata(found.public.path)
    with Image.open(found.public.path) as public:
        assert public.size == (1200, 1600)


def test_an_unknown_segment_is_not_guessed_at() -> None:
    sent = camera_jpeg()
    unknown = b"\xff\xf7\x00\x04ab"  # JPEG-LS SOF55, not a baseline/progressive segment
    assert stripped(sent[:2] + unknown + sent[2:]) is None
    assert stripped(sent[: -len(MOTION_PHOTO) - 40]) is None, "truncated in the scan"
    assert stripped(b"GIF89a") is None


def test_a_damaged_scan_is_still_refused(tmp_path: Path) -> None:
    """Decoding at a small scale still reads every coefficient: a cut picture fails."""
    sent = camera_jpeg()
    original = tmp_path / "original"
    original.write_bytes(sent[: len(sent) // 2])
    with pytest.raises(MediaRejected):
        inspect_photo(str(original), "image/jpeg", str(tmp_path), LIMITS)


def test_a_newsroom_can_have_every_public_copy_re_encoded(tmp_path: Path) -> None:
    sent = camera_jpeg()
    original = tmp_path / "original"
    original.write_bytes(sent)
    limits = dataclasses.replace(LIMITS, jpeg_as_sent=False)
    found = inspect_photo(str(original), "image/jpeg", str(tmp_path), limits)
    assert_no_metadata(found.public.path)
    assert decoded(Path(found.public.path).read_bytes()) != decoded(sent), "re-encoded"
