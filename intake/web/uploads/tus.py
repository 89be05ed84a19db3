"""tus 1.0.0 at ``/api/v1/uploads``: the protocol over :class:`UploadService`.

Extensions: creation, creation-with-upload, creation-defer-length, termination,
expiration, checksum (sha1, sha256), concatenation; plus ``X-HTTP-Method-Override``.
Every answer carries ``Tus-Resumable``; errors are problem+json like everywhere else.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.typedefs import Handler

from intake.core.errors import (
    BadRequest,
    IntakeError,
    MethodNotAllowed,
    PreconditionFailed,
    UnsupportedContentType,
)
from intake.uploads.allowance import NewUpload
from intake.uploads.chunks import CHECKSUM_ALGORITHMS
from intake.uploads.records import Concat, Upload
from intake.uploads.turns import Turn
from intake.web.auth import bearer_token
from intake.web.client_address import allowance
from intake.web.keys import CHUNKS, SETTINGS, UPLOAD_TURNS, UPLOADS
from intake.web.problems import problem_response
from intake.web.socket_reading import socket_reading
from intake.web.uploads.tus_headers import (
    OFFSET_OCTET_STREAM,
    TUS_EXTENSIONS,
    TUS_VERSION,
    parse_checksum,
    parse_concat,
    parse_metadata,
    parse_number,
    upload_headers,
)

log = logging.getLogger(__name__)
BASE = "/api/v1/uploads"
routes = web.RouteTableDef()
_DISCONNECTS = (OSError, HttpProcessingError, aiohttp.ClientPayloadError)


def _cancelled_here() -> bool:
    """Whether this task is being cancelled (rather than the read being ended by the
    server's shutdown, which aiohttp does by raising ``CancelledError`` in the body)."""
    task = asyncio.current_task()
    return task is None or task.cancelling() > 0


class RequestBody:
    """The request's bytes, ending quietly (with ``cut`` set) if the client goes away.

    While its client keeps it waiting, it gives its ``turn`` up.
    """

    def __init__(self, request: web.Request, chunk_size: int, turn: Turn) -> None:
        self._request = request
        self._chunk_size = chunk_size
        self._turn = turn
        self.cut = False
        self.received = 0

    async def _next(self) -> bytes:
        content = self._request.content
        if chunk := content.read_nowait(self._chunk_size):
            await self._turn.share()
            return chunk
        return await self._turn.wait_for_client(content.read(self._chunk_size))

    async def __aiter__(self) -> AsyncIterator[bytes]:
        expected = self._request.content_length
        try:
            while chunk := await self._next():
                self.received += len(chunk)
                yield chunk
        except _DISCONNECTS:
            self.cut = True
            return
        except asyncio.CancelledError:
            if _cancelled_here():
                raise
            self.cut = True  # the node is shutting down: aiohttp ends the body so
            return  # and what arrived is kept, to be resumed on another node
        if expected is not None and self.received < expected:
            self.cut = True


@web.middleware
async def tus_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Check ``Tus-Resumable``, and put it on every answer under the tus endpoint."""
    if not request.path.startswith(BASE):
        return await handler(request)
    if request.method != "OPTIONS" and request.headers.get("Tus-Resumable") != TUS_VERSION:
        response: web.StreamResponse = problem_response(
            request,
            PreconditionFailed(f"Send Tus-Resumable: {TUS_VERSION}.", supported=[TUS_VERSION]),
        )
        response.headers["Tus-Version"] = TUS_VERSION
    else:
        response = await handler(request)
    response.headers["Tus-Resumable"] = TUS_VERSION
    return response


def _discovery_headers(request: web.Request) -> dict[str, str]:
    return {
        "Tus-Version": TUS_VERSION,
        "Tus-Extension": ",".join(TUS_EXTENSIONS),
        "Tus-Max-Size": str(request.app[UPLOADS].max_size),
        "Tus-Checksum-Algorithm": ",".join(CHECKSUM_ALGORITHMS),
    }


@routes.options(BASE)
@routes.options(BASE + "/{upload_id}")
async def discover(request: web.Request) -> web.Response:
    return web.Response(status=204, headers=_discovery_headers(request))


def _is_chunk(request: web.Request) -> bool:
    return request.content_type == OFFSET_OCTET_STREAM


def _length_headers(request: web.Request, concat: Concat) -> int | None:
    length = parse_number(request.headers, "Upload-Length")
    defer = request.headers.get("Upload-Defer-Length")
    if concat is Concat.FINAL:
        return None
    if defer is not None and defer != "1":
        raise BadRequest("Upload-Defer-Length must be 1.")
    if (length is None) == (defer is None):
        raise BadRequest("Send exactly one of Upload-Length and Upload-Defer-Length: 1.")
    return length


@routes.post(BASE)
async def create(request: web.Request) -> web.Response:
    async with allowance(request, "uploads"):
        return await _create(request)


async def _create(request: web.Request) -> web.Response:
    concat, parts = parse_concat(request.headers.get("Upload-Concat"))
    new = NewUpload(
        length=_length_headers(request, concat),
        metadata=parse_metadata(request.headers.get("Upload-Metadata")),
        concat=concat,
        concat_parts=parts,
    )
    if request.body_exists and request.content_length != 0 and not _is_chunk(request):
        raise UnsupportedContentType(
            f"A chunk sent with the creation must be {OFFSET_OCTET_STREAM}."
        )
    service = request.app[UPLOADS]
    token = bearer_token(request)
    upload = await service.create(token, new)
    if request.body_exists and _is_chunk(request) and request.content_length != 0:
        try:
            upload = await _append(request, upload.id, token, offset=0)
        except IntakeError:
            await service.abandon(upload)
            raise
    headers = upload_headers(upload, BASE)
    headers["Location"] = f"{BASE}/{upload.id}"
    return web.Response(status=201, headers=headers)


async def _append(request: web.Request, upload_id: str, token: str | None, offset: int) -> Upload:
    """Receive a chunk; what arrived before a client went away is still committed, even
    when the server cancels handlers of lost connections."""
    return await request.app[CHUNKS].run(_receive_chunk(request, upload_id, token, offset))


async def _receive_chunk(
    request: web.Request, upload_id: str, token: str | None, offset: int
) -> Upload:
    async with request.app[UPLOAD_TURNS].turn(socket_reading(request)) as turn:
        body = RequestBody(request, request.app[SETTINGS].uploads.read_chunk, turn)
        return await request.app[UPLOADS].append(
            upload_id,
            token,
            offset=offset,
            body=body,
            content_length=request.content_length,
            checksum=parse_checksum(request.headers.get("Upload-Checksum")),
            length=parse_number(request.headers, "Upload-Length"),
        )


@routes.head(BASE + "/{upload_id}")
async def head(request: web.Request) -> web.Response:
    upload = await request.app[UPLOADS].status(
        request.match_info["upload_id"], bearer_token(request)
    )
    return web.Response(status=200, headers=upload_headers(upload, BASE))


@routes.patch(BASE + "/{upload_id}")
async def patch(request: web.Request) -> web.Response:
    if not _is_chunk(request):
        raise UnsupportedContentType(f"PATCH bodies must be {OFFSET_OCTET_STREAM}.")
    offset = parse_number(request.headers, "Upload-Offset")
    if offset is None:
        raise BadRequest("PATCH needs Upload-Offset.")
    upload = await _append(request, request.match_info["upload_id"], bearer_token(request), offset)
    headers = upload_headers(upload, BASE)
    return web.Response(status=204, headers=headers)


@routes.delete(BASE + "/{upload_id}")
async def terminate(request: web.Request) -> web.Response:
    await request.app[UPLOADS].terminate(request.match_info["upload_id"], bearer_token(request))
    return web.Response(status=204)


_OVERRIDES = {"PATCH": patch, "DELETE": terminate, "HEAD": head}


@routes.post(BASE + "/{upload_id}")
async def method_override(request: web.Request) -> web.StreamResponse:
    """``X-HTTP-Method-Override`` for clients and proxies limited to GET and POST."""
    wanted = request.headers.get("X-HTTP-Method-Override", "").upper()
    handler = _OVERRIDES.get(wanted)
    if handler is None:
        raise MethodNotAllowed(
            "Use PATCH, HEAD or DELETE here (or POST with X-HTTP-Method-Override).",
            allowed_methods=["DELETE", "HEAD", "OPTIONS", "PATCH"],
        )
    return await handler(request)
