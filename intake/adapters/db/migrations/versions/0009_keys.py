"""Erasure by key: the submissions' data keys, wrapped by a master key (a destroyed one
keeps its row, without the key, so that none is made again), and the public copies an
editor published unsealed, to be deleted when their submission is withdrawn.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from intake.adapters.db.schema import UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "data_keys",
        sa.Column("submission_id", sa.String(36), nullable=False),
        sa.Column("master_key_id", sa.String(32), nullable=True),
        sa.Column("wrapped", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("destroyed_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("submission_id", name="pk_data_keys"),
    )
    op.create_index("ix_data_keys_master_key_id", "data_keys", ["master_key_id"])
    op.create_table(
        "published_copies",
        sa.Column("object_key", sa.Text(), nullable=False),
        sa.Column("submission_id", sa.String(36), nullable=False),
        sa.Column("file_id", sa.String(36), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=False),
        sa.Column("published_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("object_key", name="pk_published_copies"),
    )
    op.create_index("ix_published_copies_submission_id", "published_copies", ["submission_id"])


def downgrade() -> None:
    op.drop_table("published_copies")
    op.drop_table("data_keys")
