"""What a ticket issue costs (issue 14): a fixed number of statements however long the queue,
the queue looked up once per process and read again as soon as it changes."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from queueing import lookups
from queueing.models import Ticket, TicketEvent
from tests.markers import needs_postgres
from tests.queueing.factories import NOW, make_queue_hall


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def issue(client, code: str, letter: str = "A"):
    return client.post(f"/api/v1/halls/{code}/tickets/", {"category": letter}, content_type="application/json")


# Inside the test's transaction each of the two statements runs in a savepoint (as inside any
# caller's transaction), so three queries each; SQLite takes the ORM's path.
IN_A_TRANSACTION = {"postgresql": 6, "sqlite": 7}


@pytest.mark.django_db
def test_an_issue_costs_the_same_queries_however_long_the_queue(client, django_assert_num_queries) -> None:
    qh = make_queue_hall()
    qh.sign_in_all()
    assert issue(client, qh.hall.code).status_code == 201  # the category is remembered
    client.get(f"/api/v1/halls/{qh.hall.code}/queue/")  # the published queue the answer reads
    with django_assert_num_queries(IN_A_TRANSACTION[connection.vendor]):
        assert issue(client, qh.hall.code).status_code == 201
    for _ in range(20):
        issue(client, qh.hall.code)
    with django_assert_num_queries(IN_A_TRANSACTION[connection.vendor]):
        response = issue(client, qh.hall.code)
    assert response.status_code == 201 and response.json()["number"] == "A023"
    event = TicketEvent.objects.get(ticket__number="A023")
    assert event.kind == "issued" and event.data == {"source": "online", "priority": ""}


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_an_issue_is_two_statements(client) -> None:
    """The number drawn in its own transaction (not waiting for the disk), then the ticket and
    its first event inserted by one statement: two round trips, where there were nine."""
    qh = make_queue_hall()
    assert issue(client, qh.hall.code).status_code == 201
    client.get(f"/api/v1/halls/{qh.hall.code}/queue/")
    with CaptureQueriesContext(connection) as ctx:
        response = issue(client, qh.hall.code)
    assert response.status_code == 201 and response.json()["number"] == "A002"
    statements = [q["sql"] for q in ctx.captured_queries]
    assert len(statements) == 2, statements
    assert "queueing_ticketsequence" in statements[0] and "synchronous_commit" in statements[0]
    assert (
        statements[1].startswith('WITH t AS (INSERT INTO "queueing_ticket"') and "queueing_ticketevent" in statements[1]
    )
    ticket = Ticket.objects.get(token=response.json()["token"])
    assert ticket.events.get().kind == "issued" and ticket.source == "online" and ticket.status == "waiting"


@pytest.mark.django_db
def test_a_category_switched_off_refuses_tickets_at_once(client) -> None:
    qh = make_queue_hall()
    assert issue(client, qh.hall.code).status_code == 201
    qh.a.is_active = False
    qh.a.save()
    refused = issue(client, qh.hall.code)
    assert refused.status_code == 404 and "category" in refused.json()["errors"]
    qh.a.is_active = True
    qh.a.save()
    assert issue(client, qh.hall.code).status_code == 201


@pytest.mark.django_db
def test_a_change_made_by_another_process_is_seen_on_the_next_issue(client) -> None:
    """Another process's save changes the shared version only (its signal ran there): this
    process still remembers the category, and must read it again."""
    qh = make_queue_hall()
    assert issue(client, qh.hall.code).status_code == 201
    type(qh.a).objects.filter(pk=qh.a.pk).update(is_active=False)  # no signal in this process
    lookups._bump()
    assert issue(client, qh.hall.code).status_code == 404
