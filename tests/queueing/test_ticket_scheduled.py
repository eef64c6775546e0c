"""A checked-in appointment whose slot has not started is not among "the people ahead" on the
ticket page and in its API (issue 8, h1 §2): no window may call it yet
(``queueing.services.callable_tickets``), so it is counted apart, with the time the first of
them may be called; the appointment's own page says when its slot starts."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from queueing import services, snapshot
from queueing.models import Ticket
from tests.queueing.factories import NOW

pytestmark = pytest.mark.django_db(transaction=True)
MIN = dt.timedelta(minutes=1)
SLOT = NOW + 30 * MIN  # 10:30


@pytest.fixture(autouse=True)
def clock():
    cache.clear()
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def text(response) -> str:
    return response.content.decode()


def normal(qh, minutes: int) -> Ticket:
    return services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk", now=NOW - minutes * MIN).ticket


def appointment(qh, minutes: int, slot: dt.datetime = SLOT) -> Ticket:
    """A checked-in appointment's ticket (what ``booking_check_in`` issues): priority Y, not
    callable before its slot starts."""
    return services.ticket_issue(
        hall=qh.hall,
        category=qh.a,
        source=Ticket.Source.APPOINTMENT,
        priority=Ticket.Priority.APPOINTMENT,
        not_before=slot,
        require_open=False,
        now=NOW - minutes * MIN,
    ).ticket


@pytest.fixture
def queue(qh):
    """Queue A at 10:00: a normal ticket, two appointments for 10:30 and 10:45 (ranked before
    every normal ticket by the call order), and the ticket we follow."""
    qh.sign_in_all()
    first = normal(qh, 20)
    appointment(qh, 15)
    appointment(qh, 10, slot=NOW + 45 * MIN)
    mine = normal(qh, 5)
    return first, mine


def test_the_ticket_page_does_not_count_appointments_not_callable_yet(client, qh, queue) -> None:
    _first, mine = queue
    # What a window would do now: call the first normal ticket, then ours; not the appointments.
    assert list(services.callable_tickets(window=qh.window_a, now=NOW)) == [_first, mine]

    body = text(client.get(reverse("queue-ticket", args=[mine.token])))

    assert "前面还有 1 人" in body and "前面还有 3 人" not in body
    assert "另有 2 位已签到的预约人将于 10:30 起优先办理（未计入前面等候人数）。" in body
    assert "即将叫号" in body  # one ahead, three windows serve A, none busy: called at once (issue 14)


def test_once_the_slot_starts_the_appointment_is_ahead_again(client, qh, queue, clock) -> None:
    _first, mine = queue
    clock.move_to(SLOT + MIN)  # 10:31: the 10:30 appointment may be called, the 10:45 one not yet

    body = text(client.get(reverse("queue-ticket", args=[mine.token])))

    assert "前面还有 2 人" in body
    assert "另有 1 位已签到的预约人将于 10:45 起优先办理" in body


def test_the_api_gives_the_same_count_and_the_appointments_apart(client, qh, queue) -> None:
    _first, mine = queue
    status = client.get(f"/api/v1/tickets/{mine.token}/").json()
    assert status["people_ahead"] == 1 and status["estimated_wait_minutes"] == 0  # windows free: at once
    assert status["scheduled_ahead"] == 2
    assert dt.datetime.fromisoformat(status["scheduled_from"]) == SLOT
    assert status["callable_from"] is None


def test_the_appointment_itself_says_when_its_slot_starts(client, qh) -> None:
    qh.sign_in_all()
    mine = appointment(qh, 5)

    body = text(client.get(reverse("queue-ticket", args=[mine.token])))
    status = client.get(f"/api/v1/tickets/{mine.token}/").json()

    assert "您的预约时段 10:30 开始，届时优先叫号。" in body and "您前面已没有人" not in body
    assert "约 30 分钟" in body  # not "about to be called": no window may call it before 10:30
    assert status["people_ahead"] == 0 and status["estimated_wait_minutes"] == 30
    assert dt.datetime.fromisoformat(status["callable_from"]) == SLOT


def test_the_ticket_page_still_reads_one_row_and_the_cached_snapshot(
    client, qh, queue, django_assert_num_queries
) -> None:
    _first, mine = queue
    snapshot.get(qh.hall.code)
    # The ticket's row, and the urgent request of cases' TICKET_PAGE part or whether one may be
    # asked (drawn on the page's load, never on its polls): three, however many tickets wait.
    with django_assert_num_queries(3):
        body = text(client.get(reverse("queue-ticket", args=[mine.token])))
    assert "前面还有 1 人" in body
    with django_assert_num_queries(1):
        client.get(f"/api/v1/tickets/{mine.token}/")
