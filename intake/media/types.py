"""The media types intake knows, by the MIME type libmagic reports."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class MediaKind(StrEnum):
    PHOTO = "photo"
    VIDEO = "video"


@dataclass(frozen=True)
class MediaType:
    mime: str
    kind: MediaKind
    extensions: tuple[str, ...]
    label: str

    @property
    def extension(self) -> str:
        return self.extensions[0]


KNOWN_TYPES: dict[str, MediaType] = {
    t.mime: t
    for t in (
        MediaType("image/jpeg", MediaKind.PHOTO, ("jpg", "jpeg"), "JPEG"),
        MediaType("image/png", MediaKind.PHOTO, ("png",), "PNG"),
        MediaType("image/webp", MediaKind.PHOTO, ("webp",), "WebP"),
        MediaType("image/heic", MediaKind.PHOTO, ("heic",), "HEIC"),
        MediaType("image/heif", MediaKind.PHOTO, ("heif", "heic"), "HEIF"),
        MediaType("image/gif", MediaKind.PHOTO, ("gif",), "GIF"),
        MediaType("video/mp4", MediaKind.VIDEO, ("mp4", "m4v"), "MP4"),
        MediaType("video/x-m4v", MediaKind.VIDEO, ("m4v", "mp4"), "MP4 (M4V)"),
        MediaType("video/quicktime", MediaKind.VIDEO, ("mov", "qt"), "QuickTime MOV"),
        MediaType("video/webm", MediaKind.VIDEO, ("webm",), "WebM"),
        MediaType("video/x-matroska", MediaKind.VIDEO, ("mkv",), "Matroska"),
        MediaType("video/3gpp", MediaKind.VIDEO, ("3gp", "3gpp"), "3GPP"),
    )
}

ALL_TYPES: tuple[str, ...] = tuple(KNOWN_TYPES)
