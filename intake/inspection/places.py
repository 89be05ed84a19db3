"""The newsroom's place list: names (in any script) and where they are, to compare a
reader's location text with a file's GPS."""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from pathlib import Path

from intake.core.errors import ConfigurationError

EARTH_KM = 6371.0088


@dataclass(frozen=True)
class Place:
    name: str
    latitude: float
    longitude: float
    names: tuple[str, ...]
    """Every name it goes by, lower-cased (the first is ``name``)."""


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine) between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)  # fmt: skip
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


def load_places(path: str) -> tuple[Place, ...]:
    """Read ``name|other name,latitude,longitude`` lines (``#`` starts a comment)."""
    if not path:
        return ()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"verification.places_file: cannot read {path}: {exc}") from exc
    places: list[Place] = []
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    for number, row in enumerate(csv.reader(lines), start=1):
        try:
            names, latitude, longitude = row[0], float(row[1]), float(row[2])
        except (IndexError, ValueError):
            raise ConfigurationError(
                f"verification.places_file: line {number} is not name,latitude,longitude"
            ) from None
        all_names = tuple(n.strip().lower() for n in names.split("|") if n.strip())
        if all_names:
            places.append(Place(names.split("|")[0].strip(), latitude, longitude, all_names))
    return tuple(places)


def _words(text: str) -> str:
    return " " + " ".join(re.findall(r"\w+", text.lower())) + " "


def named_place(text: str, places: tuple[Place, ...]) -> Place | None:
    """The place whose name appears, as whole words, in ``text`` (the longest name
    first: "New Kabul" before "Kabul")."""
    words = _words(text)
    matches = [(len(n), p) for p in places for n in p.names if _words(n) in words]
    return max(matches, key=lambda m: m[0])[1] if matches else None
