"""The rules of resumable uploads: who may create, continue, finish and end them.

A PATCH that stores a part or the object takes a lease on its upload in the database
(:mod:`.leases`), so that two requests never write one upload's parts at once, and
commits its progress only while it still holds the lease. A PATCH whose bytes all stay in
the upload's tail writes nothing outside its own save: it takes no lease (no write turn
of its own on SQLite, no commit) and saves only if the upload is still where it found it
and not leased; of two such PATCHes at one offset the first to save wins, the other is
answered 409 and stores nothing. Nothing of the upload lives on the node.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from intake.core.bucket_layout import incoming_prefix, original_key, partial_key
from intake.core.clock import Clock, utcnow
from intake.core.errors import (
    BadRequest,
    Conflict,
    EmptyFile,
    Forbidden,
    Gone,
    IntakeError,
    Locked,
    NotFound,
    PayloadTooLarge,
    Unauthorized,
    UnsupportedMediaType,
    UploadLost,
)
from intake.core.ids import hash_token, new_id, token_matches
from intake.core.object_store import ObjectStore
from intake.keys.keyring import KeyRing
from intake.keys.ports import WrappedKey
from intake.uploads.allowance import NewUpload, check_allowance, concat_parts, room_left
from intake.uploads.chunks import ChunkChecksum, ChunkSource, ChunkWriter, stays_in_tail
from intake.uploads.concat import join_partials
from intake.uploads.kept import KeptProgress, sealing_upload
from intake.uploads.leases import Lease, Leases
from intake.uploads.object_writer import S3_MIN_PART_SIZE
from intake.uploads.policy import UploadPolicy
from intake.uploads.ports import UploadRepository
from intake.uploads.recent import RecentUploads, seen
from intake.uploads.records import Concat, Upload, UploadOwner, UploadState
from intake.uploads.tails import Tails


@dataclass(frozen=True)
class UploadRules:
    expire_after: dt.timedelta
    lease: dt.timedelta


_LIVE = (UploadState.OPEN, UploadState.COMPLETE)


def _may_have_parts(upload: Upload) -> bool:
    """Whether any request could have started a multipart upload for it: only one that
    held at least a part's minimum of its bytes did."""
    return upload.length is None or upload.length >= S3_MIN_PART_SIZE


class UploadService:
    def __init__(
        self,
        store: ObjectStore,
        uploads: UploadRepository,
        keys: KeyRing,
        policy: UploadPolicy,
        rules: UploadRules,
        clock: Clock = utcnow,
    ) -> None:
        self._store = store
        self._uploads = uploads
        self._keys = keys
        self._tails = Tails(uploads, keys)
        self._kept = KeptProgress(keys)
        self._policy = policy
        self._rules = rules
        self._clock = clock
        self._leases = Leases(uploads, rules.lease, clock)
        self._recent = RecentUploads()

    @property
    def max_size(self) -> int:
        """The largest single upload accepted (``Tus-Max-Size``)."""
        return min(self._policy.max_total_bytes, max(self._policy.files.max_bytes.values()))

    async def _owner(self, token: str | None) -> UploadOwner:
        if not token:
            raise Unauthorized("Send the submitter token as Authorization: Bearer <token>.")
        owner = await self._uploads.owner_by_token_hash(hash_token(token))
        if owner is None:
            raise Unauthorized("This submitter token is not known.")
        return owner

    async def create(self, token: str | None, new: NewUpload) -> Upload:
        owner = await self._owner(token)
        named = new.metadata.get("submission")
        if named is not None and named != owner.submission_id:
            raise Forbidden("This token does not belong to the submission named in the metadata.")
        if not owner.is_draft:
            raise Forbidden("This submission was already submitted; create a new one.")
        now = self._clock()
        upload_id = new_id()

        def build(uploads: Sequence[Upload]) -> Upload:
            existing = [u for u in uploads if u.state in _LIVE]
            parts = concat_parts(new, existing)
            length = sum(p.length or 0 for p in parts) if parts else new.length
            if length == 0:
                raise EmptyFile(
                    "An upload of 0 bytes holds no photo or video; choose the file again."
                )
            check_allowance(self._policy, new, length, existing)
            return Upload(
                id=upload_id,
                submission_id=owner.submission_id,
                state=UploadState.OPEN,
                length=length,
                offset=0,
                concat=new.concat,
                concat_parts=tuple(p.id for p in parts),
                filename=new.metadata.get("filename", ""),
                declared_type=new.metadata.get("filetype", ""),
                metadata=dict(new.metadata),
                object_key=partial_key(upload_id)
                if new.concat is Concat.PARTIAL
                else original_key(owner.prefix, upload_id),
                created_at=now,
                updated_at=now,
                expires_at=now + self._rules.expire_after,
            )

        upload = await self._uploads.add_upload_checked(owner.submission_id, build)
        if upload is None:
            raise Forbidden("This submission was already submitted; create a new one.")
        if new.concat is Concat.FINAL:
            by_id = {u.id: u for u in await self._uploads.uploads_of(owner.submission_id)}
            return await self._join(upload, [by_id[part] for part in upload.concat_parts])
        self._recent.saw(upload)
        return upload

    async def status(self, upload_id: str, token: str | None) -> Upload:
        upload, _ = await self._owned(upload_id, token)
        return upload

    async def _owned(self, upload_id: str, token: str | None) -> tuple[Upload, UploadOwner]:
        found = await self._uploads.get_with_owner(upload_id)
        if found is None:
            raise NotFound("There is no upload at this address.")
        upload, owner = found
        if not token or not token_matches(token, owner.token_hash):
            raise NotFound("There is no upload at this address for this token.")
        if upload.state in (UploadState.TERMINATED, UploadState.EXPIRED):
            raise Gone(f"This upload was {upload.state.value}; start a new one.")
        return upload, owner

    async def append(
        self,
        upload_id: str,
        token: str | None,
        *,
        offset: int,
        body: ChunkSource,
        content_length: int | None,
        checksum: ChunkChecksum | None,
        length: int | None,
    ) -> Upload:
        if token and content_length != 0:
            now = self._clock()
            token_hash = hash_token(token)
            part_size = self._policy.writer.part_size
            if (
                content_length is not None
                and length is None
                and self._recent.may_need_no_lease(upload_id, offset, content_length, part_size)
            ):
                free = await self._uploads.free_as_owner(
                    upload_id, token_hash=token_hash, offset=offset, now=now
                )
                if free and stays_in_tail(*seen(free.upload), content_length, part_size):
                    upload = await self._checked_patch(free.upload, offset, content_length, None)
                    return await self._receive(upload, None, body, content_length, checksum,
                                               free.key)  # fmt: skip
            lock_id = new_id()
            claimed = await self._uploads.claim_as_owner(
                upload_id, token_hash=token_hash, offset=offset, lock_id=lock_id,
                until=now + self._leases.term, now=now,
            )  # fmt: skip
            if claimed is not None:
                async with self._leases.holding(upload_id, lock_id) as lease:
                    upload = await self._checked_patch(claimed.upload, offset, content_length,
                                                       length)  # fmt: skip
                    return await self._receive(upload, lease, body, content_length, checksum,
                                               claimed.key)  # fmt: skip
        # Not claimed in one step: find out why, and answer precisely.
        upload, _ = await self._owned(upload_id, token)
        if upload.concat is Concat.FINAL:
            raise Forbidden("A final (concatenated) upload takes no PATCH.")
        if upload.state is UploadState.COMPLETE and offset == upload.offset:
            return upload
        upload = await self._checked_patch(upload, offset, content_length, length)
        if content_length == 0 and length is None:
            return upload
        lock_id = new_id()
        await self._leases.claim(upload, offset, lock_id)
        async with self._leases.holding(upload.id, lock_id) as lease:
            return await self._receive(upload, lease, body, content_length, checksum)

    async def _checked_patch(
        self, upload: Upload, offset: int, content_length: int | None, length: int | None
    ) -> Upload:
        """The upload as this PATCH will continue it, or the reason it cannot."""
        if upload.concat is Concat.FINAL:
            raise Forbidden("A final (concatenated) upload takes no PATCH.")
        if offset != upload.offset:
            raise Conflict(f"The upload is at offset {upload.offset}; resume from there.",
                           offset=upload.offset)  # fmt: skip
        if length is not None:
            upload = await self._declare_length(upload, length)
        too_long = upload.length is not None and offset + (content_length or 0) > upload.length
        if too_long:
            raise BadRequest("The chunk goes past Upload-Length; send only what is left.")
        return upload

    async def _declare_length(self, upload: Upload, length: int) -> Upload:
        if upload.length is not None:
            if upload.length != length:
                raise BadRequest("Upload-Length cannot change once it is set.")
            return upload
        if length < upload.offset:
            raise BadRequest("Upload-Length is smaller than what was already received.")
        new = NewUpload(length, upload.metadata, upload.concat)

        def check(siblings: Sequence[Upload]) -> None:
            others = [u for u in siblings if u.state in _LIVE and u.id != upload.id]
            check_allowance(self._policy, new, length, others)

        if not await self._uploads.declare_length_checked(upload, length, check):
            raise Conflict("The upload's length was declared meanwhile; ask for it (HEAD).")
        return dataclasses.replace(upload, length=length)

    async def _deferred_cap(self, upload: Upload) -> int:
        """How far an upload of unknown length may grow: within the submission's room."""
        return min(self.max_size, room_left(self._policy, await self._others(upload)))

    async def _others(self, upload: Upload) -> list[Upload]:
        """The live uploads of the same submission, this one aside."""
        siblings = await self._uploads.uploads_of(upload.submission_id)
        return [u for u in siblings if u.state in _LIVE and u.id != upload.id]

    async def _receive(
        self,
        upload: Upload,
        lease: Lease | None,
        body: ChunkSource,
        content_length: int | None,
        checksum: ChunkChecksum | None,
        key: WrappedKey | None = None,
    ) -> Upload:
        max_bytes = upload.length if upload.length is not None else await self._deferred_cap(upload)
        writer = ChunkWriter(self._store, self._tails, self._kept, upload,
                             policy=self._policy.files, limits=self._policy.writer,
                             max_bytes=max_bytes)  # fmt: skip
        try:
            with sealing_upload():
                async with self._keys.lent(upload.submission_id, upload.id, key):
                    await writer.receive(body, content_length=content_length, checksum=checksum)
                    now = self._clock()
                    result = await writer.commit(now, now + self._rules.expire_after)
        except IntakeError as exc:
            await asyncio.shield(writer.discard())
            if isinstance(exc, UnsupportedMediaType | PayloadTooLarge | UploadLost):
                # The file can never be accepted (or completed): end the upload and free
                # what it holds.
                locked_by = lease.lock_id if lease else None
                await asyncio.shield(self._end(upload, UploadState.TERMINATED, locked_by))
            raise
        except BaseException:
            await asyncio.shield(writer.discard())
            raise
        try:
            if lease is None:
                saved = await self._uploads.save_unleased(
                    result.upload, offset=upload.offset, now=self._clock(), tail=result.tail
                )
            else:
                saved = lease.released = await self._uploads.save(
                    result.upload, lock_id=lease.lock_id, release=True,
                    drop_tail=result.drop_tail, tail_stored=result.tail_stored,
                    tail=result.tail,
                )  # fmt: skip
        finally:
            await asyncio.shield(writer.close())
        if not saved:
            raise Conflict("Another request wrote this upload meanwhile; ask for its offset.")
        self._recent.saw(result.upload)
        if result.obsolete:
            await self._store.delete([s.key for s in result.obsolete])
        if result.upload.state is UploadState.COMPLETE and _may_have_parts(result.upload):
            await self._abort_strays(result.upload)
        return result.upload

    async def _abort_strays(self, upload: Upload) -> None:
        """Abort multipart uploads left by requests that died before recording them."""
        for key, multipart_id in await self._store.list_multipart_uploads(upload.object_key):
            await self._store.abort_multipart(key, multipart_id)

    async def end_all(self, submission_id: str) -> None:
        """End every upload of a withdrawn submission, even one a request is writing."""
        now = self._clock()
        for upload in await self._uploads.uploads_of(submission_id):
            if upload.state in _LIVE:
                await self._uploads.set_state(upload.id, UploadState.TERMINATED, now=now,
                                              from_state=upload.state)  # fmt: skip
                await self._remove_objects(upload)

    async def abandon(self, upload: Upload) -> None:
        """End an upload whose creation request failed: its client never learnt of it."""
        await self._end(upload, UploadState.TERMINATED)

    async def terminate(self, upload_id: str, token: str | None) -> None:
        upload, owner = await self._owned(upload_id, token)
        if not owner.is_draft:
            raise Forbidden(
                "The submission was submitted; its files can no longer be removed here."
            )
        if not await self._end(upload, UploadState.TERMINATED):
            raise Locked("A request is writing this upload; retry in a few seconds.")

    async def _end(self, upload: Upload, state: UploadState, locked_by: str | None = None) -> bool:
        """Mark the upload ended and remove everything it stored."""
        now = self._clock()
        if upload.state is UploadState.COMPLETE:
            ended = await self._uploads.set_state(
                upload.id, state, now=now, from_state=UploadState.COMPLETE
            )
        elif locked_by is not None:
            ended = await self._uploads.save(
                dataclasses.replace(upload, state=state, updated_at=now),
                lock_id=locked_by,
                release=True,
                drop_tail=True,
            )
        else:
            ended = await self._uploads.set_state(upload.id, state, now=now, unless_locked=True)
        if ended:
            await self._remove_objects(upload)
        return ended

    async def _remove_objects(self, upload: Upload) -> None:
        await self._abort_strays(upload)
        keys = await self._store.list_keys(incoming_prefix(upload.id))
        await self._store.delete([*keys, upload.object_key])

    async def _join(self, final: Upload, parts: list[Upload]) -> Upload:
        try:
            joined = await join_partials(self._store, final, parts, self._policy)
        except IntakeError:
            await self._end(final, UploadState.TERMINATED)
            raise
        now = self._clock()
        lock_id = new_id()
        await self._leases.claim(final, 0, lock_id)
        done = dataclasses.replace(
            joined, state=UploadState.COMPLETE, offset=joined.length or 0, updated_at=now
        )
        await self._uploads.save(done, lock_id=lock_id, release=True)
        for part in parts:
            await self._end(part, UploadState.TERMINATED)
        return done

    async def expire_due(self, limit: int = 100) -> int:
        """End uploads of drafts whose expiry passed (the janitor); returns how many.

        Open uploads and complete ones alike: a draft not submitted in time keeps nothing.
        """
        count = 0
        for upload in await self._uploads.expired(self._clock(), limit):
            if await self._end(upload, UploadState.EXPIRED):
                count += 1
        return count
