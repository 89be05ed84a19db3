"""Tables, as SQLAlchemy Core metadata. Alembic migrations must produce exactly this."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    text,
)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes on every backend (SQLite stores them naive, in UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


Id = String(36)
BigId = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

WAITING = "state IN ('pending_review', 'escalated')"
LEASED = "state = 'in_review'"

submissions = Table(
    "submissions",
    metadata,
    Column("id", Id, primary_key=True),
    Column("reference", String(16), nullable=False, unique=True),
    Column("state", String(20), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("name", Text, nullable=False),
    Column("email", Text, nullable=False),
    Column("phone", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("story", Text, nullable=False),
    Column("location", Text, nullable=False),
    Column("occurred_at", UTCDateTime(), nullable=True),
    Column("locale", String(16), nullable=False),
    Column("consent_terms", Boolean, nullable=False),
    Column("consent_contact", Boolean, nullable=False),
    Column("terms_version", String(32), nullable=False),
    Column("token_hash", String(64), nullable=False, index=True),
    Column("prefix", Text, nullable=False),
    Column("file_count", Integer, nullable=False),
    Column("total_bytes", BigInteger, nullable=False),
    Column("lease_holder", String(36), nullable=False),
    Column("lease_expires_at", UTCDateTime(), nullable=True),
    Column("claimed_from", String(20), nullable=True),
    Index("ix_submissions_state_created_at", "state", "created_at"),
    Index(
        "ix_submissions_waiting",
        "state",
        "created_at",
        postgresql_where=text(WAITING),
        sqlite_where=text(WAITING),
    ),
    Index(
        "ix_submissions_leases",
        "lease_expires_at",
        postgresql_where=text(LEASED),
        sqlite_where=text(LEASED),
    ),
)

files = Table(
    "files",
    metadata,
    Column("id", Id, primary_key=True),
    Column("submission_id", Id, ForeignKey("submissions.id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("original_filename", Text, nullable=False),
    Column("media_type", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False, index=True),
    Column("object_key", Text, nullable=False),
    Column("state", String(16), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("extracted", JSON, nullable=False),
    Column("flags", JSON, nullable=False),
    Column("reject_reason", Text, nullable=False),
    Column("public_key", Text, nullable=False),
    Column("thumbnail_key", Text, nullable=False),
    Column("phash", String(16), nullable=False, index=True),
    Column("inspected_at", UTCDateTime(), nullable=True),
    Column("flag_kinds", Text, nullable=False, server_default=""),
    Column("credentials", String(24), nullable=False, server_default=""),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("submission_id", Id, nullable=False, index=True),
    Column("at", UTCDateTime(), nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", String(64), nullable=False),
    Column("from_state", String(20), nullable=True),
    Column("to_state", String(20), nullable=True),
    Column("detail", JSON, nullable=False),
    Column("note", Text, nullable=True),  # a moderator's free text, erased with the reader's data
)

uploads = Table(
    "uploads",
    metadata,
    Column("id", Id, primary_key=True),
    Column("submission_id", Id, ForeignKey("submissions.id"), nullable=False, index=True),
    Column("state", String(16), nullable=False),
    Column("length", BigInteger, nullable=True),
    Column("upload_offset", BigInteger, nullable=False),
    Column("concat", String(8), nullable=False),
    Column("concat_parts", JSON, nullable=False),
    Column("filename", Text, nullable=False),
    Column("declared_type", Text, nullable=False),
    Column("metadata", JSON, nullable=False),
    Column("object_key", Text, nullable=False),
    Column("media_type", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("s3_upload_id", Text, nullable=False),
    Column("parts", JSON, nullable=False),
    Column("segments", JSON, nullable=False),
    Column("tail_size", BigInteger, nullable=False, server_default="0"),
    Column("head", LargeBinary, nullable=False),
    Column("hash_state", LargeBinary, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("lock_id", String(36), nullable=False),
    Column("lock_expires_at", UTCDateTime(), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Index("ix_uploads_state_expires_at", "state", "expires_at"),
)

upload_tails = Table(
    "upload_tails",
    metadata,
    Column("upload_id", Id, ForeignKey("uploads.id", ondelete="CASCADE"), primary_key=True),
    Column("start_offset", BigInteger, primary_key=True),
    Column("size", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),  # sealed with the submission's data key
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("scope", String(80), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("status", Integer, nullable=False),
    Column("body", Text, nullable=False),
    Column("location", Text, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False, index=True),
)

rate_counters = Table(
    "rate_counters",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("window_start", UTCDateTime(), primary_key=True),
    Column("count", Integer, nullable=False),
    Index("ix_rate_counters_window_start", "window_start"),
)

jobs = Table(
    "jobs",
    metadata,
    Column("id", Id, primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("submission_id", Id, nullable=True, index=True),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text, nullable=False),
    Column("lease_id", String(36), nullable=False),
    Column("lease_expires_at", UTCDateTime(), nullable=True),
    Column("run_after", UTCDateTime(), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Index("ix_jobs_state_run_after", "state", "run_after"),
)

moderators = Table(
    "moderators",
    metadata,
    Column("id", Id, primary_key=True),
    Column("name", String(80), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("disabled", Boolean, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

moderator_tokens = Table(
    "moderator_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("moderator_id", Id, ForeignKey("moderators.id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=True),
    Column("id", Id, nullable=False, unique=True),
    Column("last_used_at", UTCDateTime(), nullable=True),
)

login_failures = Table(
    "login_failures",
    metadata,
    Column("key", String(300), primary_key=True),
    Column("count", Integer, nullable=False),
    Column("first_at", UTCDateTime(), nullable=False),
    Column("last_at", UTCDateTime(), nullable=False, index=True),
)

outbox_events = Table(
    "outbox_events",
    metadata,
    Column("id", Id, primary_key=True),
    Column("type", String(64), nullable=False),
    Column("submission_id", Id, nullable=False, index=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("data", JSON, nullable=False),
)

UNDELIVERED = "delivered_at IS NULL"

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("event_id", Id, ForeignKey("outbox_events.id"), nullable=False, index=True),
    Column("url", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime(), nullable=False),
    Column("lease_holder", String(36), nullable=False),
    Column("lease_expires_at", UTCDateTime(), nullable=True),
    Column("delivered_at", UTCDateTime(), nullable=True),
    Column("last_error", Text, nullable=False),
    Index(
        "ix_webhook_deliveries_due",
        "next_attempt_at",
        postgresql_where=text(UNDELIVERED),
        sqlite_where=text(UNDELIVERED),
    ),
)

media_hashes = Table(
    "media_hashes",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("file_id", Id, nullable=False, index=True),
    Column("submission_id", Id, nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # photo, or video (poster and keyframes)
    Column("hash", BigInteger, nullable=False),  # the 64-bit hash, as a signed integer
    Column("band0", Integer, nullable=False),
    Column("band1", Integer, nullable=False),
    Column("band2", Integer, nullable=False),
    Column("band3", Integer, nullable=False),
    # each band's lookups read the hash (and the row id) from the index alone
    *(Index(f"ix_media_hashes_band{i}", f"band{i}", "hash", "id") for i in range(4)),
)

data_keys = Table(
    "data_keys",
    metadata,
    Column("submission_id", Id, primary_key=True),  # no foreign key: outlives the row
    Column("master_key_id", String(32), nullable=True),
    Column("wrapped", LargeBinary, nullable=True),  # NULL once destroyed
    Column("created_at", UTCDateTime(), nullable=False),
    Column("destroyed_at", UTCDateTime(), nullable=True),
    Index("ix_data_keys_master_key_id", "master_key_id"),
)

published_copies = Table(
    "published_copies",
    metadata,
    Column("object_key", Text, primary_key=True),
    Column("submission_id", Id, nullable=False, index=True),
    Column("file_id", Id, nullable=False),
    Column("published_at", UTCDateTime(), nullable=False),
    Column("published_by", String(64), nullable=False),
)
