"""The bench-only query counter (``BENCH_QUERY_COUNT=1``, bench/load.py): each response says how
many queries its request ran, the middleware's own look-ups included."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.queueing.factories import make_queue_hall

pytestmark = pytest.mark.django_db


@pytest.fixture
def counting(settings):
    settings.MIDDLEWARE = ["servicehall.middleware.QueryCountMiddleware", *settings.MIDDLEWARE]


def test_the_header_gives_the_queries_the_request_ran(client, counting) -> None:
    qh = make_queue_hall()
    for url in (f"/halls/{qh.hall.code}/kiosk/", "/healthz"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        assert int(response["X-Query-Count"]) == len(queries)
    assert int(client.get(f"/halls/{qh.hall.code}/kiosk/")["X-Query-Count"]) > 0


def test_without_the_setting_there_is_no_header(client) -> None:
    assert "X-Query-Count" not in client.get("/healthz")
