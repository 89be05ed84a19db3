"""One PostgreSQL statement that changes a submission and writes what goes with the
change (its audit entry, an outbox event and its deliveries) only if the change was made:

    WITH changed AS (UPDATE submissions ... RETURNING *),
         w0 AS (INSERT INTO audit_log (...) SELECT changed.id, ... FROM changed), ...
    SELECT * FROM changed

Run in autocommit it is atomic and costs one round trip where a transaction of three
statements costs five (``BEGIN``, three, ``COMMIT``). SQLite has no data-modifying
``WITH``; it keeps the transaction.

Statements are built once per shape and then only executed with new parameters: building
the ``WITH`` (its CTEs' column collections, its cache key) cost more CPU than the
round trip it saves.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

from sqlalchemy import CTE, Select, Table, Update, bindparam, insert, select

CHANGED_ID = object()
"""A value that stands for the id of the changed row."""

Writes = Sequence[tuple[Table, Mapping[str, Any]]]


def _name(n: int, key: str) -> str:
    return f"w{n}_{key}"


def _insert_if_changed(changed: CTE, n: int, table: Table, row: Mapping[str, Any]) -> CTE:
    values = [
        changed.c.id if value is CHANGED_ID else bindparam(_name(n, key), type_=table.c[key].type)
        for key, value in row.items()
    ]
    chosen = select(*values).select_from(changed)
    return insert(table).from_select(list(row), chosen).cte(f"w{n}")


def _row_shape(row: Mapping[str, Any]) -> tuple[tuple[str, bool], ...]:
    return tuple((key, value is CHANGED_ID) for key, value in row.items())


class LoggedChanges:
    """The statements of one repository, built on first use of each shape."""

    def __init__(self) -> None:
        self._built: dict[Hashable, Any] = {}

    def change(self, shape: Hashable, build: Callable[[], Update]) -> Update:
        """The change alone (SQLite runs it inside a transaction)."""
        key = ("change", shape)
        if key not in self._built:
            self._built[key] = build()
        statement: Update = self._built[key]
        return statement

    def logged(
        self, shape: Hashable, build: Callable[[], Update], writes: Writes
    ) -> tuple[Select[Any], dict[str, Any]]:
        """``build()`` (an UPDATE with ``RETURNING``, ``id`` among its columns, and
        parameters of its own), then each ``(table, row)`` of ``writes`` inserted once per
        changed row (``CHANGED_ID`` as a row's ``submission_id`` stands for the changed
        row's id); the statement answers the changed rows. Returns the statement and the
        rows' parameters, to which the change's own are added by the caller."""
        key = ("logged", shape, tuple((t.name, _row_shape(row)) for t, row in writes))
        statement = self._built.get(key)
        if statement is None:
            changed = self.change(shape, build).cte("changed")
            inserts = [_insert_if_changed(changed, n, t, row) for n, (t, row) in
                       enumerate(writes)]  # fmt: skip
            statement = self._built[key] = select(changed).add_cte(*inserts)
        params = {
            _name(n, k): v
            for n, (_, row) in enumerate(writes)
            for k, v in row.items()
            if v is not CHANGED_ID
        }
        return statement, params
