"""What a submission may still take: its file count, each kind's cap, the room left.

Checked when an upload is created and when a deferred length is declared.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from intake.core.errors import BadRequest, PayloadTooLarge
from intake.core.sizes import describe_size
from intake.media.types import MediaKind
from intake.uploads.policy import FilePolicy, UploadPolicy
from intake.uploads.records import Concat, Upload, UploadState


@dataclass(frozen=True)
class NewUpload:
    length: int | None
    metadata: Mapping[str, str]
    concat: Concat = Concat.NONE
    concat_parts: tuple[str, ...] = ()


def kind_cap(policy: FilePolicy, declared_type: str) -> int:
    """The size cap for a file that says it is ``declared_type`` (the larger if unsure)."""
    if declared_type.startswith("image/"):
        return policy.max_bytes[MediaKind.PHOTO]
    if declared_type.startswith("video/"):
        return policy.max_bytes[MediaKind.VIDEO]
    return max(policy.max_bytes.values())


def concat_parts(new: NewUpload, existing: Sequence[Upload]) -> list[Upload]:
    """The complete partial uploads a final one joins, in order; 400 when they are not."""
    if new.concat is not Concat.FINAL:
        return []
    by_id = {u.id: u for u in existing}
    parts = [by_id.get(part_id) for part_id in new.concat_parts]
    if not parts or any(
        p is None or p.concat is not Concat.PARTIAL or p.state is not UploadState.COMPLETE
        for p in parts
    ):
        raise BadRequest(
            "Upload-Concat final must list complete partial uploads of this submission."
        )
    return [p for p in parts if p is not None]


def check_allowance(
    policy: UploadPolicy, new: NewUpload, length: int | None, existing: Sequence[Upload]
) -> None:
    """413 when ``new`` would pass the submission's file count, its kind's cap or the
    room left in the submission (``existing``: its other live uploads)."""
    files = [u for u in existing if u.concat is not Concat.PARTIAL]
    if new.concat is not Concat.PARTIAL and len(files) >= policy.max_files:
        raise PayloadTooLarge(f"Send at most {policy.max_files} files in one submission.",
                              max_files=policy.max_files)  # fmt: skip
    partials = len(existing) - len(files)
    if new.concat is Concat.PARTIAL and partials >= policy.max_partials:
        raise PayloadTooLarge(
            f"Send a file in fewer pieces: at most {policy.max_partials} partial uploads "
            "may wait in one submission.",
            max_files=policy.max_partials,
        )
    if length is None:
        return
    if new.concat is not Concat.PARTIAL:
        cap = kind_cap(policy.files, new.metadata.get("filetype", ""))
        if length > cap:
            raise PayloadTooLarge(
                f"{new.metadata.get('filename') or 'This file'} is {describe_size(length)}; "
                f"files of this kind may be at most {describe_size(cap)}.",
                limit_bytes=cap,
            )
    room = room_left(policy, existing, joined=new.concat_parts)
    if length > room:
        raise PayloadTooLarge(
            f"This submission has room for {describe_size(max(room, 0))} more; "
            f"the upload is {describe_size(length)}.",
            limit_bytes=max(room, 0),
        )


def room_left(policy: UploadPolicy, existing: Sequence[Upload], joined: Sequence[str] = ()) -> int:
    """Bytes the submission may still take; the partials a final joins make way for it."""
    used = sum(u.length or u.offset for u in existing if u.id not in joined)
    return max(policy.max_total_bytes - used, 0)
