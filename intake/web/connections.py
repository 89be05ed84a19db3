"""Slow and idle clients cut off, and connections per client address capped.

aiohttp waits for a request's head as long as its keep-alive allows (a head trickled a
byte at a time is never cut before it) and for a body's bytes without limit, so a few
hundred such connections would hold a node's sockets. Each connection is watched:

- its request line and headers must arrive within ``server.header_timeout_seconds`` of
  its first byte (or of the connection opening): otherwise 408 and the connection
  closes;
- while a body is being read, ``server.body_idle_seconds`` without a byte ends the
  connection (what a resumable upload received is kept); a slow but moving client is
  never cut, nor one that intake itself is not reading from (flow control paused);
- ``server.connections_per_client`` connections at once per client address (an IPv6
  client per ``rate.ipv6_prefix`` network); more are answered 429 and closed. A peer
  that is a trusted proxy (``rate.trusted_proxies``) is not capped: it speaks for many
  clients, and caps them itself (deploy/haproxy.cfg).
"""

from __future__ import annotations

import ipaddress
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from intake.core.errors import TooManyRequests
from intake.core.settings import Settings
from intake.safeguards.addresses import address_group
from intake.web.pages.security import SAFE_HEADERS
from intake.web.problems import PROBLEM_JSON

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks_of(values: Sequence[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(v, strict=False) for v in values)


@dataclass(frozen=True)
class ConnectionLimits:
    header_timeout: float
    body_idle: float
    per_client: int
    """0: no cap."""
    ipv6_prefix: int = 64
    proxies: tuple[Network, ...] = ()

    @classmethod
    def from_settings(cls, settings: Settings) -> ConnectionLimits:
        s = settings.server
        return cls(
            header_timeout=s.header_timeout_seconds,
            body_idle=s.body_idle_seconds,
            per_client=s.connections_per_client,
            ipv6_prefix=settings.rate.ipv6_prefix,
            proxies=networks_of(settings.rate.trusted_proxies),
        )

    @property
    def tick(self) -> float:
        """How often a connection is looked at: often enough to cut within a third over."""
        return max(min(self.header_timeout, self.body_idle) / 3, 0.05)


class ClientConnections:
    """How many connections each client address holds open on this node."""

    def __init__(self, limits: ConnectionLimits) -> None:
        self.limits = limits
        self._open: Counter[str] = Counter()

    def _group(self, peer: str) -> str | None:
        """The address group ``peer`` counts under; ``None`` when it is not capped."""
        if not self.limits.per_client or not peer:
            return None
        try:
            ip = ipaddress.ip_address(peer)
        except ValueError:
            return None
        if any(ip in network for network in self.limits.proxies):
            return None
        return address_group(peer, self.limits.ipv6_prefix)

    def open(self, peer: str) -> str | bool | None:
        """Count a new connection: its group (``None``: not counted), or ``False`` when
        the client holds its cap already (the connection is not counted)."""
        group = self._group(peer)
        if group is None:
            return None
        if self._open[group] >= self.limits.per_client:
            return False
        self._open[group] += 1
        return group

    def close(self, group: str) -> None:
        self._open[group] -= 1
        if self._open[group] <= 0:
            del self._open[group]


def raw_problem(problem: dict[str, object], **headers: str) -> bytes:
    """A whole HTTP/1.1 answer (closing the connection) carrying ``problem``, written
    straight to the socket where no request is there to answer through aiohttp."""
    body = json.dumps(problem).encode()
    fields = {"Content-Type": PROBLEM_JSON, "Content-Length": str(len(body)),
              "Connection": "close", **SAFE_HEADERS, **headers}  # fmt: skip
    lines = [f"HTTP/1.1 {problem['status']} {problem['title']}",
             *(f"{name}: {value}" for name, value in fields.items())]  # fmt: skip
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def over_cap(limits: ConnectionLimits) -> bytes:
    error = TooManyRequests(
        f"This address has {limits.per_client} connections open already; close one or "
        "wait for them to finish.",
        retry_after_seconds=1,
        limit=limits.per_client,
    )
    return raw_problem(error.problem(), **{"Retry-After": "1"})


def too_slow(limits: ConnectionLimits) -> bytes:
    """408: the head did not come in time (a connection-level answer, like a 400 for a
    head that cannot be parsed: no route answers it)."""
    return raw_problem({
        "type": "/problems/request-timeout",
        "title": "The request's headers took too long to arrive",
        "status": 408,
        "detail": f"Send the request line and headers within {limits.header_timeout:.0f} s.",
    })  # fmt: skip
