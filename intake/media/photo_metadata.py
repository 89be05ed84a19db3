"""What a photo's EXIF says: capture time, GPS position, device, orientation."""

from __future__ import annotations

import math
import re
from typing import Any

from PIL import Image

EXIF_IFD = 0x8769
GPS_IFD = 0x8825
MAKE, MODEL, ORIENTATION, SOFTWARE, DATETIME = 0x010F, 0x0110, 0x0112, 0x0131, 0x0132
DATETIME_ORIGINAL, OFFSET_TIME_ORIGINAL = 0x9003, 0x9011
GPS_LAT_REF, GPS_LAT, GPS_LON_REF, GPS_LON, GPS_ALT_REF, GPS_ALT = 1, 2, 3, 4, 5, 6


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return str(value).strip("\x00 ").strip() if value is not None else ""


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return number if math.isfinite(number) else None


def _degrees(dms: Any, ref: Any) -> float | None:
    """EXIF (degrees, minutes, seconds) and a hemisphere letter as signed degrees."""
    if not isinstance(dms, tuple | list) or len(dms) != 3:
        return None
    parts = [_number(p) for p in dms]
    if any(p is None for p in parts):
        return None
    degrees, minutes, seconds = (p or 0.0 for p in parts)
    value = degrees + minutes / 60 + seconds / 3600
    return round(-value if _text(ref).upper() in ("S", "W") else value, 6)


def capture_time(exif: Image.Exif) -> str | None:
    """DateTimeOriginal (else DateTime) as ISO 8601, with its offset when recorded."""
    details = exif.get_ifd(EXIF_IFD)
    stamp = _text(details.get(DATETIME_ORIGINAL) or exif.get(DATETIME))
    if len(stamp) < 19 or stamp.startswith("0000"):
        return None
    date, _, time = stamp[:19].partition(" ")
    iso = f"{date.replace(':', '-')}T{time}"
    offset = _text(details.get(OFFSET_TIME_ORIGINAL))
    return iso + offset if len(offset) == 6 else iso


def gps_position(exif: Image.Exif) -> dict[str, float] | None:
    """Latitude and longitude in signed decimal degrees, altitude in metres."""
    gps = exif.get_ifd(GPS_IFD)
    latitude = _degrees(gps.get(GPS_LAT), gps.get(GPS_LAT_REF))
    longitude = _degrees(gps.get(GPS_LON), gps.get(GPS_LON_REF))
    if latitude is None or longitude is None:
        return None
    position = {"latitude": latitude, "longitude": longitude}
    altitude = _number(gps.get(GPS_ALT))
    if altitude is not None:
        ref = gps.get(GPS_ALT_REF)
        below = ref in (1, b"\x01") or (isinstance(ref, bytes) and ref[:1] == b"\x01")
        position["altitude"] = round(-altitude if below else altitude, 2)
    return position


def exif_facts(image: Image.Image) -> dict[str, Any]:
    """The facts a verifier needs, from whatever EXIF the image carries."""
    exif = image.getexif()
    facts: dict[str, Any] = {}
    if make := _text(exif.get(MAKE)):
        facts["make"] = make
    if model := _text(exif.get(MODEL)):
        facts["model"] = model
    orientation = exif.get(ORIENTATION)
    facts["orientation"] = orientation if isinstance(orientation, int) else 1
    if captured := capture_time(exif):
        facts["captured_at"] = captured
    if position := gps_position(exif):
        facts["gps"] = position
    if software := _text(exif.get(SOFTWARE)):
        facts["software"] = software[:200]
    if tools := xmp_tools(image):
        facts["xmp_tools"] = tools
    return facts


_XMP_TOOL = re.compile(
    rb"(?:stEvt:softwareAgent|xmp:CreatorTool)\s*(?:=\s*\"([^\"]{1,200})\"|>([^<]{1,200})<)"
)
_XMP_HISTORY = re.compile(rb"stEvt:action\s*(?:=\s*\"|>)(saved|converted|derived|edited)")


def xmp_tools(image: Image.Image) -> list[str]:
    """The tools an XMP packet names (creator tool, history agents), and whether its
    history records a save, conversion or edit (as ``history: ...``)."""
    packet = image.info.get("xmp") or image.info.get("XML:com.adobe.xmp") or b""
    if isinstance(packet, str):
        packet = packet.encode("utf-8", "replace")
    tools: list[str] = []
    for match in _XMP_TOOL.finditer(packet[:1_000_000]):
        tool = (match[1] or match[2]).decode("utf-8", "replace").strip()
        if tool and tool not in tools:
            tools.append(tool)
    actions = sorted({m[1].decode() for m in _XMP_HISTORY.finditer(packet[:1_000_000])})
    if actions:
        tools.append("history: " + ", ".join(actions))
    return tools[:10]
