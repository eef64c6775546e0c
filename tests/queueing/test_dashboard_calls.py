"""叫号数 (calls) on the hall page: a call counts at the window, for the staff member and in the hour
where it was made, whatever became of the ticket afterwards (walkthrough: a clerk who called 5
tickets had 3 in her window's row and the hourly row 4 after 6 calls, the transferred tickets'
calls left out). Window, staff and hourly rows add up to the same calls; announcing the ticket
again (重新叫号) is not another call. The page says so."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from queueing import dashboard, services
from queueing.models import TicketEvent
from servicehall import roles
from servicehall.clock import SHANGHAI
from tests.servicehall.factories import staff_user

pytestmark = pytest.mark.django_db


def at(hour: int, minute: int) -> dt.datetime:
    return dt.datetime(2026, 11, 26, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def day(qh):
    """Window 2 (queue A, clerk w2) calls A1 at 10:05 and transfers it to queue B, calls A2 at
    10:20 (no-show) and A3 at 11:10 (served); window 3 (queue B, clerk w3) calls A1 at 11:05,
    announces it again at 11:07 (not a call) and serves it. Four calls: window 2 three, window 3
    one; clerk w2 three, w3 one; 10:00–11:00 two, 11:00–12:00 two."""
    qh.sign_in_all(now=at(9, 0))
    w2, w3 = qh.staff[2], qh.staff[3]

    def issue(moment):
        return services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk", now=moment).ticket

    a1, a2, a3 = issue(at(10, 0)), issue(at(10, 1)), issue(at(10, 2))
    assert services.ticket_call_next(window=qh.window_a, staff=w2, now=at(10, 5)) == a1
    services.ticket_transfer(window=qh.window_a, ticket=a1, staff=w2, reason="社保业务", category=qh.b, now=at(10, 8))
    assert services.ticket_call_next(window=qh.window_a, staff=w2, now=at(10, 20)) == a2
    services.ticket_no_show(window=qh.window_a, ticket=a2, staff=w2, now=at(10, 30))
    assert services.ticket_call_next(window=qh.window_b, staff=w3, now=at(11, 5)) == a1
    services.ticket_recall(window=qh.window_b, ticket=a1, staff=w3, now=at(11, 7))
    services.ticket_finish(window=qh.window_b, ticket=a1, staff=w3, now=at(11, 20))
    assert services.ticket_call_next(window=qh.window_a, staff=w2, now=at(11, 10)) == a3
    services.ticket_finish(window=qh.window_a, ticket=a3, staff=w2, now=at(11, 25))
    return qh


def test_calls_count_where_and_when_they_were_made(day) -> None:
    live = dashboard.hall_live(hall=day.hall, now=at(11, 30))
    windows = {row.window.number: row.figures.calls for row in live.windows}
    assert windows == {1: 0, 2: 3, 3: 1, 4: 0}
    clerks = {row.user_id: row.figures.calls for row in live.clerks}
    assert clerks[day.staff[2].pk] == 3 and clerks[day.staff[3].pk] == 1
    hours = {row.hour: row.calls for row in live.hours}
    assert hours[10] == 2 and hours[11] == 2
    called = TicketEvent.objects.filter(kind=TicketEvent.Kind.CALLED).count()
    assert sum(windows.values()) == sum(clerks.values()) == sum(hours.values()) == called == 4
    # What came of the tickets stays with the ticket: A1's wait ended with its last call (11:05),
    # window 2 finished one and had one no-show, window 3 finished A1.
    row = {row.window.number: row for row in live.windows}
    assert (row[2].figures.served, row[2].figures.no_show, row[3].figures.served) == (1, 1, 1)
    assert {row.hour: row.waited for row in live.hours}[11] == 2


def test_a_clerk_who_transferred_every_ticket_still_has_her_calls(qh) -> None:
    qh.sign_in_all(now=at(9, 0))
    ticket = services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk", now=at(10, 0)).ticket
    services.ticket_call_next(window=qh.window_a, staff=qh.staff[2], now=at(10, 5))
    services.ticket_transfer(
        window=qh.window_a, ticket=ticket, staff=qh.staff[2], reason="社保业务", category=qh.b, now=at(10, 8)
    )
    # Her window closes: she is listed by her calls, not only while signed in.
    services.window_sign_out(window=qh.window_a, staff=qh.staff[2], now=at(10, 10))
    live = dashboard.hall_live(hall=qh.hall, now=at(10, 30))
    assert {row.user_id: row.figures.calls for row in live.clerks}.get(qh.staff[2].pk) == 1


def test_the_page_shows_the_calls_and_says_what_they_are(client, day) -> None:
    supervisor = staff_user("hall-sup", role=roles.SUPERVISOR, hall_=day.hall)
    client.force_login(supervisor)
    with time_machine.travel(at(11, 30), tick=False):
        body = client.get(reverse("supervisor-hall", args=[day.hall.code])).content.decode()
    definition = "每次把号码叫到窗口计一次，计入叫号所在的窗口、工作人员和时段"
    assert body.count(f'<abbr title="{definition}') == 3
    assert "重复呼叫同一号码不另计" in body
