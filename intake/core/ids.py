"""Ids, reference codes and submitter tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import secrets
import time
import uuid

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_id() -> str:
    """A UUIDv7 (RFC 9562): random, yet sorted by creation time, which keeps indexes tidy."""
    millis = time.time_ns() // 1_000_000
    value = (millis & (2**48 - 1)) << 80 | int.from_bytes(os.urandom(10), "big")
    value = (value & ~(0xF << 76)) | (0x7 << 76)
    value = (value & ~(0x3 << 62)) | (0x2 << 62)
    return str(uuid.UUID(int=value))


def id_time(value: str) -> dt.datetime | None:
    """When a UUIDv7 made by :func:`new_id` was made (to the millisecond); ``None`` for
    anything else."""
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        return None
    if parsed.version != 7:
        return None
    return dt.datetime.fromtimestamp((parsed.int >> 80) / 1000, dt.UTC)


def new_reference() -> str:
    """A code a reader can read out on the phone: ``K7M4Q-X9TB2`` (50 random bits)."""
    chars = "".join(secrets.choice(_CROCKFORD) for _ in range(10))
    return f"{chars[:5]}-{chars[5:]}"


def normalize_reference(text: str) -> str:
    cleaned = text.strip().upper().replace("-", "").replace(" ", "")
    cleaned = cleaned.translate(str.maketrans("OIL", "011"))
    return f"{cleaned[:5]}-{cleaned[5:]}" if len(cleaned) == 10 else cleaned


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """Tokens have 256 random bits, so one SHA-256 is enough to store them safely."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(token: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_token(token), stored_hash)
