"""The tus 1.0.0 operations: discovery, creation, offsets, chunks, termination."""

from __future__ import annotations

from collections.abc import Sequence

from intake.core.errors import (
    BadRequest,
    ChecksumMismatch,
    Conflict,
    EmptyFile,
    Forbidden,
    Gone,
    Locked,
    MethodNotAllowed,
    NotFound,
    ObjectNotFound,
    PayloadTooLarge,
    PreconditionFailed,
    TooManyRequests,
    Unauthorized,
    UnsupportedContentType,
    UnsupportedMediaType,
)
from intake.web.openapi.building import SUBMITTER, Json, operation, params, response
from intake.web.openapi.problems import DEPENDENCIES, SERVER, problem_responses
from intake.web.problems import ClientGone
from intake.web.uploads.tus_headers import OFFSET_OCTET_STREAM

UPLOADS_PATH = "/api/v1/uploads"
TAG = "uploads (tus 1.0.0)"
TUS_ERRORS = (PreconditionFailed, *DEPENDENCIES)
CHUNK_ERRORS = (BadRequest, ClientGone, Forbidden, PayloadTooLarge, UnsupportedContentType,
                UnsupportedMediaType, EmptyFile, ChecksumMismatch, Locked, Conflict,
                ObjectNotFound)  # fmt: skip
OWNED = (NotFound, Gone)
STATE = ["Upload-Offset", "Upload-Expires", "Upload-Length", "Upload-Defer-Length",
         "Upload-Metadata", "Upload-Concat", "Cache-Control", "Tus-Resumable"]  # fmt: skip
"""The headers that tell an upload's state."""
DISCOVERY = ["Tus-Version", "Tus-Extension", "Tus-Max-Size", "Tus-Checksum-Algorithm"]
CHUNK = {
    "required": False,
    "content": {OFFSET_OCTET_STREAM: {"schema": {"type": "string", "format": "binary"}}},
}
TUS_HEADERS = ("TusResumable",)
CHUNK_HEADERS = (*TUS_HEADERS, "UploadOffset", "UploadChecksum", "UploadLength")


def _tus(
    summary: str,
    operation_id: str,
    answers: Json,
    *,
    secured: bool = True,
    parameters: Sequence[str] = (),
    body: Json | None = None,
    description: str = "",
) -> Json:
    return operation(summary, operation_id, TAG, answers, parameters=params(*parameters),
                     body=body, security=SUBMITTER if secured else None,
                     description=description)  # fmt: skip


def _options(operation_id: str, *parameters: str) -> Json:
    capabilities = response("The server's tus capabilities.",
                            headers=[*DISCOVERY, "Tus-Resumable?"])  # fmt: skip
    return _tus(
        "tus discovery: version, extensions, size limit, checksum algorithms", operation_id,
        {"204": capabilities, **problem_responses(*SERVER, tus=True)},
        secured=False, parameters=parameters,
    )  # fmt: skip


def _create() -> Json:
    return _tus(
        "Create an upload (creation, creation-with-upload, defer-length, concatenation)",
        "createUpload",
        {"201": response("Created; `Location` is its URL.", headers=["Location", *STATE]),
         **problem_responses(*CHUNK_ERRORS, Unauthorized, TooManyRequests, *TUS_ERRORS,
                             tus=True)},
        parameters=(*TUS_HEADERS, "UploadLength", "UploadDeferLength", "UploadMetadata",
                    "UploadConcat", "UploadChecksum"),
        body=CHUNK,
        description="The token binds the upload to its draft. Sizes are checked here (413); "
        "a first chunk may come with the creation.",
    )  # fmt: skip


def tus_paths() -> Json:
    head = {"200": response("The upload's offset and state.", headers=STATE),
            **problem_responses(*OWNED, *TUS_ERRORS, tus=True)}  # fmt: skip
    patch = {"204": response("The chunk is stored.", headers=STATE),
             **problem_responses(*OWNED, *CHUNK_ERRORS, *TUS_ERRORS, tus=True)}  # fmt: skip
    terminate = {
        "204": response("Terminated; its bytes are removed.", headers=["Tus-Resumable"]),
        **problem_responses(*OWNED, Forbidden, Locked, *TUS_ERRORS, tus=True),
    }
    override = {
        **head, **patch, **terminate,
        **problem_responses(*OWNED, *CHUNK_ERRORS, MethodNotAllowed, *TUS_ERRORS, tus=True),
        "204": response(
            "PATCH done (with the upload's headers) or DELETE done.",
            headers=[f"{name}?" if name != "Tus-Resumable" else name for name in STATE],
        ),
    }  # fmt: skip
    one = ("UploadId", *TUS_HEADERS)
    return {
        UPLOADS_PATH: {"options": _options("tusDiscover"), "post": _create()},
        UPLOADS_PATH + "/{upload_id}": {
            "options": _options("tusDiscoverUpload", "UploadId"),
            "head": _tus("The upload's offset (to resume from)", "getUploadOffset", head,
                         parameters=one),
            "patch": _tus(
                "Append a chunk at Upload-Offset", "appendChunk", patch,
                parameters=("UploadId", *CHUNK_HEADERS), body={**CHUNK, "required": True},
                description="The first bytes are sniffed (415, and the upload ends, for "
                "another type). Two PATCHes at once: one wins, the other gets 409 or 423.",
            ),
            "delete": _tus("Terminate the upload", "terminateUpload", terminate,
                           parameters=one),
            "post": _tus("PATCH, DELETE or HEAD by X-HTTP-Method-Override", "overrideMethod",
                         override, parameters=("UploadId", "MethodOverride", *CHUNK_HEADERS),
                         body=CHUNK),
        },
    }  # fmt: skip
