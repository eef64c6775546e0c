"""The benchmarks bulk-load rows with hand-written SQL (``generate_series``), which a new NOT NULL
column breaks only when `make bench` runs (it did: issue 11's ``Case.urgent``). Each loader's
column list must name every column the database requires a value for."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.db.models import NOT_PROVIDED

BENCH = Path(__file__).resolve().parent.parent / "bench"
INSERT = re.compile(r"INSERT INTO (\w+) \(([^)]*)\)", re.S)


def _inserts() -> list[tuple[str, str, set[str]]]:
    found = []
    for path in sorted(BENCH.glob("*.py")):
        for table, columns in INSERT.findall(path.read_text(encoding="utf-8")):
            found.append((path.name, table, {name.strip() for name in columns.split(",")}))
    return found


def _required_columns(table: str) -> set[str]:
    model = next(m for m in apps.get_models() if m._meta.db_table == table)
    return {
        field.column
        for field in model._meta.concrete_fields
        if not field.null and not field.primary_key and field.db_default is NOT_PROVIDED
    }


def test_the_loaders_are_found() -> None:
    assert {table for _name, table, _columns in _inserts()} >= {"cases_case", "cases_caseclock", "queueing_ticket"}


@pytest.mark.parametrize(
    ("script", "table", "columns"), _inserts(), ids=lambda value: value if isinstance(value, str) else "columns"
)
def test_every_required_column_is_loaded(script: str, table: str, columns: set[str]) -> None:
    missing = _required_columns(table) - columns
    assert not missing, f"bench/{script} inserts into {table} without {sorted(missing)}"
