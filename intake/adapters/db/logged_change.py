"""One PostgreSQL statement that changes a submission and writes what goes with the
change (its audit entry, an outbox event and its deliveries) only if the change was made:

    WITH changed AS (UPDATE submissions ... RETURNING *),
         a1 AS (INSERT INTO audit_log (...) SELECT changed.id, ... FROM changed), ...
    SELECT * FROM changed

Run in autocommit it is atomic and costs one round trip where a transaction of three
statements costs five (``BEGIN``, three, ``COMMIT``). SQLite has no data-modifying
``WITH``; it keeps the transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import CTE, Select, Table, Update, insert, literal, select

CHANGED_ID = object()
"""A value that stands for the id of the changed row."""


def _insert_if_changed(changed: CTE, table: Table, row: Mapping[str, Any], name: str) -> CTE:
    values = [
        changed.c.id if value is CHANGED_ID else literal(value, type_=table.c[key].type)
        for key, value in row.items()
    ]
    chosen = select(*values).select_from(changed)
    return insert(table).from_select(list(row), chosen).cte(name)


def logged_change(change: Update, writes: Sequence[tuple[Table, Mapping[str, Any]]]) -> Select[Any]:
    """``change`` (an UPDATE with ``RETURNING``, ``id`` among its columns), then each
    ``(table, row)`` of ``writes`` inserted once per changed row; the statement answers
    the changed rows."""
    changed = change.cte("changed")
    inserts = [_insert_if_changed(changed, t, row, f"w{n}") for n, (t, row) in enumerate(writes)]
    return select(changed).add_cte(*inserts)
