"""Hash states of ended uploads (issue 20): an upload's SHA-256 state holds up to 63 bytes
of its file, and is now sealed while the upload is open and dropped when it ends. Older
versions kept it in plain text, also after the upload completed, was terminated or
expired: those are dropped (nothing reads them once the upload is no longer open). Open
uploads keep theirs, sealed at their next PATCH.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
SEALED = b"\0intake-"


def upgrade() -> None:
    uploads = sa.table("uploads", sa.column("state"), sa.column("hash_state", sa.LargeBinary))
    op.execute(
        uploads.update()
        .where(uploads.c.state != "open", uploads.c.hash_state != b"")
        .values(hash_state=b"")
    )


def downgrade() -> None:
    # Versions before read a sealed state as a plain one: open uploads holding one end.
    uploads = sa.table("uploads", sa.column("state"), sa.column("hash_state", sa.LargeBinary))
    op.execute(
        uploads.update()
        .where(uploads.c.state == "open", sa.func.substr(uploads.c.hash_state, 1, 8) == SEALED)
        .values(state="terminated")
    )
