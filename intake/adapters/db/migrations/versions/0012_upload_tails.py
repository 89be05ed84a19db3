"""Upload tails (issue 20): the bytes of a resumable upload after its last stored part,
kept in the database (sealed with the submission's data key, one row per piece of a
PATCH's leftover) instead of as segment objects under ``incoming/``. Segments already
stored stay listed in ``uploads.segments`` and are read back as before.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("uploads") as batch:
        batch.add_column(
            sa.Column("tail_size", sa.BigInteger(), nullable=False, server_default="0")
        )
    op.create_table(
        "upload_tails",
        sa.Column("upload_id", sa.String(36), nullable=False),
        sa.Column("start_offset", sa.BigInteger(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["upload_id"],
            ["uploads.id"],
            name="fk_upload_tails_upload_id_uploads",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("upload_id", "start_offset", name="pk_upload_tails"),
    )


def downgrade() -> None:
    # Versions before cannot read tails: uploads holding one end (their clients start again).
    uploads = sa.table("uploads", sa.column("state"), sa.column("tail_size"))
    op.execute(
        uploads.update()
        .where(uploads.c.state == "open", uploads.c.tail_size > 0)
        .values(state="terminated")
    )
    op.drop_table("upload_tails")
    with op.batch_alter_table("uploads") as batch:
        batch.drop_column("tail_size")
