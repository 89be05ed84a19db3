"""The client's address: the peer, or what trusted proxies say in X-Forwarded-For."""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import AsyncIterator, Sequence

from aiohttp import web

from intake.web.keys import RATE_LIMITER, SETTINGS

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _trusted(address: str, proxies: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def client_address(request: web.Request, proxies: Sequence[Network]) -> str:
    """The peer address; when the peer is a trusted proxy, the right-most address of
    ``X-Forwarded-For`` that is not itself a trusted proxy (the one a client cannot forge)."""
    peer = request.remote or ""
    if not proxies or not _trusted(peer, proxies):
        return peer
    hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            return hop
    return peer


def networks(values: Sequence[str]) -> list[Network]:
    return [ipaddress.ip_network(v, strict=False) for v in values]


@contextlib.asynccontextmanager
async def allowance(request: web.Request, action: str) -> AsyncIterator[None]:
    """Count this request against ``action``'s rate limits if it succeeds (429 past them)."""
    proxies = networks(request.app[SETTINGS].rate.trusted_proxies)
    async with request.app[RATE_LIMITER].allowance(action, client_address(request, proxies)):
        yield
