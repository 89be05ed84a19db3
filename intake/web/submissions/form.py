"""Reading a ``multipart/form-data`` submission as a stream, with explicit limits.

Text fields are read whole (each capped); file parts named ``files`` stream straight
into the submission, chunk by chunk. ``client_max_size`` does not apply to streamed
parts, so every limit is counted here or in the pipeline.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

from aiohttp import BodyPartReader, MultipartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from intake.core.errors import (
    BadRequest,
    IntakeError,
    PayloadTooLarge,
    UnsupportedContentType,
    ValidationFailed,
)
from intake.core.sizes import describe_size
from intake.safeguards.idempotency import fingerprint
from intake.submissions.filenames import sanitize_filename
from intake.submissions.policy import IntakePolicy
from intake.submissions.receiving import AcceptedSubmission, SubmissionService
from intake.uploads.filters import Sha256
from intake.uploads.turns import Turn
from intake.web.keys import SUBMISSIONS, UPLOAD_TURNS
from intake.web.media_types import media_type
from intake.web.socket_reading import socket_reading
from intake.web.submissions.disposition import part_names

T = TypeVar("T")

FILE_FIELD = "files"
FORM_OVERHEAD = 1024 * 1024
_PLAIN_ENCODINGS = {"", "binary", "8bit", "7bit"}


def request_cap(policy: IntakePolicy) -> int:
    return policy.uploads.max_total_bytes + FORM_OVERHEAD


def check_declared_size(request: web.BaseRequest, policy: IntakePolicy) -> None:
    """413 before a byte is read when Content-Length is over the request cap."""
    cap = request_cap(policy)
    if request.content_length is not None and request.content_length > cap:
        raise PayloadTooLarge(
            f"The request declares {describe_size(request.content_length)}; a submission may "
            f"hold at most {describe_size(policy.uploads.max_total_bytes)} of files.",
            limit_bytes=policy.uploads.max_total_bytes,
        )


async def expect_continue(request: web.Request) -> web.StreamResponse | None:
    """Answer ``Expect: 100-continue`` only when the declared body is within the cap.

    Otherwise no 100 Continue is sent: the client holds its body back and the handler
    answers 413 through the middlewares, like any other error.
    """
    if request.version >= (1, 1) and request.headers.get("Expect", "").lower() == "100-continue":
        try:
            check_declared_size(request, request.app[SUBMISSIONS].policy)
        except IntakeError:
            return None
        await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    return None


async def _from_client(turn: Turn | None, read: Awaitable[T]) -> T:
    return await (turn.wait_for_client(read) if turn else read)


async def _next_part(reader: MultipartReader, turn: Turn | None) -> BodyPartReader | None:
    try:
        part = await _from_client(turn, reader.next())
    except (ValueError, RuntimeError, AssertionError, HttpProcessingError) as exc:
        raise BadRequest(f"The multipart body is malformed: {exc}") from exc
    if isinstance(part, MultipartReader):
        raise BadRequest("Nested multipart bodies are not accepted.")
    return part


async def _read_text(part: BodyPartReader, name: str, max_chars: int, turn: Turn | None) -> str:
    data = bytearray()
    while chunk := await _from_client(turn, part.read_chunk(8192)):
        data += chunk
        if len(data) > max_chars * 4:
            raise ValidationFailed(
                [
                    {
                        "field": name,
                        "code": "too_long",
                        "detail": f"Use at most {max_chars} characters.",
                    }
                ]
            )
    try:
        return data.decode(part.get_charset(default="utf-8"))
    except (UnicodeDecodeError, LookupError) as exc:
        raise ValidationFailed(
            [{"field": name, "code": "not_utf8", "detail": "Send text as UTF-8."}]
        ) from exc


async def _file_chunks(
    part: BodyPartReader, size: int, first: bytes, turn: Turn | None
) -> AsyncIterator[bytes]:
    if first:
        yield first
    while chunk := await _from_client(turn, part.read_chunk(size)):
        yield chunk
        if turn:
            await turn.share()


OnFile = Callable[[str, AsyncIterator[bytes]], Awaitable[str]]


async def _walk_form(
    request: web.Request,
    policy: IntakePolicy,
    read_chunk: int,
    max_fields: int,
    on_file: OnFile,
    turn: Turn | None = None,
    fields: dict[str, str] | None = None,
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Read the form part by part: text fields whole, each file handed to ``on_file``
    (which returns its sha256). Returns the fields and each file's (name, sha256).
    ``turn`` is given up while the client is slow to send; ``fields``, when given, is
    filled as the fields arrive (what was read before an error)."""
    if (sent := media_type(request)) != "multipart/form-data":
        raise UnsupportedContentType(
            "Send the submission as multipart/form-data.", content_type=sent
        )
    check_declared_size(request, policy)
    try:
        reader = await request.multipart()
    except (ValueError, AssertionError) as exc:
        raise BadRequest(f"The multipart body is malformed: {exc}") from exc
    fields = {} if fields is None else fields
    files: list[tuple[str, str]] = []
    field_count = 0
    while (part := await _next_part(reader, turn)) is not None:
        given_name, given_filename = part_names(part)
        name = given_name or ""
        encoding = part.headers.get("Content-Transfer-Encoding", "").lower()
        if encoding not in _PLAIN_ENCODINGS:
            raise BadRequest(f"Part {name!r} uses Content-Transfer-Encoding {encoding}; "
                             "send raw bytes.")  # fmt: skip
        if given_filename is None:
            field_count += 1
            if field_count > max_fields:
                raise PayloadTooLarge(f"Send at most {max_fields} form fields.")
            text = await _read_text(part, name, policy.fields.max_chars(name), turn)
            fields.setdefault(name, text)
        elif name != FILE_FIELD:
            raise BadRequest(f"Files go in parts named {FILE_FIELD!r}, not {name!r}.")
        else:
            first = await _from_client(turn, part.read_chunk(policy.uploads.files.sniff_bytes))
            if not first and not given_filename:
                continue  # a browser's file input left empty
            filename = sanitize_filename(given_filename)
            chunks = _file_chunks(part, read_chunk, first, turn)
            files.append((filename, await on_file(filename, chunks)))
    return fields, files


async def receive_form(
    request: web.Request, service: SubmissionService, *, read_chunk: int, max_fields: int
) -> tuple[AcceptedSubmission, str]:
    """Stream the form into a new submission and complete it; also its fingerprint."""
    return await receive_form_into(
        {}, request, service, read_chunk=read_chunk, max_fields=max_fields
    )


async def receive_form_into(
    fields: dict[str, str],
    request: web.Request,
    service: SubmissionService,
    *,
    read_chunk: int,
    max_fields: int,
) -> tuple[AcceptedSubmission, str]:
    """:func:`receive_form`, filling ``fields`` with the text fields as they are read:
    what the reader wrote is known even when an error ends the form."""
    async with (
        request.app[UPLOAD_TURNS].turn(socket_reading(request)) as turn,
        service.receive() as incoming,
    ):

        async def store(filename: str, chunks: AsyncIterator[bytes]) -> str:
            return (await incoming.add_file(filename, chunks)).sha256

        read, files = await _walk_form(
            request, service.policy, read_chunk, max_fields, store, turn, fields
        )
        return await incoming.complete(read), fingerprint(read, files)


async def fingerprint_form(
    request: web.Request, policy: IntakePolicy, *, read_chunk: int, max_fields: int
) -> str:
    """The fingerprint of a retried form, read without storing anything."""

    async def hash_only(filename: str, chunks: AsyncIterator[bytes]) -> str:
        digest = Sha256()
        async for chunk in chunks:
            digest.feed(chunk)
        return digest.hexdigest

    fields, files = await _walk_form(request, policy, read_chunk, max_fields, hash_only)
    return fingerprint(fields, files)
