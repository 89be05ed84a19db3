"""Duplicates: a file sent before (same sha256), a photo that looks the same (its
perceptual hash within ``inspection.near_duplicate_bits`` bits of an earlier one's), and
a video sent again, trimmed or re-encoded (enough of its poster and keyframe hashes
within those bits of one earlier video's). Hashes are looked up in the banded index
(:class:`intake.inspection.ports.HashIndex`), never by a scan of every file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from intake.inspection.ports import HashIndex, HashMatch
from intake.submissions.ports import SubmissionRepository
from intake.submissions.records import FileFlag, FileState, FlagKind, StoredFile

MAX_NEAR_DUPLICATES = 3


@dataclass(frozen=True)
class Fingerprint:
    """A file's perceptual hashes: a photo's one, or a video's poster then keyframes."""

    kind: str
    hashes: tuple[str, ...]


def _earlier(candidate: StoredFile, file: StoredFile) -> bool:
    return (candidate.created_at, candidate.id) < (file.created_at, file.id)


def _photo_flags(matches: Sequence[HashMatch], exact: set[str]) -> list[FileFlag]:
    seen: set[str] = set()
    flags: list[FileFlag] = []
    for m in matches:
        if m.kind == "photo" and m.file_id not in exact | seen:
            seen.add(m.file_id)
            flags.append(FileFlag(FlagKind.NEAR_DUPLICATE, m.submission_id, m.file_id,
                                  m.distance, {"compared": "photo"}))  # fmt: skip
    return flags


def _video_flags(
    matches: Sequence[HashMatch], exact: set[str], frames: int, share: float
) -> list[FileFlag]:
    """Earlier videos enough of whose frames look like this one's, most frames first."""
    by_file: dict[str, tuple[str, set[int], int]] = {}
    for m in matches:
        if m.kind != "video" or m.file_id in exact:
            continue
        submission_id, queries, best = by_file.get(m.file_id, (m.submission_id, set(), 64))
        by_file[m.file_id] = (submission_id, queries | {m.query}, min(best, m.distance))
    alike = [
        (len(queries), file_id, submission_id, best)
        for file_id, (submission_id, queries, best) in by_file.items()
        if len(queries) >= max(1, round(share * frames))
    ]
    alike.sort(key=lambda a: (-a[0], a[3]))
    return [
        FileFlag(FlagKind.NEAR_DUPLICATE, submission_id, file_id, best,
                 {"compared": "video", "frames_alike": count, "frames": frames})
        for count, file_id, submission_id, best in alike
    ]  # fmt: skip


async def duplicate_flags(
    repository: SubmissionRepository,
    index: HashIndex | None,
    file: StoredFile,
    fingerprint: Fingerprint,
    max_bits: int,
    video_share: float,
) -> tuple[FileFlag, ...]:
    """Flags linking ``file`` to the earliest file with its bytes and to the files of
    other submissions that look nearest to it."""
    flags: list[FileFlag] = []
    same = [
        f
        for f in await repository.files_with_sha256(file.sha256)
        if f.id != file.id and f.state is not FileState.DELETED and _earlier(f, file)
    ]
    if same:
        flags.append(FileFlag(FlagKind.DUPLICATE, same[0].submission_id, same[0].id))
    if fingerprint.hashes and index is not None:
        exact = {f.id for f in same}
        matches = await index.near(fingerprint.hashes, max_bits, file.submission_id)
        if fingerprint.kind == "photo":
            looks_alike = _photo_flags(matches, exact)
        else:
            looks_alike = _video_flags(matches, exact, len(fingerprint.hashes), video_share)
        flags.extend(looks_alike[:MAX_NEAR_DUPLICATES])
    return tuple(flags)
