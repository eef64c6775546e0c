"""Prepared statements (servicehall/prepared.py): the hottest statements planned once per
connection on PostgreSQL, run as themselves elsewhere, with the same answers either way."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from servicehall.prepared import Statement, numbered
from tests.markers import needs_postgres

pytestmark = pytest.mark.django_db

STATEMENT = Statement("sh_test_prepared", "SELECT %s::int + %s::int, '100%%'")


def _prepared_here() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {row[0] for row in cursor.fetchall()}


def _run(statement: Statement, params: list) -> tuple:
    with connection.cursor() as cursor:
        statement.execute(cursor, params)
        return cursor.fetchone()


def test_placeholders_are_numbered_and_a_doubled_percent_is_one():
    assert numbered("SELECT %s, '5%%', %s FROM t WHERE a = %s") == ("SELECT $1, '5%', $2 FROM t WHERE a = $3", 3)
    assert numbered("SELECT 1") == ("SELECT 1", 0)


@pytest.mark.parametrize("name", ["", "1st", "drop table", "Upper", "a;b"])
def test_a_name_that_is_not_an_identifier_is_refused(name):
    with pytest.raises(ValueError, match="not a statement name"):
        Statement(name, "SELECT 1")


@needs_postgres
def test_on_postgresql_it_is_prepared_once_per_connection_and_answers_as_the_plain_statement():
    with connection.cursor() as cursor:
        cursor.execute(STATEMENT.sql, [2, 3])
        plain = cursor.fetchone()
    with CaptureQueriesContext(connection) as first:
        assert _run(STATEMENT, [2, 3]) == plain == (5, "100%")
    assert "sh_test_prepared" in _prepared_here()
    with CaptureQueriesContext(connection) as second:
        assert _run(STATEMENT, [40, 2]) == (42, "100%")
    # Each run is one query, the EXECUTE; the PREPARE (once per connection) is not a request's work.
    assert [q["sql"] for q in first.captured_queries] == ["EXECUTE sh_test_prepared(2, 3)"]
    assert [q["sql"] for q in second.captured_queries] == ["EXECUTE sh_test_prepared(40, 2)"]


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_it_again_and_a_rollback_does_not_unprepare_it():
    connection.close()
    with pytest.raises(RuntimeError), transaction.atomic():
        assert _run(STATEMENT, [1, 1]) == (2, "100%")
        raise RuntimeError("rolled back")
    assert "sh_test_prepared" in _prepared_here()
    assert _run(STATEMENT, [1, 2]) == (3, "100%")
    connection.close()  # e.g. CONN_MAX_AGE, or the health check after PostgreSQL restarted
    assert "sh_test_prepared" not in _prepared_here()
    assert _run(STATEMENT, [2, 2]) == (4, "100%")
    assert "sh_test_prepared" in _prepared_here()


def test_switched_off_for_a_pooler_in_transaction_mode_or_elsewhere_it_runs_as_itself(settings):
    # Off (PostgreSQL behind PgBouncer's transaction mode), or not PostgreSQL (SQLite).
    settings.DATABASE_PREPARED_STATEMENTS = connection.vendor != "postgresql"
    with CaptureQueriesContext(connection) as queries:
        assert _run(Statement("sh_test_plain", "SELECT %s + %s, '100%%'"), [2, 3]) == (5, "100%")
    assert [q["sql"] for q in queries.captured_queries] == ["SELECT 2 + 3, '100%'"]
    if connection.vendor == "postgresql":
        assert "sh_test_plain" not in _prepared_here()


@needs_postgres
def test_the_wrong_number_of_values_is_refused_before_anything_is_sent():
    with pytest.raises(ValueError, match="2 placeholders, 1 values"):
        _run(STATEMENT, [1])
