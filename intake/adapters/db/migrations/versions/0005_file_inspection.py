"""What inspection finds about a file: extracted metadata, flags, derivatives.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from intake.adapters.db.schema import UTCDateTime

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("files") as batch:
        batch.add_column(sa.Column("extracted", sa.JSON(), nullable=False, server_default="{}"))
        batch.add_column(sa.Column("flags", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("reject_reason", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("public_key", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("thumbnail_key", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("phash", sa.String(16), nullable=False, server_default=""))
        batch.add_column(sa.Column("inspected_at", UTCDateTime(), nullable=True))
    with op.batch_alter_table("files") as batch:
        for column in (
            "extracted",
            "flags",
            "reject_reason",
            "public_key",
            "thumbnail_key",
            "phash",
        ):
            batch.alter_column(column, server_default=None)
    op.create_index("ix_files_phash", "files", ["phash"])


def downgrade() -> None:
    op.drop_index("ix_files_phash", table_name="files")
    with op.batch_alter_table("files") as batch:
        for column in (
            "inspected_at", "phash", "thumbnail_key", "public_key", "reject_reason", "flags", "extracted",
        ):  # fmt: skip
            batch.drop_column(column)
