"""The database away (issue 14, PostgreSQL restarted under load): every request path answers 503
with a message (JSON under the API, a page elsewhere), never a 500 or a traceback; the first
request after the database is back reconnects, with no process restarted."""

from __future__ import annotations

import logging

import psycopg2
import pytest
from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections, connection
from django.test import Client

from catalog import selectors
from servicehall.errors import DATABASE_RETRY_AFTER_SECONDS
from servicehall.sessions import SessionStore
from tests.markers import needs_postgres
from tests.queueing.factories import make_queue_hall

pytestmark = pytest.mark.django_db

MESSAGE = "系统正在维护或恢复，请稍后再试。您提交的内容如未成功，请稍后重新提交。"


def _away(*_args, **_kwargs):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')


def _closed(*_args, **_kwargs):
    raise InterfaceError("connection already closed")


def _assert_api_503(response) -> None:
    assert response.status_code == 503, response.content[:300]
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": MESSAGE, "code": "service_unavailable", "errors": {}}
    assert response["Retry-After"] == str(DATABASE_RETRY_AFTER_SECONDS)
    assert response["Cache-Control"] == "no-store"


def _assert_page_503(response) -> None:
    assert response.status_code == 503, response.content[:300]
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "系统正在维护或恢复，请稍后再试" in page and "Traceback" not in page and "OperationalError" not in page
    assert response["Retry-After"] == str(DATABASE_RETRY_AFTER_SECONDS)


@pytest.mark.parametrize("failure", [_away, _closed], ids=["OperationalError", "InterfaceError"])
def test_an_api_view_that_finds_the_database_away_answers_503_json(client, monkeypatch, failure) -> None:
    monkeypatch.setattr(selectors, "halls_list", failure)
    _assert_api_503(client.get("/api/v1/halls/"))


@pytest.mark.parametrize("failure", [_away, _closed], ids=["OperationalError", "InterfaceError"])
def test_a_page_that_finds_the_database_away_answers_a_503_page(client, monkeypatch, failure) -> None:
    monkeypatch.setattr(selectors, "halls_list", failure)
    _assert_page_503(client.get("/"))


def test_a_template_that_finds_the_database_away_answers_a_503_page(client, monkeypatch) -> None:
    # A TemplateResponse renders after the view: the database may go away then (the bundle list
    # is a TemplateResponse; the home page is served from the page cache, catalog/page_cache.py).
    from django.template.response import TemplateResponse

    render = TemplateResponse.render

    def render_then_fail(self):
        if self.template_name == "catalog/bundle_list.html":
            _away()
        return render(self)

    monkeypatch.setattr(TemplateResponse, "render", render_then_fail)
    _assert_page_503(client.get("/bundles/"))


@pytest.mark.parametrize(("path", "api"), [("/api/v1/halls/", True), ("/halls/", False)])
def test_a_middleware_that_finds_the_database_away_answers_503(monkeypatch, path, api) -> None:
    """The session is read in a middleware, before any view: the 500 handler answers 503."""
    monkeypatch.setattr(SessionStore, "load", _away)
    client = Client(raise_request_exception=False)
    client.cookies[settings.SESSION_COOKIE_NAME] = "a" * 32
    response = client.get(path)
    (_assert_api_503 if api else _assert_page_503)(response)


def test_a_write_that_finds_the_database_away_answers_503_json(monkeypatch) -> None:
    qh = make_queue_hall()
    from queueing import services

    monkeypatch.setattr(services, "ticket_issue", _away)
    client = Client(raise_request_exception=False)
    response = client.post(f"/api/v1/halls/{qh.hall.code}/tickets/", {"category": "A"}, content_type="application/json")
    _assert_api_503(response)


def test_other_errors_are_still_500s(monkeypatch) -> None:
    # Only the database's connection errors are a 503: a bug stays a 500 (and is logged as one).
    def bug(*_args, **_kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(selectors, "halls_list", bug)
    client = Client(raise_request_exception=False)
    assert client.get("/halls/").status_code == 500
    response = client.get("/api/v1/halls/")
    assert response.status_code == 500 and response.json()["code"] == "server_error"


def test_the_database_away_is_logged_once_without_the_query(client, monkeypatch, caplog) -> None:
    monkeypatch.setattr(selectors, "halls_list", _away)
    with caplog.at_level(logging.WARNING, logger="servicehall.database"):
        client.get("/api/v1/halls/")
    records = [r for r in caplog.records if r.name == "servicehall.database"]
    assert len(records) == 1 and records[0].exc_info is None
    assert "GET /api/v1/halls/" in records[0].getMessage() and "OperationalError" in records[0].getMessage()


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_dropped_connection_is_a_503_then_the_next_request_reconnects(client) -> None:
    """A real dropped connection (the server ends it, as a restart does): the request that finds
    it answers 503, and the next one, after what Django does at the start of every request
    (close_old_connections, which the test client leaves out), succeeds on a new connection."""
    make_queue_hall()
    assert client.get("/api/v1/halls/").status_code == 200
    pid = connection.connection.info.backend_pid
    other = psycopg2.connect(
        dbname=connection.settings_dict["NAME"],
        user=connection.settings_dict["USER"],
        host=connection.settings_dict["HOST"] or "127.0.0.1",
        port=connection.settings_dict["PORT"] or 5432,
    )
    other.autocommit = True
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    other.close()
    # The health check of this request was done already (the test client never starts a new
    # one), so the dead connection is used, as by a request in flight when the server went away.
    connection.health_check_done = True
    _assert_api_503(Client(raise_request_exception=False).get("/api/v1/halls/"))
    close_old_connections()  # what the request_started signal does in the web server
    response = client.get("/api/v1/halls/")
    assert response.status_code == 200 and response.json()["count"] >= 1
    assert connection.connection.info.backend_pid != pid


def test_connections_are_kept_and_checked_before_reuse() -> None:
    """CONN_HEALTH_CHECKS: a kept connection that the restart killed is replaced before the first
    query of the next request, instead of failing it (issue 14)."""
    from tests.servicehall.test_settings import run_manage

    done = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'], d['OPTIONS'].get('connect_timeout'))",
        DJANGO_DEBUG="1",
        DATABASE_URL="postgres://someone@db.invalid:5432/servicehall",
    )
    assert done.returncode == 0, done.stderr
    max_age, health_checks, connect_timeout = done.stdout.strip().splitlines()[-1].split()
    assert int(max_age) > 0 and health_checks == "True" and 0 < int(connect_timeout) <= 10


def test_every_operation_documents_the_503() -> None:
    import json

    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    schema = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
    operations = [operation for path in schema["paths"].values() for operation in path.values()]
    assert operations
    for operation in operations:
        body = operation["responses"]["503"]["content"]["application/json"]["schema"]
        assert body == {"$ref": "#/components/schemas/Error"}, operation["operationId"]
