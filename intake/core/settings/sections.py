"""Settings of the service's front: where it listens, its database and storage, and
what it receives (uploads, limits, media types, submissions, rates)."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from intake.core.settings.declaring import (
    S3_MIN_PART_SIZE,
    ByteSize,
    GiB,
    MiB,
    Secret,
    check_networks,
    setting,
)
from intake.media.types import ALL_TYPES


def _check_accepted_types(values: tuple[str, ...]) -> str | None:
    unknown = sorted(set(values) - set(ALL_TYPES))
    if unknown:
        return f"unknown types {unknown}; choose from {sorted(ALL_TYPES)}"
    return None if values else "at least one type must be accepted"


def _check_database_url(value: str) -> str | None:
    if value == "" or value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        return None
    return "use sqlite+aiosqlite:///path or postgresql+asyncpg://user@host/db"


def _check_timezone(value: str) -> str | None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return "use an IANA time zone name such as Asia/Kabul or UTC"
    return None


def _check_part_size(value: int) -> str | None:
    return None if value % (64 * 1024) == 0 else "use a multiple of 64 KiB (e.g. 8 MiB)"


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
    access_log: str = setting(
        "private",
        "What the access log says of each request. private: request id, method, route with "
        "ids, references and tokens as …, status, size, time (no address, User-Agent, "
        "Referer or query). full: also the client address, User-Agent and path as sent "
        "(a log that identifies readers). off: no access log.",
        choices=("off", "private", "full"),
    )
    address_secret: Secret = setting(
        Secret(""),
        "Key of the HMAC that rate-limit and failed-login rows are keyed by (never the client "
        "address itself). Set it in the environment, the same on every instance. Empty: "
        "with SQLite one is generated into <data_dir>/address.key (0600) at first start; "
        "with PostgreSQL it must be set.",
    )
    header_timeout_seconds: float = setting(
        30.0,
        "Time a connection has to send a request's line and headers, from its first byte "
        "(or from opening); then 408 and the connection closes.",
        minimum=0.1,
    )
    body_idle_seconds: float = setting(
        60.0,
        "Time without a byte while a request's body is being read before the connection "
        "is closed (a slow but moving client is never cut; a resumable upload keeps what "
        "arrived).",
        minimum=0.1,
    )
    connections_per_client: int = setting(
        64,
        "Connections one client address (an IPv6 client: its rate.ipv6_prefix network) "
        "may hold open on a node; more are answered 429 and closed. Trusted proxies are "
        "not capped (they cap their clients). 0: no cap.",
        minimum=0,
    )


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
        ByteSize(8 * MiB),
        "Multipart part size (>= 5 MiB, a multiple of 64 KiB: the sealed blocks).",
        minimum=S3_MIN_PART_SIZE,
        check=_check_part_size,
    )
    threads: int = setting(16, "Threads (and connections) for S3 calls.", minimum=1)
    presign_seconds: int = setting(
        300,
        "Lifetime of the presigned GET links to published copies (the publish step); "
        "moderators get media through intake, never by a link.",
        minimum=1,
    )


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
        ByteSize(16 * 1024),
        "Bytes of a request body buffered per connection; reading from the socket pauses "
        "at twice this until the upload catches up. Also the bytes taken from the socket "
        "at a time until the request has an upload turn (then read_chunk).",
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
    timezone: str = setting(
        "Asia/Kabul",
        "The newsroom's time zone (IANA name): a time sent without a UTC offset, as the form "
        "sends it without JavaScript, is read in it.",
        check=_check_timezone,
    )


@dataclass(frozen=True)
class RateSettings:
    submissions: int = setting(
        120,
        "Submissions (and drafts) one client address may create per window (0: no limit); "
        "only accepted ones count. Generous: many readers may share one carrier address.",
        minimum=0,
    )
    uploads: int = setting(
        1200,
        "Resumable uploads one client address may create per window (0: no limit); only "
        "accepted ones count.",
        minimum=0,
    )
    window_seconds: int = setting(3600, "Length of a rate-limit window.", minimum=1)
    trusted_proxies: tuple[str, ...] = setting(
        [],
        "Addresses or networks of proxies whose X-Forwarded-For names the client.",
        check=check_networks,
    )
    ipv6_prefix: int = setting(
        64,
        "IPv6 clients count by their network of this many bits (a /64 is one subscriber); "
        "rate limits, login attempts and the connection cap.",
        minimum=1,
        check=lambda bits: None if bits <= 128 else "an IPv6 prefix has at most 128 bits",
    )
    global_submissions: int = setting(
        5000,
        "Submissions (and drafts) all clients together may create per window, to protect "
        "the service (0: no limit).",
        minimum=0,
    )
    global_uploads: int = setting(
        50000,
        "Resumable uploads all clients together may create per window (0: no limit).",
        minimum=0,
    )
