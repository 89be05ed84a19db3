"""Errors intake raises, each with a stable problem type and an HTTP status.

    IntakeError                     base: slug, status, title, detail, extra members
    ├── ConfigurationError          bad setting at start-up (never reaches HTTP)
    ├── BadRequest (400)            malformed multipart, bad header
    │   └── NotAccepted (400)       a bot, told no reason
    ├── Unauthorized (401)          no or unknown bearer token
    ├── Forbidden (403)             not allowed in this state
    ├── NotFound (404)
    ├── MethodNotAllowed (405)
    ├── Conflict (409)              state changed meanwhile (a retry after a fresh look can succeed)
    ├── Gone (410)                  terminated or expired
    │   └── UploadLost (410)        an upload's kept bytes no longer open (erased, or not its own)
    ├── PreconditionFailed (412)    unsupported protocol version
    ├── Locked (423)                another request is writing this upload; retry shortly
    ├── ChecksumMismatch (460)      the chunk does not match its checksum; it was discarded
    ├── ValidationFailed (422)      one or more fields wrong: per-field ``errors``
    ├── IdempotencyKeyReused (422)  a key sent again with another body
    ├── EmptyFile (422)
    ├── UnsupportedMediaType (415)  sniffed type not accepted
    ├── UnsupportedContentType (415) request body not in a format the route takes
    ├── PayloadTooLarge (413)       a file, the request or the file count over its limit
    ├── RangeNotSatisfiable (416)   a Range that starts past the end of the file
    ├── TooManyRequests (429)       over a rate limit; ``retry_after_seconds``
    ├── StorageError                object store trouble
    │   ├── ObjectNotFound
    │   └── StorageUnavailable (503)
    └── DatabaseUnavailable (503)

    InspectionError                 after the answer, in a job (never HTTP): ``detail``
    ├── MediaRejected               a file inspection refuses: its reason, for moderators
    └── ScannerUnavailable          clamd did not answer (the job is retried later)

The web layer renders any of them as ``application/problem+json`` (RFC 9457).
The pipeline never raises aiohttp's HTTP exceptions.
"""

from __future__ import annotations

from typing import Any

PROBLEM_BASE = "/problems/"


class IntakeError(Exception):
    slug = "internal-error"
    status = 500
    title = "Something went wrong on our side"

    def __init__(self, detail: str = "", **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra

    @property
    def type_uri(self) -> str:
        return PROBLEM_BASE + self.slug

    def problem(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": self.type_uri,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        body.update(self.extra)
        return body


class ConfigurationError(IntakeError):
    slug = "configuration"
    title = "The configuration is not valid"


class BadRequest(IntakeError):
    slug = "bad-request"
    status = 400
    title = "The request is malformed"


class NotAccepted(BadRequest):
    """Said to bots (a filled honeypot field): deliberately without the reason."""

    slug = "not-accepted"
    title = "The submission could not be accepted"


class Unauthorized(IntakeError):
    slug = "unauthorized"
    status = 401
    title = "A valid token is needed"


class Forbidden(IntakeError):
    slug = "forbidden"
    status = 403
    title = "This is not allowed"


class NotFound(IntakeError):
    slug = "not-found"
    status = 404
    title = "Nothing is here"


class MethodNotAllowed(IntakeError):
    slug = "method-not-allowed"
    status = 405
    title = "This method is not allowed here"


class Conflict(IntakeError):
    slug = "conflict"
    status = 409
    title = "The resource changed; look again and retry"


class IdempotencyKeyReused(IntakeError):
    slug = "idempotency-key-reused"
    status = 422
    title = "This Idempotency-Key was used for a different request"


class Gone(IntakeError):
    slug = "gone"
    status = 410
    title = "This is gone"


class UploadLost(Gone):
    """A resumable upload whose bytes kept in the database (its head, its tail) no longer
    open: its submission was erased (its data key destroyed), or they are not its own.
    The upload cannot go on; it is ended."""


class PreconditionFailed(IntakeError):
    slug = "unsupported-version"
    status = 412
    title = "This protocol version is not supported"


class Locked(IntakeError):
    slug = "locked"
    status = 423
    title = "Another request is writing this upload; retry shortly"


class ChecksumMismatch(IntakeError):
    slug = "checksum-mismatch"
    status = 460
    title = "The chunk does not match its checksum"


class ValidationFailed(IntakeError):
    """``errors`` lists ``{"field": name, "code": code, "detail": text}`` items."""

    slug = "validation-failed"
    status = 422
    title = "Some fields need changing"

    def __init__(self, errors: list[dict[str, str]], detail: str = "") -> None:
        fields = ", ".join(e["field"] for e in errors)
        super().__init__(detail or f"Check these fields: {fields}.", errors=errors)
        self.errors = errors


class EmptyFile(IntakeError):
    slug = "empty-file"
    status = 422
    title = "A file is empty"


class UnsupportedMediaType(IntakeError):
    slug = "unsupported-media-type"
    status = 415
    title = "This kind of file is not accepted"


class UnsupportedContentType(IntakeError):
    slug = "unsupported-content-type"
    status = 415
    title = "The request body is not in a format this address takes"


class PayloadTooLarge(IntakeError):
    slug = "payload-too-large"
    status = 413
    title = "Too much data"


class RangeNotSatisfiable(IntakeError):
    slug = "range-not-satisfiable"
    status = 416
    title = "The range asked for is not in the file"


class TooManyRequests(IntakeError):
    slug = "too-many-requests"
    status = 429
    title = "Too many requests from this address; wait a while"


class StorageError(IntakeError):
    slug = "storage-error"
    title = "Storage failed"


class ObjectNotFound(StorageError):
    slug = "object-not-found"
    status = 404
    title = "No such stored object"


class StorageUnavailable(StorageError):
    slug = "storage-unavailable"
    status = 503
    title = "Storage is unavailable; try again shortly"


class DatabaseUnavailable(IntakeError):
    slug = "database-unavailable"
    status = 503
    title = "The database is unavailable; try again shortly"


class InspectionError(Exception):
    """Trouble while inspecting a file after its submission was answered: a job's
    concern, never an HTTP answer. ``detail`` is written for a moderator."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class MediaRejected(InspectionError):
    """A file inspection refuses; ``detail`` says what is wrong with it."""


class ScannerUnavailable(InspectionError):
    """clamd did not answer; the job is retried later."""
