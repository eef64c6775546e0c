"""Server-side prepared statements on PostgreSQL for the statements the city runs most (issue 14).

A refused booking's one query spent 0.8 ms of PostgreSQL's time being planned and 0.2 ms being
run; the ticket issue's two statements were planned afresh each time too. A statement prepared
once per connection (``PREPARE``) and run by name (``EXECUTE``) is planned once and then, after
PostgreSQL's first few runs, from its generic plan: measured in one process against the bench
database, the refused booking's statement 1.3-1.9 ms → 0.35-0.5 ms, the issue's two 1.3-1.8 ms →
0.74-0.83 ms (bench/README.md).

``Statement(name, sql).execute(cursor, params)`` runs ``sql`` (written with ``%s`` placeholders, as
for ``cursor.execute``) as a prepared statement on PostgreSQL and as itself elsewhere (SQLite) or
when ``DATABASE_PREPARED_STATEMENTS`` is off: a pooler in transaction mode in front of PostgreSQL
(PgBouncer's ``pool_mode = transaction``) hands each transaction a different server session,
where a statement prepared in another does not exist (docs/scaling.md).

A connection's statements are prepared the first time it runs each of them. Which ones it has
is remembered with the driver's connection object, so a connection replaced (``CONN_MAX_AGE``,
the health check after PostgreSQL restarted) prepares them again. ``PREPARE`` is not undone by a
rollback, so a statement prepared in a transaction that later rolls back stays prepared. The
``PREPARE`` is sent on the driver's cursor: it is once per connection, not part of any request's
work, and is left out of the query counts that the tests hold constant (the ``EXECUTE`` counts).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.backends.utils import CursorWrapper

_PLACEHOLDER = re.compile(r"%%|%s")
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def numbered(sql: str) -> tuple[str, int]:
    """``sql`` with its ``%s`` placeholders as PostgreSQL's ``$1``, ``$2``… (``%%`` as ``%``), and
    how many there are."""
    count = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal count
        if match.group() == "%%":
            return "%"
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(replace, sql), count


@dataclass(frozen=True)
class Statement:
    name: str
    sql: str
    # The texts sent, worked out once (``__post_init__``): the statement runs thousands of times a minute.
    prepare_sql: str = field(init=False, repr=False, compare=False)
    execute_sql: str = field(init=False, repr=False, compare=False)
    param_count: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"not a statement name: {self.name!r}")
        text, count = numbered(self.sql)
        object.__setattr__(self, "prepare_sql", f"PREPARE {self.name} AS {text}")
        object.__setattr__(self, "execute_sql", f"EXECUTE {self.name}({', '.join(['%s'] * count)})")
        object.__setattr__(self, "param_count", count)

    def execute(self, cursor: CursorWrapper, params: Sequence[Any]) -> None:
        db = cursor.db
        if db.vendor != "postgresql" or not settings.DATABASE_PREPARED_STATEMENTS:
            cursor.execute(self.sql, params)
            return
        count = self.param_count
        if len(params) != count:
            raise ValueError(f"{self.name}: {count} placeholders, {len(params)} values")
        raw = db.connection
        known: tuple[object, set[str]] | None = db.__dict__.get("_prepared_statements")
        if known is None or known[0] is not raw:
            known = (raw, set())
            db.__dict__["_prepared_statements"] = known
        if self.name not in known[1]:
            with db.wrap_database_errors:
                cursor.cursor.execute(self.prepare_sql)
            known[1].add(self.name)
        cursor.execute(self.execute_sql, params)
