"""Inspection: every file of a received submission opened for real, then the verdict.

One job per submission (``inspect_submission``). For each file still ``stored``: the
original is fetched to a temporary file (streamed), scanned by clamd when configured,
decoded in a decoder process (:mod:`intake.inspection.decoders`), its derivatives are stored
under deterministic keys, duplicates are looked up, and the file's row is updated
(conditional: a withdrawn submission keeps nothing). When no file is left, the
submission moves on (``pending_review``, or ``failed`` when no file was accepted) and
its manifest is rewritten. Repeating any step after a crash gives the same result.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from intake.core.bucket_layout import object_metadata, public_key, thumbnail_key
from intake.core.clock import Clock, utcnow
from intake.core.errors import ConfigurationError, MediaRejected
from intake.core.object_store import ObjectStore, SpooledBody
from intake.core.settings import Settings
from intake.inspection.consistency import ConsistencyRules, consistency_flags
from intake.inspection.decoders import DecoderPool
from intake.inspection.duplicates import Fingerprint, duplicate_flags
from intake.inspection.places import load_places
from intake.inspection.ports import HashIndex, MalwareScanner, ScanResult
from intake.jobs.records import Job
from intake.media.results import Derivative, Inspected, PhotoLimits, VideoLimits
from intake.submissions.manifest import store_manifest, take_back_if_withdrawn
from intake.submissions.ports import SubmissionRepository
from intake.submissions.records import (
    AuditEntry,
    FileFlag,
    FileState,
    FlagKind,
    StoredFile,
    Submission,
    SubmissionState,
)

log = logging.getLogger(__name__)
DECODERS = {
    "photo": "intake.media.photos:inspect_photo",
    "video": "intake.media.videos:inspect_video",
}
Timings = dict[str, float]


@dataclass(frozen=True)
class InspectionRules:
    photo: PhotoLimits
    video: VideoLimits
    near_duplicate_bits: int
    temp_dir: str | None = None
    consistency: ConsistencyRules = dataclasses.field(default_factory=ConsistencyRules)
    video_near_duplicate_share: float = 0.5

    @classmethod
    def from_settings(cls, settings: Settings) -> InspectionRules:
        i, v = settings.inspection, settings.verification
        anchors = _read_anchors(v.c2pa_trust_anchors)
        return cls(
            photo=PhotoLimits(
                max_pixels=i.photo_max_pixels,
                thumbnail_side=i.thumbnail_side,
                max_frames=i.photo_max_frames,
                max_total_pixels=i.photo_max_total_pixels,
                jpeg_as_sent=i.jpeg_public_as_sent,
                trust_anchors=anchors,
            ),
            video=VideoLimits(
                max_seconds=i.video_max_seconds,
                max_side=i.video_max_side,
                thumbnail_side=i.thumbnail_side,
                poster_seconds=i.poster_seconds,
                keyframes=v.video_keyframes,
                trust_anchors=anchors,
            ),
            near_duplicate_bits=i.near_duplicate_bits,
            temp_dir=i.temp_dir or None,
            consistency=ConsistencyRules(
                capture_hours_apart=v.capture_hours_apart,
                places=load_places(v.places_file),
                place_max_km=v.place_max_km,
            ),
            video_near_duplicate_share=v.video_near_duplicate_share,
        )


def _read_anchors(path: str) -> str:
    if not path:
        return ""
    try:
        text = Path(path).read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(
            f"verification.c2pa_trust_anchors: cannot read {path}: {exc}"
        ) from exc
    if "-----BEGIN CERTIFICATE-----" not in text:
        raise ConfigurationError(
            f"verification.c2pa_trust_anchors: {path} holds no PEM certificate"
        )
    return text


class InspectionService:
    """The handler of ``inspect_submission`` jobs (see :class:`intake.jobs.worker.JobHandler`)."""

    def __init__(
        self,
        store: ObjectStore,
        repository: SubmissionRepository,
        decoders: DecoderPool,
        scanner: MalwareScanner | None,
        rules: InspectionRules,
        clock: Clock = utcnow,
        hashes: HashIndex | None = None,
    ) -> None:
        self._hashes = hashes
        self._store = store
        self._repository = repository
        self._decoders = decoders
        self._scanner = scanner
        self._rules = rules
        self._clock = clock

    async def run(self, job: Job) -> None:
        submission = await self._repository.get_submission(job.payload["submission_id"])
        if submission is None or submission.state is not SubmissionState.PROCESSING:
            return
        for file in await self._repository.files_of(submission.id):
            if file.state is FileState.STORED:
                await self.inspect_file(submission, file)
        await self._finish(submission)

    async def gave_up(self, job: Job, error: str) -> None:
        """Files still not inspected are rejected with the last error; the submission
        moves on with the others."""
        submission = await self._repository.get_submission(job.payload["submission_id"])
        if submission is None or submission.state is not SubmissionState.PROCESSING:
            return
        for file in await self._repository.files_of(submission.id):
            if file.state is FileState.STORED:
                reason = f"The file could not be inspected ({error})."
                await self._repository.record_inspection(self._rejected(file, reason))
        await self._finish(submission)

    def _rejected(
        self, file: StoredFile, reason: str, flags: tuple[FileFlag, ...] = ()
    ) -> StoredFile:
        return dataclasses.replace(
            file, state=FileState.REJECTED, reject_reason=reason, flags=flags,
            inspected_at=self._clock(),
        )  # fmt: skip

    async def inspect_file(
        self, submission: Submission, file: StoredFile, timings: Timings | None = None
    ) -> StoredFile:
        """Inspect one file and record the verdict; returns the file as recorded."""
        spent: Timings = timings if timings is not None else {}
        work = Path(
            await asyncio.to_thread(tempfile.mkdtemp, prefix="inspect-", dir=self._rules.temp_dir)
        )
        try:
            original = work / "original"
            started = time.perf_counter()
            await self._store.download(file.object_key, original)
            spent["fetch"] = time.perf_counter() - started
            verdict, uploaded, fingerprint = await self._examine(submission, file, original, spent)
        finally:  # a large original takes a while to unlink: off the event loop
            await asyncio.to_thread(shutil.rmtree, work, ignore_errors=True)
        started = time.perf_counter()
        recorded = await self._repository.record_inspection(verdict)
        if not recorded and uploaded:
            await self._store.delete(uploaded)  # withdrawn meanwhile: keep nothing
        if recorded and fingerprint.hashes and self._hashes is not None:
            await self._hashes.add(file.id, file.submission_id, fingerprint.kind,
                                   fingerprint.hashes)  # fmt: skip
        spent["record"] = time.perf_counter() - started
        log.info("file %s of %s: %s %s", file.id, submission.id, verdict.state.value,
                 verdict.reject_reason)  # fmt: skip
        return verdict

    async def _scan(self, original: Path, spent: Timings) -> ScanResult | None:
        if self._scanner is None:
            return None
        started = time.perf_counter()
        result = await self._scanner.scan(original)
        spent["scan"] = time.perf_counter() - started
        return result

    async def _examine(
        self, submission: Submission, file: StoredFile, original: Path, spent: Timings
    ) -> tuple[StoredFile, list[str], Fingerprint]:
        flags: tuple[FileFlag, ...] = ()
        none = Fingerprint(file.kind, ())
        scanned = await self._scan(original, spent)
        if scanned is not None and scanned.signature:
            reason = f"Malware found by the virus scanner: {scanned.signature}."
            return self._rejected(file, reason), [], none
        if scanned is not None and not scanned.complete:
            flags = (FileFlag(FlagKind.NOT_SCANNED),)
        limits = self._rules.photo if file.kind == "photo" else self._rules.video
        try:
            inspected: Inspected = await self._decoders.run(
                DECODERS[file.kind], str(original), file.media_type, str(original.parent), limits
            )
        except MediaRejected as exc:
            return self._rejected(file, exc.detail, flags), [], none
        spent.update(inspected.timings)
        started = time.perf_counter()
        keys = await self._store_derivatives(submission, file, inspected)
        spent["upload"] = time.perf_counter() - started
        fingerprint = Fingerprint(
            file.kind, (inspected.phash,) if inspected.phash else inspected.frame_hashes
        )
        flags += await self._duplicate_flags(file, fingerprint)
        flags += consistency_flags(file, inspected.extracted, submission, self._rules.consistency)
        verdict = dataclasses.replace(
            file, state=FileState.INSPECTED, extracted=inspected.extracted, flags=flags,
            public_key=keys[0], thumbnail_key=keys[1], phash=inspected.phash,
            inspected_at=self._clock(),
        )  # fmt: skip
        return verdict, keys, fingerprint

    async def _duplicate_flags(
        self, file: StoredFile, fingerprint: Fingerprint
    ) -> tuple[FileFlag, ...]:
        rules = self._rules
        return await duplicate_flags(
            self._repository, self._hashes, file, fingerprint, rules.near_duplicate_bits,
            rules.video_near_duplicate_share,
        )  # fmt: skip

    async def _store_derivatives(
        self, submission: Submission, file: StoredFile, inspected: Inspected
    ) -> list[str]:
        keys = [
            public_key(submission.prefix, file.id, inspected.public.extension),
            thumbnail_key(submission.prefix, file.id),
        ]
        for key, derivative in zip(keys, (inspected.public, inspected.thumbnail), strict=True):
            await self._put_file(key, derivative, submission, file)
        return keys

    async def _put_file(
        self, key: str, derivative: Derivative, submission: Submission, file: StoredFile
    ) -> None:
        path = Path(derivative.path)
        await self._store.put(
            key,
            SpooledBody(path, (await asyncio.to_thread(path.stat)).st_size),
            content_type=derivative.content_type,
            metadata=object_metadata(submission.id, file.id, derivative.content_type),
        )

    async def _finish(self, submission: Submission) -> None:
        files = await self._repository.files_of(submission.id)
        detail = {
            "accepted": [f.id for f in files if f.state is FileState.INSPECTED],
            "rejected": [f.id for f in files if f.state is FileState.REJECTED],
        }
        audit = AuditEntry(submission.id, self._clock(), "system", "inspected",
                           SubmissionState.PROCESSING, None, detail)  # fmt: skip
        await self._repository.finish_processing(submission.id, audit)
        await self.rewrite_manifest(submission.id)

    async def rewrite_manifest(self, submission_id: str) -> None:
        """Store the manifest as the database has the submission now (not withdrawn); a
        withdrawal that came meanwhile is never undone by it."""
        submission = await self._repository.get_submission(submission_id)
        if submission is None or submission.state is SubmissionState.WITHDRAWN:
            return
        await store_manifest(
            self._store, submission, await self._repository.files_of(submission_id)
        )
        await take_back_if_withdrawn(self._store, self._repository, submission)
