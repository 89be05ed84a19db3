"""The ``Intake-Signature`` header of a webhook delivery.

``Intake-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>``.
A receiver recomputes ``v1`` over the exact bytes it got, compares in constant time, and
refuses timestamps too far from its clock (replays). :func:`verify` does all of that.
"""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "Intake-Signature"
EVENT_ID_HEADER = "Intake-Event-Id"
EVENT_TYPE_HEADER = "Intake-Event-Type"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The header value for ``body`` sent now (or at ``timestamp``)."""
    t = int(time.time()) if timestamp is None else timestamp
    return f"t={t},v1={signature(secret, t, body)}"


def verify(secret: str, header: str, body: bytes, *, tolerance: int = 300) -> bool:
    """Whether ``header`` signs ``body`` with ``secret``, within ``tolerance`` seconds."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        t = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - t) > tolerance:
        return False
    return hmac.compare_digest(parts.get("v1", ""), signature(secret, t, body))
