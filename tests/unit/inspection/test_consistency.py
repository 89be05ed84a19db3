"""Consistency flags: each says what does not add up, with the evidence behind it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from intake.inspection.consistency import ConsistencyRules, consistency_flags
from intake.inspection.places import Place, load_places, named_place
from intake.submissions.records import FlagKind, Submission
from tests.moderation_helpers import a_file, waiting_submission

UPLOADED = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)
KABUL = Place("Kabul", 34.5553, 69.2075, ("kabul", "کابل"))
HERAT = Place("Herat", 34.3529, 62.2040, ("herat", "هرات"))
RULES = ConsistencyRules(capture_hours_apart=48, places=(KABUL, HERAT), place_max_km=50)
CAMERA = {"make": "Apple", "model": "iPhone 13", "width": 4032, "height": 3024}


def submission(**details: Any) -> Submission:
    made = waiting_submission(**details)
    return dataclasses.replace(made, created_at=UPLOADED)


def flags(extracted: dict[str, Any], kind: str = "photo", rules: ConsistencyRules = RULES,
          **details: Any) -> dict[FlagKind, list[dict[str, Any]]]:  # fmt: skip
    s = submission(**details)
    found: dict[FlagKind, list[dict[str, Any]]] = {}
    for flag in consistency_flags(a_file(s, kind), extracted, s, rules):
        found.setdefault(flag.kind, []).append(flag.evidence)
    return found


@pytest.mark.parametrize(
    ("captured", "reader", "reasons"),
    [
        ("2026-12-02T10:00:00+00:00", None, []),
        ("2026-12-04T10:00:00+00:00", None, ["future"]),
        ("2026-12-02T22:00:00", None, []),  # no offset: may be Kabul's or Tokyo's evening
        ("2023-02-21T14:33:08+03:00", None, ["years_before"]),
        ("2026-11-25T09:00:00+04:30", dt.datetime(2026, 12, 1, tzinfo=dt.UTC), ["reader_time"]),
        ("2026-11-30T09:00:00+04:30", dt.datetime(2026, 12, 1, tzinfo=dt.UTC), []),
    ],
)
def test_the_capture_time_against_the_upload_and_the_readers_time(
    captured: str, reader: dt.datetime | None, reasons: list[str]
) -> None:
    found = flags({**CAMERA, "captured_at": captured}, occurred_at=reader)
    assert [e["reason"] for e in found.get(FlagKind.CAPTURE_TIME, [])] == reasons
    for evidence in found.get(FlagKind.CAPTURE_TIME, []):
        assert evidence["captured_at"] == captured
        assert evidence["uploaded_at"] == UPLOADED.isoformat()


def test_the_years_and_hours_are_in_the_evidence() -> None:
    reader = dt.datetime(2019, 7, 20, 8, 0, tzinfo=dt.UTC)
    found = flags({"captured_at": "2019-07-24T11:25:40+0300"}, kind="video", occurred_at=reader)
    old, apart = found[FlagKind.CAPTURE_TIME]
    assert (old["reason"], old["years"]) == ("years_before", 7)
    assert (apart["reason"], apart["hours"]) == ("reader_time", 96.4)
    assert apart["reader_time"] == reader.isoformat()


def test_no_camera_metadata_and_a_phone_screens_size() -> None:
    screenshot = flags({"format": "PNG", "width": 1170, "height": 2532})
    assert screenshot[FlagKind.NO_CAMERA_METADATA] == [{"width": 1170, "height": 2532}]
    assert screenshot[FlagKind.SCREEN_DIMENSIONS] == [{"width": 1170, "height": 2532}]
    landscape = flags({**CAMERA, "width": 2532, "height": 1170})
    assert FlagKind.SCREEN_DIMENSIONS in landscape and FlagKind.NO_CAMERA_METADATA not in landscape
    assert flags(CAMERA) == {}
    video = flags({"width": 1080, "height": 1920, "video_codec": "vp8"}, kind="video")
    assert list(video) == [FlagKind.NO_CAMERA_METADATA]  # a video of that size is common


def test_editing_tools_from_exif_xmp_encoders_and_credentials() -> None:
    assert FlagKind.EDITING_TOOL not in flags({**CAMERA, "software": "16.2"})
    assert FlagKind.EDITING_TOOL not in flags({**CAMERA, "software": "J327T1UVS4ASH2"})
    [edited] = flags({
        **CAMERA, "software": "Adobe Photoshop 25.1 (Macintosh)",
        "xmp_tools": ["Adobe Photoshop 25.1", "history: derived, saved"],
        "credentials": {"status": "valid", "tool": "Snapseed 2.0",
                        "actions": [{"action": "created"}, {"action": "cropped"}]},
    })[FlagKind.EDITING_TOOL]  # fmt: skip
    assert edited["tools"] == [
        {"source": "software", "tool": "Adobe Photoshop 25.1 (Macintosh)"},
        {"source": "xmp", "tool": "Adobe Photoshop 25.1"},
        {"source": "xmp", "tool": "history: derived, saved"},
        {"source": "c2pa", "tool": "cropped: Snapseed 2.0"},
    ]
    [encoded] = flags({**CAMERA, "encoder": "Lavf60.16.100"}, kind="video")[FlagKind.EDITING_TOOL]
    assert encoded["tools"] == [{"source": "encoder", "tool": "Lavf60.16.100"}]


def test_gps_against_the_place_the_reader_named() -> None:
    in_kabul = {**CAMERA, "gps": {"latitude": 34.53, "longitude": 69.17}}
    assert flags(in_kabul, location="Shar-e Naw, Kabul") == {}
    assert flags(in_kabul, location="نزدیک کابل") == {}
    [far] = flags(in_kabul, location="Herat city")[FlagKind.LOCATION_MISMATCH]
    assert far["place"] == "Herat" and far["location"] == "Herat city"
    assert 600 < far["distance_km"] < 700
    assert far["gps"] == {"latitude": 34.53, "longitude": 69.17}
    [side_by_side] = flags(in_kabul, location="my village")[FlagKind.LOCATION_UNCHECKED]
    assert side_by_side == {"gps": {"latitude": 34.53, "longitude": 69.17},
                            "location": "my village"}  # fmt: skip
    without_list = dataclasses.replace(RULES, places=())
    assert FlagKind.LOCATION_UNCHECKED in flags(in_kabul, rules=without_list, location="Herat")
    assert flags(in_kabul) == {}  # the reader named no place


def test_what_the_content_credentials_say() -> None:
    broken = {"status": "broken", "signer": "Cam", "tool": "T", "failures": ["x.mismatch"]}
    assert flags({**CAMERA, "credentials": broken})[FlagKind.CREDENTIALS_BROKEN] == [
        {"signer": "Cam", "tool": "T", "failures": ["x.mismatch"]}
    ]
    stranger = {"status": "unknown_signer", "signer": "Me", "issuer": "Me Inc", "tool": "T"}
    assert FlagKind.CREDENTIALS_UNKNOWN_SIGNER in flags({**CAMERA, "credentials": stranger})
    made = {
        "status": "valid",
        "signer": "Gen",
        "tool": "GenAI",
        "ai_generated": True,
        "actions": [{"action": "created", "digital_source_type": "trainedAlgorithmicMedia"}],
    }
    found = flags({**CAMERA, "credentials": made})
    assert found[FlagKind.AI_GENERATED] == [
        {"signer": "Gen", "tool": "GenAI", "source_types": ["trainedAlgorithmicMedia"]}
    ]
    assert FlagKind.CREDENTIALS_BROKEN not in found


def test_the_place_list_file(tmp_path: Any) -> None:
    path = tmp_path / "places.csv"
    path.write_text("# name|other names,latitude,longitude\nKabul|کابل,34.5553,69.2075\n"
                    "New Kabul,34.6,69.3\n", encoding="utf-8")  # fmt: skip
    places = load_places(str(path))
    assert [p.name for p in places] == ["Kabul", "New Kabul"]
    assert named_place("in New Kabul today", places).name == "New Kabul"  # type: ignore[union-attr]
    assert named_place("کابل", places).name == "Kabul"  # type: ignore[union-attr]
    assert named_place("Kabulistan", places) is None
