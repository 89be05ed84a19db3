"""The vocabulary of settings: a field with help, bounds and a check; secrets; sizes."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import field
from typing import Any

MiB = 1024 * 1024
GiB = 1024 * MiB
S3_MIN_PART_SIZE = 5 * MiB
ENV_PREFIX = "INTAKE_"


class Secret(str):
    """A string that never shows its value in ``repr`` or logs."""

    def __repr__(self) -> str:
        return "Secret('****')" if self else "Secret('')"


class ByteSize(int):
    """A number of bytes, written in TOML as an integer or as ``"30 MiB"``."""


def setting(
    default: Any,
    help: str,
    *,
    choices: tuple[str, ...] | None = None,
    minimum: float | None = None,
    check: Callable[[Any], str | None] | None = None,
) -> Any:
    meta = {"help": help, "choices": choices, "minimum": minimum, "check": check}
    if isinstance(default, list | tuple):
        return field(default_factory=lambda: tuple(default), metadata=meta)
    return field(default=default, metadata=meta)


def check_networks(values: tuple[str, ...]) -> str | None:
    for value in values:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            return f"{value!r} is not an IP address or network"
    return None


def check_urls(values: tuple[str, ...]) -> str | None:
    bad = [v for v in values if not re.fullmatch(r"https?://[^\s]+", v)]
    return f"not http(s) URLs: {bad}" if bad else None
