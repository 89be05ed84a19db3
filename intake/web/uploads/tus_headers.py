"""tus 1.0.0 request headers, parsed strictly, and the headers of its answers."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import email.utils
import hashlib
import re
from collections.abc import Mapping

from intake.core.errors import BadRequest
from intake.uploads.chunks import CHECKSUM_ALGORITHMS, ChunkChecksum
from intake.uploads.records import Concat, Upload

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = (
    "creation", "creation-with-upload", "creation-defer-length", "termination",
    "expiration", "checksum", "concatenation",
)  # fmt: skip
OFFSET_OCTET_STREAM = "application/offset+octet-stream"
_KEY = re.compile(r"^[^\s,]+$")
_NUMBER = re.compile(r"^[0-9]{1,19}$")


def parse_number(headers: Mapping[str, str], name: str) -> int | None:
    """A non-negative integer header, ``None`` when absent; 400 when malformed."""
    value = headers.get(name)
    if value is None:
        return None
    if not _NUMBER.match(value.strip()):
        raise BadRequest(f"{name} must be a non-negative integer, not {value!r}.")
    return int(value)


def parse_metadata(value: str | None) -> dict[str, str]:
    """``Upload-Metadata``: comma-separated ``key base64value`` pairs (the value may be
    absent). Keys are unique and free of spaces and commas; values are UTF-8."""
    if value is None or not value.strip():
        return {}
    metadata: dict[str, str] = {}
    for pair in value.split(","):
        items = pair.strip().split(" ")
        if len(items) > 2 or not _KEY.match(items[0]):
            raise BadRequest(f"Upload-Metadata pair {pair.strip()!r} is not 'key base64value'.")
        key = items[0]
        if key in metadata:
            raise BadRequest(f"Upload-Metadata names {key!r} twice.")
        try:
            raw = base64.b64decode(items[1], validate=True) if len(items) == 2 else b""
            metadata[key] = raw.decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise BadRequest(f"Upload-Metadata value of {key!r} is not base64 of UTF-8.") from exc
    return metadata


def encode_metadata(metadata: Mapping[str, str]) -> str:
    return ",".join(
        f"{key} {base64.b64encode(value.encode()).decode()}" if value else key
        for key, value in metadata.items()
    )


def parse_checksum(value: str | None) -> ChunkChecksum | None:
    if value is None:
        return None
    algorithm, _, encoded = value.strip().partition(" ")
    if algorithm not in CHECKSUM_ALGORITHMS:
        raise BadRequest(
            f"Upload-Checksum algorithm {algorithm!r} is not supported; "
            f"use one of {', '.join(CHECKSUM_ALGORITHMS)}.",
            supported=list(CHECKSUM_ALGORITHMS),
        )
    try:
        digest = base64.b64decode(encoded, validate=True)
    except binascii.Error as exc:
        raise BadRequest("Upload-Checksum must be '<algorithm> <base64 digest>'.") from exc
    if len(digest) != hashlib.new(algorithm).digest_size:
        raise BadRequest(f"Upload-Checksum has no whole {algorithm} digest.")
    return ChunkChecksum(algorithm, digest)


def parse_concat(value: str | None) -> tuple[Concat, tuple[str, ...]]:
    """``Upload-Concat``: ``partial``, or ``final;<url> <url>…`` (the upload ids)."""
    if value is None:
        return Concat.NONE, ()
    value = value.strip()
    if value == "partial":
        return Concat.PARTIAL, ()
    if value.startswith("final;"):
        urls = value[len("final;") :].split()
        ids = tuple(url.rstrip("/").rsplit("/", 1)[-1] for url in urls)
        if ids and all(ids):
            return Concat.FINAL, ids
    raise BadRequest("Upload-Concat must be 'partial' or 'final;<url> <url>...'.")


def http_date(moment: dt.datetime) -> str:
    return email.utils.format_datetime(moment.astimezone(dt.UTC), usegmt=True)


def upload_headers(upload: Upload, base: str) -> dict[str, str]:
    """What HEAD (and each answer) says about an upload."""
    headers = {
        "Upload-Offset": str(upload.length if upload.concat is Concat.FINAL else upload.offset),
        "Upload-Expires": http_date(upload.expires_at),
        "Cache-Control": "no-store",
    }
    if upload.length is None:
        headers["Upload-Defer-Length"] = "1"
    else:
        headers["Upload-Length"] = str(upload.length)
    if upload.metadata:
        headers["Upload-Metadata"] = encode_metadata(upload.metadata)
    if upload.concat is Concat.PARTIAL:
        headers["Upload-Concat"] = "partial"
    elif upload.concat is Concat.FINAL:
        headers["Upload-Concat"] = "final;" + " ".join(f"{base}/{p}" for p in upload.concat_parts)
    return headers
