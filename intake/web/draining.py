"""Whether this node is shutting down: from SIGTERM on, ``/readyz`` says not ready."""

from __future__ import annotations


class Draining:
    def __init__(self) -> None:
        self.active = False

    def begin(self) -> None:
        self.active = True
