"""Duplicates: a file sent before (same sha256) or a photo that looks the same (its
perceptual hash within ``inspection.near_duplicate_bits`` bits of an earlier one's)."""

from __future__ import annotations

from intake.submissions.ports import SubmissionRepository
from intake.submissions.records import FileFlag, FileState, FlagKind, StoredFile

MAX_NEAR_DUPLICATES = 3


def _earlier(candidate: StoredFile, file: StoredFile) -> bool:
    return (candidate.created_at, candidate.id) < (file.created_at, file.id)


async def duplicate_flags(
    repository: SubmissionRepository, file: StoredFile, phash: str, max_bits: int
) -> tuple[FileFlag, ...]:
    """Flags linking ``file`` to the earliest file with its bytes and to the photos of
    other submissions that look nearest to it."""
    flags: list[FileFlag] = []
    same = [
        f
        for f in await repository.files_with_sha256(file.sha256)
        if f.id != file.id and f.state is not FileState.DELETED and _earlier(f, file)
    ]
    if same:
        flags.append(FileFlag(FlagKind.DUPLICATE, same[0].submission_id, same[0].id))
    if phash:
        exact = {f.id for f in same}
        near = await repository.similar_photos(phash, max_bits, file.submission_id)
        looks_alike = [
            FileFlag(FlagKind.NEAR_DUPLICATE, f.submission_id, f.id, distance)
            for f, distance in near
            if f.id not in exact
        ]
        flags.extend(looks_alike[:MAX_NEAR_DUPLICATES])
    return tuple(flags)
