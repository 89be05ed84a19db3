"""Publishing: an approved submission's public copies, unsealed, for the newsroom's site.

Everything else in the bucket is sealed with its submission's data key; a public copy
(metadata stripped) that an editor publishes is copied out unsealed, under
``published/<random>.<ext>``: nothing in its name tells when it came, from whom, or
which submission it belongs to. Each copy is recorded, and a withdrawal deletes them
(:mod:`intake.submissions.erasure`); what others copied meanwhile is theirs.
"""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path

from intake.core.bucket_layout import published_key
from intake.core.clock import Clock, utcnow
from intake.core.errors import Conflict, NotFound
from intake.core.object_store import ObjectStore, SpooledBody
from intake.keys.ports import PublishedCopy, PublishedCopyRepository
from intake.moderation.records import Moderator
from intake.submissions.ports import SubmissionRepository
from intake.submissions.records import StoredFile, SubmissionState


class Publisher:
    def __init__(
        self,
        sealed: ObjectStore,
        bucket: ObjectStore,
        submissions: SubmissionRepository,
        copies: PublishedCopyRepository,
        clock: Clock = utcnow,
        temp_dir: str | None = None,
    ) -> None:
        self._sealed = sealed
        self._bucket = bucket
        self._submissions = submissions
        self._copies = copies
        self._clock = clock
        self._temp_dir = temp_dir

    async def publish(self, moderator: Moderator, submission_id: str) -> list[PublishedCopy]:
        """Publish the public copy of every file of an approved submission (those
        published already are kept as they are); every copy it has."""
        submission = await self._submissions.get_submission(submission_id)
        if submission is None:
            raise NotFound("No submission has this id.")
        if submission.state is not SubmissionState.APPROVED:
            raise Conflict("Only an approved submission is published; approve it first.")
        done = {c.file_id for c in await self._copies.of_submission(submission_id)}
        for file in await self._submissions.files_of(submission_id):
            if file.public_key and file.id not in done:
                await self._publish_file(moderator, file)
        return await self._copies.of_submission(submission_id)

    async def _publish_file(self, moderator: Moderator, file: StoredFile) -> None:
        extension = file.public_key.rsplit(".", 1)[-1]
        key = published_key(secrets.token_hex(16), extension)
        info = await self._sealed.head(file.public_key)
        with tempfile.TemporaryDirectory(dir=self._temp_dir) as directory:
            path = Path(directory) / "public"
            size = await self._sealed.download(file.public_key, path)
            body = SpooledBody(path, size)
            await self._bucket.put(key, body, content_type=info.content_type, metadata={})
        copy = PublishedCopy(key, file.submission_id, file.id, self._clock(), moderator.name)
        try:
            await self._copies.add(copy)
        except BaseException:
            await self._bucket.delete([key])
            raise

    async def link(self, copy: PublishedCopy, seconds: int) -> str:
        return await self._bucket.presign_get(copy.object_key, seconds=seconds)
