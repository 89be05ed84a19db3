"""What a video's container says about where and when it was recorded, and how to
turn it for display: ``creation_time``, ISO 6709 location, device, rotation."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import av
import av.container

LOCATION_TAGS = ("com.apple.quicktime.location.ISO6709", "location", "location-eng")
CREATION_TAGS = ("com.apple.quicktime.creationdate", "creation_time", "date")
MAKE_TAGS = ("com.apple.quicktime.make", "make")
MODEL_TAGS = ("com.apple.quicktime.model", "model")
SOFTWARE_TAGS = ("com.apple.quicktime.software", "software", "com.android.version")
ENCODER_TAGS = ("encoder", "com.apple.quicktime.author", "writing_application")
_ISO6709 = re.compile(
    r"^(?P<lat>[+-]\d{2}(?:\.\d+)?)(?P<lon>[+-]\d{3}(?:\.\d+)?)(?P<alt>[+-]\d+(?:\.\d+)?)?"
)


def parse_iso6709(value: str) -> dict[str, float] | None:
    """``+32.0929+034.8620+028.516/`` as latitude, longitude and altitude (metres).
    Only the decimal-degrees form phones write is read."""
    match = _ISO6709.match(value.strip())
    if not match:
        return None
    latitude, longitude = float(match["lat"]), float(match["lon"])
    if abs(latitude) > 90 or abs(longitude) > 180:
        return None
    position = {"latitude": latitude, "longitude": longitude}
    if match["alt"]:
        position["altitude"] = float(match["alt"])
    return position


def _first(tags: Mapping[str, str], names: tuple[str, ...]) -> str:
    for name in names:
        if tags.get(name, "").strip():
            return tags[name].strip()
    return ""


def container_facts(
    container: av.container.InputContainer, video: av.VideoStream
) -> dict[str, Any]:
    """Capture time (as written: a local time with offset where the phone wrote one),
    the container's ``creation_time`` (UTC), location and device."""
    tags = {**dict(video.metadata), **dict(container.metadata)}
    facts: dict[str, Any] = {}
    if captured := _first(tags, CREATION_TAGS):
        facts["captured_at"] = captured
    if created := tags.get("creation_time", "").strip():
        facts["creation_time"] = created
    if location := _first(tags, LOCATION_TAGS):
        facts["location_iso6709"] = location
        if position := parse_iso6709(location):
            facts["gps"] = position
    if make := _first(tags, MAKE_TAGS):
        facts["make"] = make
    if model := _first(tags, MODEL_TAGS):
        facts["model"] = model
    if software := _first(tags, SOFTWARE_TAGS):
        facts["software"] = software[:200]
    if encoder := _first(tags, ENCODER_TAGS):
        facts["encoder"] = encoder[:200]
    return facts


def stream_rotation(video: av.VideoStream) -> int:
    """The old ``rotate`` tag (clockwise degrees) as FFmpeg's counter-clockwise angle."""
    try:
        return -int(video.metadata.get("rotate", "0"))
    except ValueError:
        return 0
