"""Settings of the work that follows an answer: workers, inspection, scanning,
moderation and webhooks."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from intake.core.settings.declaring import (
    ByteSize,
    GiB,
    Secret,
    check_urls,
    setting,
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
    concurrency: int = setting(
        4,
        "Jobs one process works on at once. Twice inspection.processes keeps the decoders "
        "busy while other files are fetched and stored (12 MP photos/s: 10.5 at 2, 15.5 at 4).",
        minimum=1,
    )
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
        5,
        "Login attempts of one account from one client address in the window before it must "
        "wait (counted before the password is checked; a success gives its attempt back).",
        minimum=1,
    )
    login_max_per_address: int = setting(
        30,
        "Failed login attempts from one client address in the window, whatever the names "
        "tried, before it must wait.",
        minimum=1,
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
    hash_waiting: int = setting(
        16,
        "Password checks that may wait for a hashing thread; past that a login is answered "
        "429 at once instead of queuing.",
        minimum=0,
    )
    api_token_days: int = setting(
        90,
        "Lifetime of an API token (intake moderator token, or issued by an admin); a new "
        "one must be issued before it ends.",
        minimum=1,
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
        300,
        "Longest a decoder may take on one file (wall clock); then its process is killed "
        "and the file refused.",
        minimum=10,
    )
    decoder_cpu_seconds: int = setting(
        120, "CPU time a decoder may spend on one file (RLIMIT_CPU); then as above.", minimum=1
    )
    decoder_memory: ByteSize = setting(
        ByteSize(3 * GiB),
        "Address space of each decoder process (RLIMIT_AS); a file that needs more is "
        "refused. 0: no limit.",
    )
    photo_max_pixels: int = setting(
        100_000_000,
        "Largest photo decoded (width x height); a larger one (a decompression bomb) is "
        "refused before decoding.",
        minimum=1,
    )
    photo_max_frames: int = setting(
        1000, "Most frames an animated photo (GIF, WebP, APNG) may have.", minimum=1
    )
    photo_max_total_pixels: int = setting(
        100_000_000,
        "Most pixels decoded over all the frames of an animated photo; each frame is "
        "checked against it before it is decoded.",
        minimum=1,
    )
    thumbnail_side: int = setting(480, "Longest side of moderators' thumbnails.", minimum=32)
    jpeg_public_as_sent: bool = setting(
        True,
        "An upright sRGB JPEG's public copy keeps its compressed picture as sent, every "
        "metadata segment left out (no second generation of loss, 6x less work). Its "
        "quantisation tables stay, and they hint at the camera's make; false re-encodes "
        "every public copy with the encoder's own tables.",
    )
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
        check=check_urls,
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
class RetentionSettings:
    draft_days: int = setting(
        7,
        "Days a draft never sent is kept after its last change; then it is erased like a "
        "withdrawal and its rows deleted (0: kept).",
        minimum=0,
    )
    rejected_days: int = setting(
        30,
        "Days a rejected submission is kept after the decision; then erased and deleted (0: kept).",
        minimum=0,
    )
    failed_days: int = setting(
        7,
        "Days a submission none of whose files could be used is kept; then erased and "
        "deleted (0: kept).",
        minimum=0,
    )
    withdrawn_days: int = setting(
        30,
        "Days the stub of a withdrawn submission (state and reference, nothing the reader "
        "sent) answers the reader; then its rows are deleted (0: kept).",
        minimum=0,
    )
    audit_detail_days: int = setting(
        365,
        "Days audit entries keep their details (lease times, file ids, reasons) and "
        "moderators' notes; then only who did what, when, from which state to which "
        "remains (0: kept).",
        minimum=0,
    )


@dataclass(frozen=True)
class KeysSettings:
    master_key: Secret = setting(
        Secret(""),
        "Master keys that wrap the submissions' data keys, as id:base64 entries separated by "
        "commas, the current one first (make one with `intake keys generate`; older ones "
        "stay listed until `intake keys rotate` has rewrapped their data keys). Set it in "
        "the environment, the same on every instance. Empty: with SQLite one is generated "
        "into <data_dir>/master.key (0600) at first start; with PostgreSQL it must be set.",
    )
    seal_threads: int = setting(
        2, "Threads that seal and open objects (AES-256-GCM), off the event loop.", minimum=1
    )
