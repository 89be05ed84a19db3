"""Verification aids (issue 21): what the queue filters on (the kinds of a file's flags,
the status of its content credentials) and the banded index of perceptual hashes
(photos, video posters and keyframes), filled from the photos' hashes already kept.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BANDS = ("band0", "band1", "band2", "band3")


def _bands(value: int) -> dict[str, int]:
    return {name: (value >> (48 - 16 * i)) & 0xFFFF for i, name in enumerate(BANDS)}


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def upgrade() -> None:
    with op.batch_alter_table("files") as batch:
        batch.add_column(sa.Column("flag_kinds", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("credentials", sa.String(24), nullable=False, server_default=""))
    big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    hashes = op.create_table(
        "media_hashes",
        sa.Column("id", big_id, primary_key=True, autoincrement=True),
        sa.Column("file_id", sa.String(36), nullable=False),
        sa.Column("submission_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("hash", sa.BigInteger(), nullable=False),
        *(sa.Column(band, sa.Integer(), nullable=False) for band in BANDS),
        sa.PrimaryKeyConstraint("id", name="pk_media_hashes"),
    )
    for column in ("file_id", "submission_id"):
        op.create_index(f"ix_media_hashes_{column}", "media_hashes", [column])
    for band in BANDS:
        op.create_index(f"ix_media_hashes_{band}", "media_hashes", [band, "hash", "id"])
    files = sa.table(
        "files", sa.column("id"), sa.column("submission_id"), sa.column("phash"),
        sa.column("state"),
    )  # fmt: skip
    rows = op.get_bind().execute(
        sa.select(files.c.id, files.c.submission_id, files.c.phash).where(
            files.c.phash != "", files.c.state == "inspected"
        )
    )
    values = [
        {"file_id": r.id, "submission_id": r.submission_id, "kind": "photo",
         "hash": _signed(int(r.phash, 16)), **_bands(int(r.phash, 16))}
        for r in rows
    ]  # fmt: skip
    if values:
        op.bulk_insert(hashes, values)


def downgrade() -> None:
    op.drop_table("media_hashes")
    with op.batch_alter_table("files") as batch:
        batch.drop_column("credentials")
        batch.drop_column("flag_kinds")
