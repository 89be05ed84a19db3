"""Content credentials (C2PA) made here with c2pa-python and a root of our own: each file
is reported as what it is, and no public copy carries them on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import c2pa
import pytest

from intake.media.photos import inspect_photo
from intake.media.results import PhotoLimits, VideoLimits
from intake.media.videos import inspect_video
from tests import media
from tests.c2pa_signing import AI_SOURCE, CAMERA_SOURCE, TOOL, SigningAuthority, tamper
from tests.video_copies import panning_video, trimmed_copy

NEWSROOM = SigningAuthority.new("Newsroom Trusted Root", "Trusted Camera Maker")
STRANGER = SigningAuthority.new("Someone Else's Root", "Unknown Studio")
PHOTO = PhotoLimits(max_pixels=10_000_000, thumbnail_side=64, trust_anchors=NEWSROOM.root_pem)
VIDEO = VideoLimits(max_seconds=60, max_side=4096, thumbnail_side=64, poster_seconds=1,
                    keyframes=6, trust_anchors=NEWSROOM.root_pem)  # fmt: skip
KINDS = [("image/jpeg", "jpg"), ("video/mp4", "mp4")]
GENERATED = [{"action": "c2pa.created", "digitalSourceType": AI_SOURCE,
              "softwareAgent": {"name": "Imaginator 3"}}]  # fmt: skip
EDITED = [{"action": "c2pa.created", "digitalSourceType": CAMERA_SOURCE},
          {"action": "c2pa.cropped", "softwareAgent": {"name": "Snapseed"}}]  # fmt: skip


def _plain(mime: str) -> bytes:
    return media.jpeg_with_exif() if mime == "image/jpeg" else media.mp4_h264()


def _inspect(tmp_path: Path, data: bytes, mime: str, extension: str) -> tuple[dict[str, Any], Path]:
    path = tmp_path / f"original.{extension}"
    path.write_bytes(data)
    if mime.startswith("image/"):
        inspected = inspect_photo(str(path), mime, str(tmp_path), PHOTO)
    else:
        inspected = inspect_video(str(path), mime, str(tmp_path), VIDEO)
    return inspected.extracted, Path(inspected.public.path)


@pytest.mark.parametrize(("mime", "extension"), KINDS)
def test_a_valid_signature_by_a_trusted_signer(tmp_path: Path, mime: str, extension: str) -> None:
    signed = NEWSROOM.sign(_plain(mime), mime)
    extracted, public = _inspect(tmp_path, signed, mime, extension)
    found = extracted["credentials"]
    assert found["status"] == "valid" and found["failures"] == []
    assert (found["signer"], found["tool"]) == ("Trusted Camera Maker", f"{TOOL} 2.0")
    assert found["actions"] == [{"action": "created", "digital_source_type": "digitalCapture",
                                 "when": "2026-12-01T10:00:00Z"}]  # fmt: skip
    assert found["captured_at"] == "2026-12-01T10:00:00Z" and not found["ai_generated"]
    copy = public.read_bytes()
    with public.open("rb") as stream:
        assert c2pa.Reader.try_create(mime, stream) is None
    assert b"c2pa" not in copy and b"jumb" not in copy and TOOL.encode() not in copy


@pytest.mark.parametrize(("mime", "extension"), KINDS)
def test_a_file_changed_after_signing_is_broken(tmp_path: Path, mime: str, extension: str) -> None:
    extracted, _ = _inspect(tmp_path, tamper(NEWSROOM.sign(_plain(mime), mime)), mime, extension)
    found = extracted["credentials"]
    assert found["status"] == "broken"
    assert [code for code in found["failures"] if code.endswith("Hash.mismatch")]


@pytest.mark.parametrize(("mime", "extension"), KINDS)
def test_a_signer_the_newsroom_does_not_trust(tmp_path: Path, mime: str, extension: str) -> None:
    extracted, _ = _inspect(tmp_path, STRANGER.sign(_plain(mime), mime), mime, extension)
    found = extracted["credentials"]
    assert (found["status"], found["signer"]) == ("unknown_signer", "Unknown Studio")
    assert found["failures"] == ["signingCredential.untrusted"]


@pytest.mark.parametrize(("mime", "extension"), KINDS)
def test_an_ai_generation_assertion(tmp_path: Path, mime: str, extension: str) -> None:
    extracted, _ = _inspect(tmp_path, NEWSROOM.sign(_plain(mime), mime, GENERATED), mime, extension)
    found = extracted["credentials"]
    assert found["status"] == "valid" and found["ai_generated"] is True
    assert found["actions"] == [{"action": "created", "software": "Imaginator 3",
                                 "digital_source_type": "trainedAlgorithmicMedia"}]  # fmt: skip


def test_edits_and_ingredients_are_listed(tmp_path: Path) -> None:
    signed = NEWSROOM.sign(_plain("image/jpeg"), "image/jpeg", EDITED, ("before.jpg",))
    extracted, _ = _inspect(tmp_path, signed, "image/jpeg", "jpg")
    found = extracted["credentials"]
    assert found["actions"][1] == {"action": "cropped", "software": "Snapseed"}
    assert found["ingredients"] == [{"title": "before.jpg", "relationship": "parentOf"}]


def test_without_trust_anchors_every_signer_is_unknown(tmp_path: Path) -> None:
    path = tmp_path / "signed.jpg"
    path.write_bytes(NEWSROOM.sign(_plain("image/jpeg"), "image/jpeg"))
    untrusting = PhotoLimits(max_pixels=10_000_000, thumbnail_side=64)
    inspected = inspect_photo(str(path), "image/jpeg", str(tmp_path), untrusting)
    assert inspected.extracted["credentials"]["status"] == "unknown_signer"


@pytest.mark.parametrize(("mime", "extension"), KINDS)
def test_files_without_credentials_have_none(tmp_path: Path, mime: str, extension: str) -> None:
    extracted, _ = _inspect(tmp_path, _plain(mime), mime, extension)
    assert "credentials" not in extracted


def test_a_trimmed_re_encoded_copy_keeps_most_frame_hashes(tmp_path: Path) -> None:
    def hashes(data: bytes, name: str) -> tuple[str, ...]:
        (tmp_path / name).mkdir()
        path = tmp_path / name / "v.mp4"
        path.write_bytes(data)
        return inspect_video(str(path), "video/mp4", str(path.parent), VIDEO).frame_hashes

    def near(found: tuple[str, ...], original: tuple[str, ...]) -> int:
        bits = [min((int(a, 16) ^ int(b, 16)).bit_count() for b in original) for a in found]
        return sum(1 for b in bits if b <= 6)

    original = hashes(panning_video(1), "original")
    assert len(original) == 7  # the poster and 6 keyframes
    assert near(hashes(trimmed_copy(panning_video(1), 2.0), "trimmed"), original) >= 5
    assert near(hashes(panning_video(2), "other"), original) == 0
