"""Settings of the verification aids: whose content credentials the newsroom trusts,
and when a file's metadata does not add up."""

from __future__ import annotations

from dataclasses import dataclass

from intake.core.settings.declaring import setting


@dataclass(frozen=True)
class VerificationSettings:
    c2pa_trust_anchors: str = setting(
        "",
        "PEM file of the root certificates whose content credentials (C2PA) the newsroom "
        "trusts; read at start, nothing is fetched at run time. Empty: every signer is "
        "shown as unknown (the signature and hashes are still checked).",
    )
    capture_hours_apart: int = setting(
        48,
        "A capture time more than this many hours from the time the reader gave is "
        "flagged (capture_time).",
        minimum=1,
    )
    places_file: str = setting(
        "",
        "CSV of the newsroom's places (name,latitude,longitude; other names after a |, "
        "e.g. Kabul|کابل,34.5553,69.2075). A reader's location text naming one of them "
        "is compared with the file's GPS. Empty: GPS and the text are shown side by side.",
    )
    place_max_km: float = setting(
        50.0,
        "GPS further than this from the place the reader named is flagged (location_mismatch).",
        minimum=0,
    )
    video_keyframes: int = setting(
        6,
        "Keyframes per video (besides the poster) whose perceptual hashes are kept to find "
        "a video sent again, trimmed or re-encoded.",
        minimum=0,
    )
    video_near_duplicate_share: float = setting(
        0.5,
        "A video is a near duplicate of an earlier one when this share of its frame hashes "
        "(poster and keyframes) is within inspection.near_duplicate_bits of that one's.",
        minimum=0.01,
    )
