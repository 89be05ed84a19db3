"""The ports of inspection: a malware scanner and the index of perceptual hashes."""

from __future__ import annotations

from collections.abc import Sequence
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


@dataclass(frozen=True)
class HashMatch:
    """A stored hash near one looked up: whose it is and how many bits apart."""

    file_id: str
    submission_id: str
    kind: str
    """photo, or video (its poster and keyframes)."""
    distance: int
    query: int
    """Which of the hashes looked up it is near (their index)."""


class HashIndex(Protocol):
    """Perceptual hashes (64-bit, 16 hex digits) of every inspected file, looked up by
    Hamming distance without a scan of every row."""

    async def add(self, file_id: str, submission_id: str, kind: str, hashes: Sequence[str]) -> None:
        """Keep ``hashes`` as the file's hashes of ``kind`` (replacing any it had:
        repeating it changes nothing), unless the file is no longer ``inspected`` (its
        submission was withdrawn meanwhile): then nothing of it is kept."""

    async def near(
        self, hashes: Sequence[str], max_bits: int, exclude_submission: str
    ) -> list[HashMatch]:
        """Every stored hash of another submission within ``max_bits`` bits of one of
        ``hashes`` (all of them, none missed), nearest first."""
