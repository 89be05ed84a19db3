"""The port of inspection: a malware scanner."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


class MalwareScanner(Protocol):
    """A virus scanner that reads files streamed to it (clamd)."""

    async def scan(self, path: Path) -> ScanResult:
        """Scan the file at ``path``; raise ``ScannerUnavailable`` when the scanner
        cannot be reached (the caller retries later)."""


@dataclass(frozen=True)
class ScanResult:
    signature: str = ""
    """The name of what was found; empty when the file is clean."""
    complete: bool = True
    """``False`` when the scanner stopped before the end (its size limit)."""
