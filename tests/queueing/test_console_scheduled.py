"""Checked-in appointments waiting for their slot (issue 8, bug 3): in the console's queue with
when they may be called, counted apart from the tickets the window may call now."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from queueing import selectors, services
from queueing.models import Ticket
from queueing.services import QueueError
from tests.queueing.factories import NOW, id_number

pytestmark = pytest.mark.django_db
MIN = dt.timedelta(minutes=1)
HTMX = {"HX-Request": "true"}
SLOT = NOW + 30 * MIN  # 10:30


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def checked_in(qh, slot=SLOT, k: int = 1, category=None) -> Ticket:
    """What a booking's check-in issues: a Y ticket not called before its slot starts."""
    return services.ticket_issue(
        hall=qh.hall,
        category=category or qh.a,
        source="appointment",
        priority="appointment",
        not_before=slot,
        id_number=id_number("19900307", seq=f"{k:03d}"),
        require_open=False,
    ).ticket


def test_the_console_shows_a_checked_in_appointment_with_when_it_may_be_called(client, qh, clerk) -> None:
    checked_in(qh)
    body = client.get("/staff/").content.decode()
    assert "等候中（0 人）" in body and "暂无可叫的号码。" in body
    assert "已签到预约，未到叫号时间（1 人）" in body
    scheduled = body.split('id="scheduled-heading"')[1]
    assert '<th scope="row">YA001</th>' in scheduled and "10:30 起可叫" in scheduled and "10:00" in scheduled


def test_they_are_counted_apart_from_the_callable_ones(client, qh, clerk) -> None:
    services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk")
    checked_in(qh, k=1)
    checked_in(qh, slot=NOW + 60 * MIN, k=2)
    console = selectors.console(window=qh.window_a, now=NOW)
    assert console.waiting_total == 1 and [t.number for t in console.upcoming] == ["A001"]
    assert console.scheduled_total == 2 and [t.number for t in console.scheduled] == ["YA002", "YA003"]
    assert console.per_category == [("A", "户政业务", 1)]
    body = client.get(reverse("console-panel", args=[qh.window_a.pk]) + "?part=queue", headers=HTMX).content
    text = body.decode()
    assert "等候中（1 人）" in text and "A 户政业务：1" in text and "已签到预约，未到叫号时间（2 人）" in text
    assert "11:00 起可叫" in text


def test_only_the_queues_the_window_calls(client, qh, clerk) -> None:
    checked_in(qh, category=qh.b)
    console = selectors.console(window=qh.window_a, now=NOW)
    assert console.scheduled_total == 0 and console.scheduled == []
    assert selectors.console(window=qh.window_b, now=NOW).scheduled_total == 1


def test_calling_next_before_the_slot_says_when(client, qh, clerk) -> None:
    checked_in(qh)
    with pytest.raises(QueueError, match="当前没有可叫的号码；已签到的预约 YA001 10:30 起可叫。"):
        services.ticket_call_next(window=qh.window_a, staff=clerk, now=NOW)
    response = client.post(reverse("console-call-next", args=[qh.window_a.pk]), headers=HTMX)
    assert response.status_code == 409 and "已签到的预约 YA001 10:30 起可叫" in response.content.decode()


def test_from_the_slots_start_it_is_in_the_callable_queue(client, qh, clerk, clock) -> None:
    checked_in(qh)
    clock.move_to(SLOT)
    console = selectors.console(window=qh.window_a, now=SLOT)
    assert console.waiting_total == 1 and console.scheduled_total == 0
    assert services.ticket_call_next(window=qh.window_a, staff=clerk).number == "YA001"


def test_console_queue_with_appointments_not_yet_callable_costs_the_same_queries(client, qh, clerk) -> None:
    url = reverse("console-panel", args=[qh.window_a.pk]) + "?part=queue"

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, headers=HTMX).status_code == 200
        return len(ctx.captured_queries)

    services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk")
    checked_in(qh)
    count()  # the hall's settings are remembered for half a minute after the first request
    small = count()
    Ticket.objects.bulk_create(
        Ticket(
            hall=qh.hall,
            category=qh.a if k % 3 else qh.b,
            service_date=NOW.date(),
            sequence=100 + k,
            number=f"{'Y' if k % 2 else ''}A{100 + k}",
            token=f"s{k}",
            source="appointment" if k % 2 else "kiosk",
            priority="appointment" if k % 2 else "",
            not_before=NOW + (30 + k % 4 * 30) * MIN if k % 2 else None,
            issued_at=NOW,
            arrived_at=NOW,
        )
        for k in range(400)
    )
    assert selectors.console(window=qh.window_a, now=NOW).scheduled_total > 100
    assert count() == small
