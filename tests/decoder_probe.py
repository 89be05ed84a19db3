"""Functions the tests run in a decoder process to see what it may do."""

from __future__ import annotations

import socket


def peak_memory() -> int:
    """The decoder process's peak resident memory so far, in bytes."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM")


def allocate(size: int) -> int:
    return len(bytearray(size))


def spin() -> None:
    while True:
        pass


def connect(port: int) -> str:
    """What happens when the decoder tries to reach ``127.0.0.1:port``."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return "connected"
    except OSError as exc:
        return type(exc).__name__
