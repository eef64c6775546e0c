"""Races against PostgreSQL with real threads: numbers are never duplicated, no ticket is
called twice. (SQLite serialises writers, so these run where it matters: CI on PostgreSQL.)"""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection

from queueing import services
from queueing.models import QueueCategory, Ticket, TicketEvent, Window
from queueing.services import QueueError
from servicehall import roles
from tests.catalog import factories
from tests.concurrency import in_threads
from tests.markers import needs_postgres
from tests.queueing.factories import NOW, make_queue_hall
from tests.servicehall.factories import staff_user

pytestmark = [
    pytest.mark.postgres,
    needs_postgres,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def test_64_concurrent_issues_get_64_distinct_consecutive_numbers() -> None:
    qh = make_queue_hall()
    results = in_threads(64, lambda k: services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk").ticket.number)
    assert len(set(results)) == 64
    assert sorted(results) == [f"A{n:03d}" for n in range(1, 65)]
    assert Ticket.objects.count() == 64


def test_the_same_person_pressing_twice_at_once_gets_one_ticket() -> None:
    from tests.queueing.factories import id_number

    qh = make_queue_hall()
    person = id_number("19900307")
    results = in_threads(
        8, lambda k: services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk", id_number=person)
    )
    assert len({r.ticket.pk for r in results}) == 1
    assert sum(not r.existing for r in results) == 1
    assert Ticket.objects.count() == 1


def test_8_windows_calling_one_queue_of_200_call_every_ticket_exactly_once() -> None:
    hall = factories.hall(code="RACE")
    category = QueueCategory.objects.create(hall=hall, letter="A", name="综合业务")
    windows = []
    for n in range(1, 9):
        window = Window.objects.create(hall=hall, number=n, kind=Window.Kind.SPECIALISED)
        window.categories.add(category)
        staff = staff_user(f"race{n}", role=roles.WINDOW_STAFF, hall_=hall)
        services.window_sign_in(window=window, staff=staff)
        windows.append((window, staff))
    for _ in range(200):
        services.ticket_issue(hall=hall, category=category, source="kiosk")

    def serve(k: int) -> list[int]:
        window, staff = windows[k]
        called = []
        while True:
            try:
                ticket = services.ticket_call_next(window=window, staff=staff)
            except QueueError as exc:
                assert exc.code == "queue_empty", exc.message
                return called
            called.append(ticket.pk)
            services.ticket_finish(window=window, ticket=ticket, staff=staff)

    per_window = in_threads(8, serve)
    called = [pk for ids in per_window for pk in ids]
    assert len(called) == 200 and len(set(called)) == 200
    assert sum(1 for ids in per_window if ids) >= 2  # the windows really competed
    assert TicketEvent.objects.filter(kind="called").count() == 200
    assert set(Ticket.objects.values_list("status", flat=True)) == {"done"}
    assert connection.vendor == "postgresql"
