"""Master keys: they wrap the data keys, and only they.

``keys.master_key`` (``INTAKE_KEYS_MASTER_KEY``) lists them as ``id:base64`` entries
separated by commas, the first the current one: new data keys are wrapped with it, and
``intake keys rotate`` rewraps the others' with it. An id stays readable while it is
listed; drop it once ``intake keys status`` shows no data key left under it.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from intake.core.errors import ConfigurationError

KEY_BYTES = 32
_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
_NONCE = 12
_AAD = b"intake-data-key/1\0"


class UnwrapFailed(Exception):
    """A wrapped data key that its master key does not open."""


def new_entry(key_id: str) -> str:
    """A fresh master key, as an ``id:base64`` entry."""
    if not _ID.fullmatch(key_id):
        raise ConfigurationError("a master key id is 1-32 letters, digits, - or _")
    return f"{key_id}:{base64.b64encode(os.urandom(KEY_BYTES)).decode()}"


@dataclass(frozen=True)
class MasterKeys:
    current: str
    keys: Mapping[str, bytes]

    @classmethod
    def parse(cls, text: str) -> MasterKeys:
        """From ``id:base64[,id:base64…]`` (newlines also separate entries)."""
        keys: dict[str, bytes] = {}
        for entry in re.split(r"[,\s]+", text.strip()):
            key_id, _, encoded = entry.partition(":")
            if not _ID.fullmatch(key_id) or key_id in keys:
                raise ConfigurationError(
                    "keys.master_key: each entry is id:base64 with a distinct id of 1-32 "
                    "letters, digits, - or _ (make one with `intake keys generate`)"
                )
            try:
                key = base64.b64decode(encoded, validate=True)
            except binascii.Error:
                key = b""
            if len(key) != KEY_BYTES:
                raise ConfigurationError(
                    f"keys.master_key: the key of {key_id!r} must be 32 bytes in base64"
                )
            keys[key_id] = key
        if not keys:
            raise ConfigurationError("keys.master_key: no master key given")
        return cls(next(iter(keys)), keys)

    def __repr__(self) -> str:
        return f"MasterKeys(current={self.current!r}, ids={list(self.keys)!r})"

    def wrap(self, data_key: bytes, scope: str) -> tuple[str, bytes]:
        """``data_key`` wrapped for ``scope`` (a submission id) with the current key."""
        nonce = os.urandom(_NONCE)
        sealed = AESGCM(self.keys[self.current]).encrypt(nonce, data_key, _AAD + scope.encode())
        return self.current, nonce + sealed

    def unwrap(self, key_id: str, wrapped: bytes, scope: str) -> bytes:
        key = self.keys.get(key_id)
        if key is None:
            raise ConfigurationError(
                f"a data key is wrapped with master key {key_id!r}, which keys.master_key "
                "no longer lists: add it back (after the current one) and run "
                "`intake keys rotate`"
            )
        try:
            return AESGCM(key).decrypt(wrapped[:_NONCE], wrapped[_NONCE:], _AAD + scope.encode())
        except InvalidTag:
            raise UnwrapFailed(f"master key {key_id!r} does not open a data key") from None
