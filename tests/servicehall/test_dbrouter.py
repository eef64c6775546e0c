"""Read-replica routing (servicehall/dbrouter.py, docs/scaling.md): the supervisors' dashboards,
history, exports and roll-up statistics read from the replica when one is configured; writes,
and reads after a write, stay on the primary; with no replica everything reads ``default``.

The replica is a test mirror of ``default`` (tests/settings.py): the same test database through a
connection of its own, so a query's alias shows where the router sent it. Tests that read it run
outside a test transaction (``transaction=True``): the mirror's connection sees committed rows.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connections, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Hall
from queueing.models import DailyStat
from servicehall import memo, roles
from servicehall.dbrouter import PIN_COOKIE, ReplicaPinMiddleware, ReplicaRouter, use_replica
from servicehall.models import StaffProfile
from tests.queueing.factories import make_queue_hall
from tests.servicehall.factories import staff_user

REPLICA_TEST = pytest.mark.django_db(transaction=True, databases=["default", "replica"])
DAY = dt.date(2026, 11, 20)


@pytest.fixture
def replica(settings):
    settings.REPLICA_DATABASE = "replica"
    cache.clear()
    memo.forget()
    return "replica"


def _tables(queries: CaptureQueriesContext) -> str:
    return " ".join(q["sql"] for q in queries.captured_queries)


def _supervised(client):
    qh = make_queue_hall()
    DailyStat.objects.create(hall=qh.hall, date=DAY, scope="hall", issued=40, served=35)
    user = staff_user("replica-sup", role=roles.SUPERVISOR)
    client.force_login(user)
    return qh


def _get(client, url: str, **headers: str):
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        response = client.get(url, headers=headers)
        if response.streaming:
            body = b"".join(response.streaming_content)
        else:
            body = response.content
    return response, body, primary, replica


@REPLICA_TEST
def test_the_marked_supervisor_pages_and_statistics_read_the_replica(client, replica) -> None:
    qh = _supervised(client)
    dated = f"?start={DAY}&end={DAY}"
    pages = [
        (reverse("supervisor-overview"), {}, "queueing_ticket"),
        (reverse("supervisor-overview"), {"HX-Request": "true", "HX-Target": "overview-live"}, "queueing_ticket"),
        (reverse("supervisor-hall", args=[qh.hall.code]), {}, "queueing_ticket"),
        (reverse("supervisor-history") + dated, {}, "queueing_dailystat"),
        (reverse("supervisor-export-csv") + dated, {}, "queueing_dailystat"),  # streamed
        (reverse("supervisor-export-xlsx") + dated, {}, "queueing_dailystat"),
        ("/api/v1/statistics/daily/" + dated, {}, "queueing_dailystat"),
    ]
    for url, headers, table in pages:
        response, body, primary, on_replica = _get(client, url, **headers)
        assert response.status_code == 200, (url, body[:300])
        # The session, the user and their scope are read before the view, from the primary; the
        # page's own reads (today's tickets, the roll-ups) from the replica only.
        assert table in _tables(on_replica), url
        assert "queueing_ticket" not in _tables(primary), url
        assert "queueing_dailystat" not in _tables(primary), url
    assert [row["issued"] for row in response.json()] == [40]


@REPLICA_TEST
def test_a_supervisors_write_pins_their_next_reads_to_the_primary(client, replica) -> None:
    qh = _supervised(client)
    window = qh.window_a
    response = client.post(reverse("supervisor-window-close", args=[qh.hall.code, window.pk]))
    assert response.status_code < 400
    assert response.cookies[PIN_COOKIE].value == "1"
    assert int(response.cookies[PIN_COOKIE]["max-age"]) > 0
    # The dashboard the supervisor is sent back to reads what they just did from the primary.
    response, body, primary, on_replica = _get(client, reverse("supervisor-hall", args=[qh.hall.code]))
    assert response.status_code == 200
    assert len(on_replica) == 0
    assert "queueing_ticket" in _tables(primary)


@pytest.mark.django_db
def test_citizens_pages_and_writes_never_read_the_replica(client, replica) -> None:
    """Not marked: the ticket issue and the public pages read and write ``default`` even with a
    replica configured (a query to 'replica' here would fail: this test does not allow it)."""
    import time_machine

    from tests.queueing.factories import NOW

    with time_machine.travel(NOW, tick=False):  # the hall is open (at 17:07 it was not: 409)
        qh = make_queue_hall()
        response = client.post(
            f"/api/v1/halls/{qh.hall.code}/tickets/", {"category": "A"}, content_type="application/json"
        )
        assert response.status_code in (200, 201), response.content
        assert client.get(f"/halls/{qh.hall.code}/queue/").status_code == 200
        assert client.get(response.json()["url"]).status_code == 200


@pytest.mark.django_db
def test_with_no_replica_configured_the_marked_pages_read_default(client) -> None:
    """tests/settings.py leaves REPLICA_DATABASE empty, as production without
    DATABASE_REPLICA_URL: a query to 'replica' would fail this test (not in its databases)."""
    _supervised(client)
    for url in (reverse("supervisor-overview"), reverse("supervisor-history") + f"?start={DAY}&end={DAY}"):
        with CaptureQueriesContext(connections["default"]) as primary:
            response = client.get(url)
        assert response.status_code == 200
    assert "queueing_dailystat" in _tables(primary)
    response = client.get(f"/api/v1/statistics/daily/?start={DAY}&end={DAY}")
    assert [row["issued"] for row in response.json()] == [40]


def test_the_router_sends_marked_reads_to_the_replica_and_every_write_to_default(replica) -> None:
    router = ReplicaRouter()
    assert router.db_for_read(Hall) is None  # unmarked: default
    with use_replica():
        assert router.db_for_read(Hall) == "replica"
        assert router.db_for_write(Hall) == "default"
        # Read-your-writes: after a write in the block its reads go to the primary.
        assert router.db_for_read(Hall) is None
    with use_replica():
        assert router.db_for_read(StaffProfile) == "replica"  # a new block starts clean
    assert router.db_for_read(Hall) is None
    assert router.allow_migrate("replica", "catalog") is False
    assert router.allow_migrate("default", "catalog") is True


@pytest.mark.django_db
def test_reads_inside_a_transaction_on_the_primary_stay_there(replica) -> None:
    router = ReplicaRouter()
    # pytest-django's test transaction is open on default: a marked read inside it sees the
    # transaction's writes only on the primary.
    assert connections["default"].in_atomic_block
    with transaction.atomic(), use_replica():
        assert router.db_for_read(Hall) is None


def test_with_no_replica_the_router_answers_nothing(settings) -> None:
    settings.REPLICA_DATABASE = ""
    with use_replica():
        assert ReplicaRouter().db_for_read(Hall) is None
    settings.REPLICA_DATABASE = "missing"  # named but not in DATABASES
    with use_replica():
        assert ReplicaRouter().db_for_read(Hall) is None


@pytest.mark.parametrize(
    ("configured", "method", "signed_in", "status", "pinned"),
    [
        ("replica", "POST", True, 302, True),
        ("replica", "POST", True, 200, True),
        ("replica", "POST", True, 422, False),  # refused: nothing changed
        ("replica", "GET", True, 200, False),
        ("replica", "POST", False, 201, False),  # citizens read no marked page
        ("", "POST", True, 302, False),  # no replica: no cookie
    ],
)
def test_the_pin_cookie_follows_a_signed_in_users_successful_write(
    settings, configured, method, signed_in, status, pinned
) -> None:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse

    settings.REPLICA_DATABASE = configured
    request = RequestFactory().generic(method, "/supervisor/")

    class User:
        is_authenticated = True

    request.user = User() if signed_in else AnonymousUser()
    response = ReplicaPinMiddleware(lambda _r: HttpResponse(status=status))(request)
    assert (PIN_COOKIE in response.cookies) is pinned
