"""Typed settings, declared once as data.

Each section is a frozen dataclass whose fields carry their help text and
validation in ``metadata``. That one declaration produces the typed settings,
the documented ``config/intake.toml`` and the ``INTAKE_<SECTION>_<KEY>``
environment variable names (see :mod:`intake.core.settings_loading`); values come from
the TOML file first and from the environment second.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from intake.media.types import ALL_TYPES

MiB = 1024 * 1024
GiB = 1024 * MiB
S3_MIN_PART_SIZE = 5 * MiB
ENV_PREFIX = "INTAKE_"


class Secret(str):
    """A string that never shows its value in ``repr`` or logs."""

    def __repr__(self) -> str:
        return "Secret('****')" if self else "Secret('')"


class ByteSize(int):
    """A number of bytes, written in TOML as an integer or as ``"30 MiB"``."""


def setting(
    default: Any,
    help: str,
    *,
    choices: tuple[str, ...] | None = None,
    minimum: float | None = None,
    check: Callable[[Any], str | None] | None = None,
) -> Any:
    meta = {"help": help, "choices": choices, "minimum": minimum, "check": check}
    if isinstance(default, list | tuple):
        return field(default_factory=lambda: tuple(default), metadata=meta)
    return field(default=default, metadata=meta)


def _check_accepted_types(values: tuple[str, ...]) -> str | None:
    unknown = sorted(set(values) - set(ALL_TYPES))
    if unknown:
        return f"unknown types {unknown}; choose from {sorted(ALL_TYPES)}"
    return None if values else "at least one type must be accepted"


def _check_networks(values: tuple[str, ...]) -> str | None:
    for value in values:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            return f"{value!r} is not an IP address or network"
    return None


def _check_database_url(value: str) -> str | None:
    if value == "" or value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        return None
    return "use sqlite+aiosqlite:///path or postgresql+asyncpg://user@host/db"


@dataclass(frozen=True)
class ServerSettings:
    host: str = setting("127.0.0.1", "Address `intake serve` listens on.")
    port: int = setting(8080, "TCP port `intake serve` listens on.", minimum=1)
    data_dir: str = setting(
        "var", "Directory for local state: the SQLite database and embedded SeaweedFS data."
    )
    cors_origins: tuple[str, ...] = setting(
        [], "Origins whose browsers may call the API (e.g. https://news.example.org); * for any."
    )
    storage_dir: str = setting(
        "storage", "Directory with the bucket policies and the embedded S3 identity template."
    )
    log_level: str = setting("info", "Log level.", choices=("debug", "info", "warning", "error"))


@dataclass(frozen=True)
class DatabaseSettings:
    url: str = setting(
        "",
        "SQLAlchemy URL: sqlite+aiosqlite:///path.db or postgresql+asyncpg://user@host/db. "
        "Empty uses SQLite at <data_dir>/intake.db.",
        check=_check_database_url,
    )
    migrate_on_start: bool = setting(
        True, "Apply Alembic migrations when the service starts (always done for SQLite)."
    )
    pool_size: int = setting(10, "Connections kept open to PostgreSQL.", minimum=1)


@dataclass(frozen=True)
class S3Settings:
    endpoint: str = setting("", "S3 endpoint URL. Empty starts the embedded SeaweedFS on loopback.")
    region: str = setting("us-east-1", "S3 region name.")
    bucket: str = setting("intake", "Bucket holding every object intake writes.")
    access_key_id: Secret = setting(
        Secret(""), "Access key id; empty uses the AWS default credential chain."
    )
    secret_access_key: Secret = setting(Secret(""), "Secret access key (set it in the env).")
    addressing_style: str = setting(
        "path", "Bucket addressing in URLs.", choices=("path", "virtual", "auto")
    )
    server_side_encryption: bool = setting(
        False, "Ask S3 to encrypt stored objects (x-amz-server-side-encryption: AES256)."
    )
    create_bucket: bool = setting(
        False, "Create the bucket at start-up when it is missing (always for embedded)."
    )
    part_size: ByteSize = setting(
        ByteSize(8 * MiB), "Multipart part size (>= 5 MiB).", minimum=S3_MIN_PART_SIZE
    )
    threads: int = setting(16, "Threads (and connections) for S3 calls.", minimum=1)
    presign_seconds: int = setting(300, "Lifetime of presigned GET URLs.", minimum=1)


@dataclass(frozen=True)
class UploadSettings:
    memory_buffer: ByteSize = setting(
        ByteSize(2 * MiB),
        "Bytes of a file held in memory before they are spooled to disk.",
        minimum=64 * 1024,
    )
    memory_budget: ByteSize = setting(
        ByteSize(16 * MiB),
        "Bytes all uploads together may hold in memory; past that they spool to disk.",
        minimum=0,
    )
    active_uploads: int = setting(
        4,
        "Upload bodies (tus PATCHes, form posts) taken in at once; the others wait, unread, "
        "for a turn. A request gives its turn up while its client is slow to send.",
        minimum=1,
    )
    spool_dir: str = setting("", "Directory for spool files; empty uses the system temp dir.")
    read_chunk: ByteSize = setting(
        ByteSize(256 * 1024), "Bytes read from the socket at a time.", minimum=4096
    )
    receive_buffer: ByteSize = setting(
        ByteSize(64 * 1024),
        "Bytes of a request body buffered per connection; reading from the socket pauses "
        "at twice this until the upload catches up.",
        minimum=4096,
    )
    sniff_bytes: ByteSize = setting(
        ByteSize(4096), "Bytes of each file given to libmagic to decide its type.", minimum=512
    )
    expire_seconds: int = setting(
        86_400, "A resumable upload expires this long after its last chunk.", minimum=60
    )
    lease_seconds: int = setting(
        30,
        "How long a resumable upload stays locked by a request that stopped answering.",
        minimum=5,
    )
    janitor_seconds: int = setting(
        300,
        "How often `intake serve` looks for expired uploads (0: never; use `intake janitor`).",
        minimum=0,
    )


@dataclass(frozen=True)
class LimitSettings:
    photo_max_bytes: ByteSize = setting(ByteSize(30 * MiB), "Largest photo accepted.", minimum=1)
    video_max_bytes: ByteSize = setting(ByteSize(2 * GiB), "Largest video accepted.", minimum=1)
    max_files: int = setting(10, "Most files in one submission.", minimum=1)
    max_total_bytes: ByteSize = setting(
        ByteSize(4 * GiB), "Most bytes of files in one submission.", minimum=1
    )
    field_max_chars: int = setting(
        500, "Longest value of a short text field (name, email, title...).", minimum=16
    )
    story_max_chars: int = setting(20_000, "Longest story text.", minimum=100)
    max_fields: int = setting(50, "Most form fields in one request.", minimum=16)


@dataclass(frozen=True)
class MediaSettings:
    accepted_types: tuple[str, ...] = setting(
        list(ALL_TYPES),
        "Sniffed MIME types accepted; a subset of the types intake knows.",
        check=_check_accepted_types,
    )


@dataclass(frozen=True)
class SubmissionSettings:
    locales: tuple[str, ...] = setting(
        ["en", "fa-AF", "ps"],
        "Locales a submission may declare (BCP 47); the first is the default.",
    )
    terms_version: str = setting(
        "2026-11", "Version of the terms readers consent to; stored with each submission."
    )


@dataclass(frozen=True)
class RateSettings:
    submissions: int = setting(
        30,
        "Submissions (and drafts) one client address may create per window (0: no limit).",
        minimum=0,
    )
    uploads: int = setting(
        300,
        "Resumable uploads one client address may create per window (0: no limit).",
        minimum=0,
    )
    window_seconds: int = setting(3600, "Length of a rate-limit window.", minimum=1)
    trusted_proxies: tuple[str, ...] = setting(
        [],
        "Addresses or networks of proxies whose X-Forwarded-For names the client.",
        check=_check_networks,
    )


def _check_clamd_address(value: str) -> str | None:
    if value == "" or value.startswith("/"):
        return None
    host, _, port = value.rpartition(":")
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return "use a unix socket path (/run/clamav/clamd.ctl) or a loopback host:port"
    if not address.is_loopback or not port.isdigit():
        return "clamd is reached on a unix socket or a loopback address:port only"
    return None


@dataclass(frozen=True)
class WorkerSettings:
    in_process: bool = setting(
        True, "Run job workers inside `intake serve` (off when `intake worker` processes do it)."
    )
    concurrency: int = setting(2, "Jobs one process works on at once.", minimum=1)
    lease_seconds: int = setting(
        60,
        "A job's lease; renewed while it runs, and a job whose worker died is taken again "
        "after it.",
        minimum=5,
    )
    max_attempts: int = setting(
        5, "Attempts at a job before it is parked dead with its last error.", minimum=1
    )
    retry_base_seconds: int = setting(
        10, "Wait before the second attempt; each further one waits twice as long.", minimum=0
    )
    retry_max_seconds: int = setting(900, "Longest wait between attempts.", minimum=0)
    poll_seconds: int = setting(1, "How often an idle worker looks for due jobs.", minimum=1)
    keep_done_days: int = setting(
        7, "Finished jobs are deleted this many days later (dead ones are kept).", minimum=1
    )


def _check_reasons(values: tuple[str, ...]) -> str | None:
    bad = [v for v in values if not re.fullmatch(r"[a-z][a-z0-9_]{0,63}", v)]
    if bad:
        return f"reason codes are lower_snake_case words: {bad}"
    return None if values else "at least one reason code is needed"


def _check_urls(values: tuple[str, ...]) -> str | None:
    bad = [v for v in values if not re.fullmatch(r"https?://[^\s]+", v)]
    return f"not http(s) URLs: {bad}" if bad else None


@dataclass(frozen=True)
class ModerationSettings:
    lease_seconds: int = setting(
        600, "How long a claimed submission stays with its moderator without a renewal.",
        minimum=1,
    )  # fmt: skip
    reasons: tuple[str, ...] = setting(
        ["newsworthy", "verified", "duplicate", "off_topic", "unverifiable", "graphic",
         "privacy", "spam", "needs_senior", "other"],
        "Reason codes a decision may give (lower_snake_case).",
        check=_check_reasons,
    )  # fmt: skip
    login_max_failures: int = setting(
        5, "Failed logins of one account from one client address before it must wait.", minimum=1
    )
    login_window_seconds: int = setting(
        900, "Failed logins are counted over this window; 429 until it ends.", minimum=1
    )
    session_seconds: int = setting(
        43_200, "Lifetime of a token from POST /api/v1/moderation-login.", minimum=60
    )
    hash_threads: int = setting(
        2, "Threads for password hashing (argon2id), off the event loop.", minimum=1
    )


@dataclass(frozen=True)
class InspectionSettings:
    processes: int = setting(
        2,
        "Decoder processes (Pillow, PyAV) shared by a node's workers; decoding never runs "
        "in the web process.",
        minimum=1,
    )
    timeout_seconds: int = setting(
        900, "Longest a decoder may take on one file before it is stopped.", minimum=10
    )
    photo_max_pixels: int = setting(
        100_000_000,
        "Largest photo decoded (width x height); a larger one (a decompression bomb) is "
        "refused before decoding.",
        minimum=1,
    )
    thumbnail_side: int = setting(480, "Longest side of moderators' thumbnails.", minimum=32)
    video_max_seconds: int = setting(7200, "Longest video accepted.", minimum=1)
    video_max_side: int = setting(
        8192, "Largest video width or height accepted, in pixels.", minimum=16
    )
    poster_seconds: int = setting(
        1, "Where the poster frame of a video is taken (or its middle when shorter).", minimum=0
    )
    near_duplicate_bits: int = setting(
        6,
        "Photos whose 64-bit perceptual hashes differ in at most this many bits are flagged "
        "as near-duplicates (0: identical hashes only).",
        minimum=0,
    )
    temp_dir: str = setting(
        "", "Directory for originals being inspected; empty uses the system temp dir."
    )


@dataclass(frozen=True)
class ScanSettings:
    clamd_address: str = setting(
        "",
        "clamd to scan every file with (INSTREAM): a unix socket path or a loopback "
        "host:port. Empty: no malware scan.",
        check=_check_clamd_address,
    )
    timeout_seconds: int = setting(300, "Longest clamd may take on one file.", minimum=1)
    chunk_size: ByteSize = setting(
        ByteSize(256 * 1024), "Bytes sent to clamd at a time.", minimum=4096
    )


@dataclass(frozen=True)
class WebhookSettings:
    urls: tuple[str, ...] = setting(
        [], "URLs that receive every event (decisions, withdrawals) as signed JSON.",
        check=_check_urls,
    )  # fmt: skip
    secret: Secret = setting(
        Secret(""),
        "Key of the Intake-Signature HMAC-SHA256 (set it in the env; required with urls).",
    )
    timeout_seconds: int = setting(10, "Time a receiver has to answer one delivery.", minimum=1)
    retry_min_seconds: float = setting(
        5.0, "Wait after the first failed delivery; doubled after each failure.", minimum=0.01
    )
    retry_max_seconds: int = setting(3600, "Longest wait between two attempts.", minimum=1)
    poll_seconds: float = setting(
        1.0, "How often the dispatcher in `intake serve` looks for due deliveries.", minimum=0.05
    )
    lease_seconds: int = setting(
        60, "A delivery being sent is held this long; then another instance may retry it.",
        minimum=1,
    )  # fmt: skip
    dispatch: bool = setting(True, "Run the webhook dispatcher inside `intake serve`.")
    keep_delivered_days: int = setting(
        7,
        "Acknowledged deliveries, and events with nothing left to deliver, are deleted this "
        "many days later.",
        minimum=1,
    )


@dataclass(frozen=True)
class Settings:
    server: ServerSettings = field(default_factory=ServerSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    s3: S3Settings = field(default_factory=S3Settings)
    uploads: UploadSettings = field(default_factory=UploadSettings)
    limits: LimitSettings = field(default_factory=LimitSettings)
    media: MediaSettings = field(default_factory=MediaSettings)
    submissions: SubmissionSettings = field(default_factory=SubmissionSettings)
    rate: RateSettings = field(default_factory=RateSettings)
    workers: WorkerSettings = field(default_factory=WorkerSettings)
    inspection: InspectionSettings = field(default_factory=InspectionSettings)
    scan: ScanSettings = field(default_factory=ScanSettings)
    moderation: ModerationSettings = field(default_factory=ModerationSettings)
    webhooks: WebhookSettings = field(default_factory=WebhookSettings)

    @property
    def data_path(self) -> Path:
        return Path(self.server.data_dir)

    @property
    def database_url(self) -> str:
        return self.database.url or f"sqlite+aiosqlite:///{self.data_path / 'intake.db'}"
