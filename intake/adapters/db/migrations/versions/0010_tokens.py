"""Moderator tokens get a public id (to list and revoke them one by one) and the time of
their last use; API tokens that never expired now expire 90 days from the upgrade.

Existing tokens take the first 32 hex digits of their hash as id (the hash of a 256-bit
token: it tells nothing of the token).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from intake.adapters.db.schema import UTCDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

API_TOKEN_DAYS = 90

tokens = sa.table(
    "moderator_tokens",
    sa.column("token_hash", sa.String(64)),
    sa.column("id", sa.String(36)),
    sa.column("kind", sa.String(16)),
    sa.column("expires_at", UTCDateTime()),
)


def upgrade() -> None:
    with op.batch_alter_table("moderator_tokens") as batch:
        batch.add_column(sa.Column("id", sa.String(36), nullable=True))
        batch.add_column(sa.Column("last_used_at", UTCDateTime(), nullable=True))
    op.execute(tokens.update().values(id=sa.func.substr(tokens.c.token_hash, 1, 32)))
    expiry = dt.datetime.now(dt.UTC) + dt.timedelta(days=API_TOKEN_DAYS)
    op.execute(
        tokens.update()
        .where(tokens.c.kind == "api", tokens.c.expires_at.is_(None))
        .values(expires_at=expiry)
    )
    with op.batch_alter_table("moderator_tokens") as batch:
        batch.alter_column("id", existing_type=sa.String(36), nullable=False)
        batch.create_unique_constraint("uq_moderator_tokens_id", ["id"])


def downgrade() -> None:
    with op.batch_alter_table("moderator_tokens") as batch:
        batch.drop_constraint("uq_moderator_tokens_id", type_="unique")
        batch.drop_column("last_used_at")
        batch.drop_column("id")
