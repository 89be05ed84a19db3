"""Client addresses as the database may keep them: an HMAC, never the address.

Rate-limit counters and failed-login counts need to know that two requests came from the
same address, not which address it was. Each is keyed by HMAC-SHA256(secret, address),
the secret coming from the environment (``server.address_secret``), or generated into the
data directory on a single embedded node. A copy of the database alone does not say who
sent what; someone holding the secret too can still test candidate addresses, which is
why the rows are kept only for their window.
"""

from __future__ import annotations

import hashlib
import hmac


class AddressKeys:
    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("an address secret needs at least 16 bytes")
        self._secret = secret

    def of(self, address: str) -> str:
        """The key standing for ``address`` (hex, 32 characters)."""
        digest = hmac.new(self._secret, address.encode(), hashlib.sha256).hexdigest()
        return digest[:32]
