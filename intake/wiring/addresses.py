"""The secret client addresses are keyed by (:mod:`intake.safeguards.addresses`)."""

from __future__ import annotations

from intake.adapters.private_files import kept_secret
from intake.core.errors import ConfigurationError
from intake.core.settings import Settings
from intake.safeguards.addresses import AddressKeys

KEY_FILE = "address.key"


def address_keys(settings: Settings) -> AddressKeys:
    """From ``server.address_secret``; without one, on SQLite, from a secret generated at
    first start into the data directory (``make run`` needs no set-up). Instances sharing
    a PostgreSQL database must share the secret, so there it must be set."""
    secret = settings.server.address_secret
    if secret:
        if len(secret.encode()) < 16:
            raise ConfigurationError("server.address_secret: use at least 16 characters")
        return AddressKeys(secret.encode(), settings.rate.ipv6_prefix)
    if settings.database_url.startswith("postgresql"):
        raise ConfigurationError(
            "server.address_secret: set it (INTAKE_SERVER_ADDRESS_SECRET, the same on every "
            "instance) when the database is PostgreSQL"
        )
    return AddressKeys(kept_secret(settings.data_path / KEY_FILE), settings.rate.ipv6_prefix)
