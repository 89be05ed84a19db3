"""Real device files (../shared/media-samples) get the flags their metadata calls for:
taken years before the upload, no camera metadata at all, GPS far from the place the
reader named; camera firmware is not an editing tool, and none carries credentials."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from intake.inspection.consistency import ConsistencyRules, consistency_flags
from intake.inspection.places import load_places
from intake.media.photos import inspect_photo
from intake.media.videos import inspect_video
from tests.conftest import samples_dir
from tests.integration.test_samples_inspected import PHOTO, PHOTOS, VIDEO, VIDEOS
from tests.moderation_helpers import a_file, waiting_submission

pytestmark = pytest.mark.samples
UPLOADED = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)
PLACES = """# the newsroom's places
Rome|Roma,41.9028,12.4964
Milan|Milano,45.4642,9.1900
Tel Aviv,32.0853,34.7818
London,51.5072,-0.1276
Kabul|کابل,34.5553,69.2075
"""
# name -> (the reader's location text, the flags expected: kind or kind:reason)
EXPECTED: dict[str, tuple[str, set[str]]] = {
    "iphone4_gps.jpg": ("Milan, by the Duomo", {"capture_time:years_before",
                                                "location_mismatch"}),
    "htc_desire_gps.jpg": ("Milano", {"capture_time:years_before"}),
    "sony_dsc-hx5v_gps.jpg": ("", {"capture_time:years_before"}),
    "samsung_sm-j327t1_orientation6.jpg": ("Kabul", {"capture_time:years_before"}),
    "iphone13pro_gps_depth.heic": ("a beach", {"capture_time:years_before", "location_unchecked"}),
    "iphonexs_gps_two_images.heic": ("", {"capture_time:years_before"}),
    "xiaomi_poco_f3_gps.heic": ("", {"capture_time:years_before"}),
    "htc_desire_exif_gps.webp": ("", {"capture_time:years_before"}),
    "nikon_p7000_exif_xmp_orientation6.webp": ("", {"capture_time:years_before"}),
    "imagemagick_text_chunks.png": ("Kabul", {"no_camera_metadata"}),
    "animated_42frames.gif": ("", {"no_camera_metadata"}),
    "iphone6_iso6709_rot90.mov": ("Tel Aviv beach", {"capture_time:years_before"}),
    "samsung_android_xyz_location.mp4": ("کابل", {"capture_time:years_before",
                                                   "location_mismatch"}),
    "chrome_mediarecorder_webcam.webm": ("London", {"no_camera_metadata"}),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_real_file_gets_the_flags_its_metadata_calls_for(name: str, tmp_path: Path) -> None:
    places_file = tmp_path / "places.csv"
    places_file.write_text(PLACES, encoding="utf-8")
    rules = ConsistencyRules(places=load_places(str(places_file)), place_max_km=50)
    location, expected = EXPECTED[name]
    kind = "photo" if name in PHOTOS else "video"
    mime = (PHOTOS | VIDEOS)[name][0]
    path = str(samples_dir() / name)
    if kind == "photo":
        extracted = inspect_photo(path, mime, str(tmp_path), PHOTO).extracted
    else:
        extracted = inspect_video(path, mime, str(tmp_path), VIDEO).extracted
    submission = dataclasses.replace(waiting_submission(location=location), created_at=UPLOADED)
    flags = consistency_flags(a_file(submission, kind), extracted, submission, rules)
    found = {f.kind.value + (f":{f.evidence['reason']}" if "reason" in f.evidence else "")
             for f in flags}  # fmt: skip
    assert found == expected, f"{name}: {[(f.kind.value, f.evidence) for f in flags]}"
    assert "credentials" not in extracted
    for flag in flags:
        if flag.kind.value == "location_mismatch":
            assert flag.evidence["distance_km"] > 50 and flag.evidence["location"] == location
