"""Bearer tokens from the Authorization header."""

from __future__ import annotations

from aiohttp import web


def bearer_token(request: web.Request) -> str | None:
    """The token of ``Authorization: Bearer <token>``, or ``None``."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()
