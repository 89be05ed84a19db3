"""What a reader sent can be erased from the database too: moderators' notes leave the
audit entries' details for a column of their own, and the audit log, still append-only,
allows exactly two changes: a note set to NULL and a detail emptied to ``{}`` (who did
what, when, and from which state to which never change). Notes and file hashes of
submissions already withdrawn are erased, and rate-limit and login-failure rows, keyed
by raw client addresses until now, are dropped.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = "audit_log is append-only: entries cannot be changed or removed"
UNCHANGED = [
    "NEW.id = OLD.id", "NEW.submission_id = OLD.submission_id", "NEW.at = OLD.at",
    "NEW.actor = OLD.actor", "NEW.action = OLD.action",
    "NEW.from_state IS NOT DISTINCT FROM OLD.from_state",
    "NEW.to_state IS NOT DISTINCT FROM OLD.to_state",
    "(NEW.note IS NULL OR NEW.note IS NOT DISTINCT FROM OLD.note)",
]  # fmt: skip
PG_FUNCTION = """CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND {unchanged}
           AND (NEW.detail::text = '{{}}' OR NEW.detail::text = OLD.detail::text) THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION '{message}';
    END $$""".format(unchanged=" AND ".join(UNCHANGED), message=APPEND_ONLY)
PG_FUNCTION_BEFORE = f"""CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$"""
SQLITE_UNCHANGED = " AND ".join(
    c.replace("IS NOT DISTINCT FROM", "IS").replace(" = ", " IS ") for c in UNCHANGED
)
SQLITE_UPDATE_TRIGGER = f"""CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    WHEN NOT ({SQLITE_UNCHANGED} AND (NEW.detail = '{{}}' OR NEW.detail IS OLD.detail))
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"""
SQLITE_UPDATE_TRIGGER_BEFORE = f"""CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"""

audit = sa.table(
    "audit_log",
    sa.column("id", sa.Integer),
    sa.column("submission_id", sa.String),
    sa.column("detail", sa.JSON),
    sa.column("note", sa.Text),
)
submissions = sa.table("submissions", sa.column("id", sa.String), sa.column("state", sa.String))
files = sa.table(
    "files",
    sa.column("submission_id", sa.String),
    sa.column("sha256", sa.String),
    sa.column("phash", sa.String),
)
uploads = sa.table(
    "uploads",
    sa.column("submission_id", sa.String),
    sa.column("sha256", sa.String),
    sa.column("hash_state", sa.LargeBinary),
    sa.column("parts", sa.JSON),
    sa.column("segments", sa.JSON),
)


def _move_notes_out_of_details() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(audit.c.id, audit.c.detail)).all()
    for row in rows:
        detail = dict(row.detail or {})
        if "note" in detail:
            note = detail.pop("note")
            bind.execute(
                sa.update(audit)
                .where(audit.c.id == row.id)
                .values(detail=detail, note=str(note) if note else None)
            )


def _erase_what_withdrawals_left() -> None:
    withdrawn = sa.select(submissions.c.id).where(submissions.c.state == "withdrawn")
    op.execute(sa.update(audit).where(audit.c.submission_id.in_(withdrawn)).values(note=None))
    op.execute(
        sa.update(files).where(files.c.submission_id.in_(withdrawn)).values(sha256="", phash="")
    )
    op.execute(
        sa.update(uploads)
        .where(uploads.c.submission_id.in_(withdrawn))
        .values(sha256="", hash_state=b"", parts=[], segments=[])
    )


SQLITE_DELETE_TRIGGER = f"""CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"""


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change")
    else:
        op.execute("DROP TRIGGER audit_log_no_update")
    op.add_column("audit_log", sa.Column("note", sa.Text(), nullable=True))
    _move_notes_out_of_details()
    _erase_what_withdrawals_left()
    op.execute("DELETE FROM rate_counters")
    op.execute("DELETE FROM login_failures")
    if postgres:
        op.execute(PG_FUNCTION)
        op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change")
    else:
        op.execute(SQLITE_UPDATE_TRIGGER)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change")
        op.drop_column("audit_log", "note")
        op.execute(PG_FUNCTION_BEFORE)
        op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change")
        return
    op.execute("DROP TRIGGER audit_log_no_update")
    op.execute("DROP TRIGGER audit_log_no_delete")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("note")
    op.execute(SQLITE_UPDATE_TRIGGER_BEFORE)
    op.execute(SQLITE_DELETE_TRIGGER)
