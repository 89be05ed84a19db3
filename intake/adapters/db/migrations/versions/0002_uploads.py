"""Resumable uploads; submissions found by their token.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from intake.adapters.db.schema import UTCDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_submissions_token_hash", "submissions", ["token_hash"])
    op.create_table(
        "uploads",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("submission_id", sa.String(36), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("length", sa.BigInteger(), nullable=True),
        sa.Column("upload_offset", sa.BigInteger(), nullable=False),
        sa.Column("concat", sa.String(8), nullable=False),
        sa.Column("concat_parts", sa.JSON(), nullable=False),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("declared_type", sa.Text(), nullable=False),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.Column("object_key", sa.Text(), nullable=False),
        sa.Column("media_type", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("s3_upload_id", sa.Text(), nullable=False),
        sa.Column("parts", sa.JSON(), nullable=False),
        sa.Column("segments", sa.JSON(), nullable=False),
        sa.Column("head", sa.LargeBinary(), nullable=False),
        sa.Column("hash_state", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("lock_id", sa.String(36), nullable=False),
        sa.Column("lock_expires_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["submissions.id"], name="fk_uploads_submission_id_submissions"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_uploads"),
    )
    op.create_index("ix_uploads_submission_id", "uploads", ["submission_id"])
    op.create_index("ix_uploads_state_expires_at", "uploads", ["state", "expires_at"])


def downgrade() -> None:
    op.drop_table("uploads")
    op.drop_index("ix_submissions_token_hash", "submissions")
