"""Consistency flags: what in a file's metadata does not add up, each with its evidence.

Pure functions of what inspection extracted and what the reader told us: the capture
time against the upload and the reader's time, no camera metadata at all or a phone
screen's size, an editing tool named anywhere, GPS against the place the reader named,
and what the content credentials (C2PA) say.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from intake.inspection.places import Place, distance_km, named_place
from intake.submissions.records import FileFlag, FlagKind, StoredFile, Submission

NAIVE_SLACK = dt.timedelta(hours=14)
"""A capture time without an offset may be in any time zone: up to 14 hours off UTC."""
FUTURE_SLACK = dt.timedelta(hours=1)
YEAR = dt.timedelta(days=365)
SCREENS = {
    (640, 1136), (750, 1334), (1080, 1920), (1125, 2436), (1242, 2208), (1242, 2688),
    (828, 1792), (1170, 2532), (1284, 2778), (1179, 2556), (1290, 2796), (1206, 2622),
    (1320, 2868), (1080, 2340), (1080, 2400), (1080, 2280), (1080, 2160), (720, 1600),
    (720, 1520), (1440, 2560), (1440, 2960), (1440, 3040), (1440, 3088), (1440, 3200),
    (1440, 3120), (1080, 2412), (1220, 2712), (1200, 2670), (1080, 2460),
}  # fmt: skip
"""Screen sizes of common phones (portrait); a photo of exactly one is likely a screenshot."""
EDITORS = (
    "photoshop", "lightroom", "gimp", "snapseed", "picsart", "facetune", "faceapp", "canva",
    "pixelmator", "affinity", "imagemagick", "graphicsmagick", "paint.net", "photoscape",
    "vsco", "inshot", "capcut", "kinemaster", "premiere", "final cut", "davinci", "imovie",
    "luminar", "darktable", "rawtherapee", "capture one", "afterlight", "meitu", "photopea",
    "remini", "lavf", "handbrake", "after effects", "photos extension", "picasa",
)  # fmt: skip
"""Names of editing tools and encoders; camera firmware and OS versions are not flagged."""
EDIT_ACTIONS = {
    "edited", "cropped", "color_adjustments", "filtered", "resized", "drawing", "placed",
    "removed", "transcoded", "orientation", "converted", "edited.metadata", "repackaged",
}  # fmt: skip
CAMERA_FACTS = ("make", "model", "captured_at", "creation_time", "gps")


@dataclass(frozen=True)
class ConsistencyRules:
    capture_hours_apart: int = 48
    places: tuple[Place, ...] = ()
    place_max_km: float = 50.0


def parse_time(value: Any) -> tuple[dt.datetime, bool] | None:
    """An extracted time as an aware datetime, and whether it had no offset (then UTC)."""
    try:
        when = dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        return when.replace(tzinfo=dt.UTC), True
    return when.astimezone(dt.UTC), False


def _hours(delta: dt.timedelta) -> float:
    return round(abs(delta.total_seconds()) / 3600, 1)


def capture_flags(
    extracted: dict[str, Any], submission: Submission, rules: ConsistencyRules
) -> list[FileFlag]:
    credentials = extracted.get("credentials") or {}
    raw = extracted.get("captured_at") or extracted.get("creation_time")
    raw = raw or credentials.get("captured_at")
    parsed = parse_time(raw) if raw else None
    if parsed is None:
        return []
    captured, naive = parsed
    slack = NAIVE_SLACK if naive else dt.timedelta()
    uploaded = submission.created_at
    base = {"captured_at": str(raw), "uploaded_at": uploaded.isoformat(), "no_offset": naive}
    flags: list[FileFlag] = []
    if captured > uploaded + slack + FUTURE_SLACK:
        flags.append(FileFlag(FlagKind.CAPTURE_TIME, evidence={
            **base, "reason": "future", "hours": _hours(captured - uploaded)}))  # fmt: skip
    elif uploaded - captured > YEAR + slack:
        years = int((uploaded - captured).days // 365.25)
        flags.append(FileFlag(FlagKind.CAPTURE_TIME, evidence={
            **base, "reason": "years_before", "years": max(1, years)}))  # fmt: skip
    reader_time = submission.details.occurred_at
    limit = dt.timedelta(hours=rules.capture_hours_apart) + slack
    if reader_time is not None and abs(captured - reader_time) > limit:
        flags.append(FileFlag(FlagKind.CAPTURE_TIME, evidence={
            **base, "reason": "reader_time", "reader_time": reader_time.isoformat(),
            "hours": _hours(captured - reader_time)}))  # fmt: skip
    return flags


def camera_flags(file: StoredFile, extracted: dict[str, Any]) -> list[FileFlag]:
    flags: list[FileFlag] = []
    if not any(extracted.get(fact) for fact in CAMERA_FACTS):
        flags.append(FileFlag(FlagKind.NO_CAMERA_METADATA, evidence={
            "width": extracted.get("width"), "height": extracted.get("height")}))  # fmt: skip
    size = (extracted.get("width"), extracted.get("height"))
    if file.kind == "photo" and (size in SCREENS or size[::-1] in SCREENS):
        flags.append(FileFlag(FlagKind.SCREEN_DIMENSIONS,
                              evidence={"width": size[0], "height": size[1]}))  # fmt: skip
    return flags


def editing_tools(extracted: dict[str, Any]) -> list[dict[str, str]]:
    """Each editing tool named, with where: EXIF/container software, encoder, XMP, C2PA."""
    named: list[dict[str, str]] = []
    for source in ("software", "encoder"):
        value = str(extracted.get(source, ""))
        if value and any(editor in value.lower() for editor in EDITORS):
            named.append({"source": source, "tool": value})
    for tool in extracted.get("xmp_tools") or []:
        if tool.startswith("history: ") or any(e in tool.lower() for e in EDITORS):
            named.append({"source": "xmp", "tool": tool})
    credentials = extracted.get("credentials") or {}
    for action in credentials.get("actions") or []:
        if action.get("action") in EDIT_ACTIONS:
            tool = action.get("software") or credentials.get("tool", "")
            named.append({"source": "c2pa", "tool": f"{action['action']}: {tool}".strip(": ")})
    return named[:10]


def location_flags(
    extracted: dict[str, Any], submission: Submission, rules: ConsistencyRules
) -> list[FileFlag]:
    gps = extracted.get("gps")
    text = submission.details.location.strip()
    if not gps or not text:
        return []
    point = (float(gps["latitude"]), float(gps["longitude"]))
    evidence: dict[str, Any] = {"gps": {"latitude": point[0], "longitude": point[1]},
                                "location": text}  # fmt: skip
    place = named_place(text, rules.places)
    if place is None:
        return [FileFlag(FlagKind.LOCATION_UNCHECKED, evidence=evidence)]
    km = distance_km(point, (place.latitude, place.longitude))
    if km <= rules.place_max_km:
        return []
    return [FileFlag(FlagKind.LOCATION_MISMATCH, evidence={
        **evidence, "place": place.name, "distance_km": round(km),
        "place_gps": {"latitude": place.latitude, "longitude": place.longitude}})]  # fmt: skip


def credential_flags(extracted: dict[str, Any]) -> list[FileFlag]:
    credentials = extracted.get("credentials")
    if not credentials:
        return []
    who = {"signer": credentials.get("signer", ""), "tool": credentials.get("tool", "")}
    flags: list[FileFlag] = []
    if credentials.get("status") == "broken":
        flags.append(
            FileFlag(
                FlagKind.CREDENTIALS_BROKEN,
                evidence={**who, "failures": credentials.get("failures", [])},
            )
        )
    elif credentials.get("status") == "unknown_signer":
        flags.append(
            FileFlag(
                FlagKind.CREDENTIALS_UNKNOWN_SIGNER,
                evidence={**who, "issuer": credentials.get("issuer", "")},
            )
        )
    if credentials.get("ai_generated"):
        sources = sorted({a.get("digital_source_type", "") for a in credentials.get("actions", [])
                          if a.get("digital_source_type")})  # fmt: skip
        flags.append(FileFlag(FlagKind.AI_GENERATED, evidence={**who, "source_types": sources}))
    return flags


def consistency_flags(
    file: StoredFile, extracted: dict[str, Any], submission: Submission, rules: ConsistencyRules
) -> tuple[FileFlag, ...]:
    """Every flag the file's metadata calls for, given what the reader told us."""
    flags = capture_flags(extracted, submission, rules) + camera_flags(file, extracted)
    if tools := editing_tools(extracted):
        flags.append(FileFlag(FlagKind.EDITING_TOOL, evidence={"tools": tools}))
    flags += location_flags(extracted, submission, rules)
    return tuple(flags + credential_flags(extracted))
