"""Client addresses as the database may keep them: an HMAC, never the address.

Rate-limit counters and failed-login counts need to know that two requests came from the
same address, not which address it was. Each is keyed by HMAC-SHA256(secret, address),
the secret coming from the environment (``server.address_secret``), or generated into the
data directory on a single embedded node. A copy of the database alone does not say who
sent what; someone holding the secret too can still test candidate addresses, which is
why the rows are kept only for their window.

An IPv6 client holds a whole network (a /64 at least) and picks any address in it, so
IPv6 addresses count by their network (``ipv6_prefix`` bits, ``rate.ipv6_prefix``).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress


def address_group(address: str, ipv6_prefix: int = 64) -> str:
    """What ``address`` counts as: itself (IPv4, or something not an address), or its
    IPv6 network of ``ipv6_prefix`` bits (an IPv4-mapped IPv6 address is its IPv4)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, ipv6_prefix), strict=False))
    return str(ip)


class AddressKeys:
    def __init__(self, secret: bytes, ipv6_prefix: int = 64) -> None:
        if len(secret) < 16:
            raise ValueError("an address secret needs at least 16 bytes")
        self._secret = secret
        self._ipv6_prefix = ipv6_prefix

    def of(self, address: str) -> str:
        """The key standing for ``address``'s group (hex, 32 characters)."""
        group = address_group(address, self._ipv6_prefix)
        digest = hmac.new(self._secret, group.encode(), hashlib.sha256).hexdigest()
        return digest[:32]
