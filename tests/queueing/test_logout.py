"""Logging out signs the clerk out of their window (issue 8, "Clerks"): the window closes, the
ticket at it goes back to waiting with its arrival time, the sign-out is audited."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from queueing import services
from queueing.models import Ticket, TicketEvent, Window
from servicehall.models import AuditEvent
from tests.queueing.factories import NOW

pytestmark = pytest.mark.django_db
MIN = dt.timedelta(minutes=1)
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def issue(qh, at=NOW) -> Ticket:
    return services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk", now=at).ticket


def log_out(client):
    return client.post(reverse("logout"))


def test_logging_out_closes_the_window_and_is_audited(client, qh, clerk) -> None:
    response = log_out(client)
    assert response.status_code == 302 and SESSION_KEY not in client.session
    window = Window.objects.get(pk=qh.window_a.pk)
    assert (window.is_open, window.staff_id, window.signed_in_at) == (False, None, None)
    audit = AuditEvent.objects.get(action="window.sign_out")
    assert audit.actor == clerk and audit.target_id == str(window.pk)
    assert audit.details == {"cause": "logout", "returned": None}


def test_the_window_is_free_for_a_colleague_and_the_clerk_starts_from_the_window_list(client, qh, clerk) -> None:
    log_out(client)
    services.window_sign_in(window=qh.window_a, staff=qh.staff[1])
    client.force_login(clerk)
    assert "选择窗口签到" in client.get("/staff/").content.decode()


def test_a_called_ticket_goes_back_to_waiting_keeping_its_arrival(client, qh, clerk) -> None:
    first = issue(qh, at=NOW - 20 * MIN)
    later = issue(qh, at=NOW - 5 * MIN)
    assert services.ticket_call_next(window=qh.window_a, staff=clerk) == first

    log_out(client)

    first.refresh_from_db()
    assert (first.status, first.window_id, first.called_at) == ("waiting", None, None)
    assert first.arrived_at == NOW - 20 * MIN and first.call_count == 1 and first.transfer_count == 0
    event = TicketEvent.objects.filter(ticket=first).latest("pk")
    assert event.kind == "transferred" and event.staff == clerk and event.window_id == qh.window_a.pk
    assert event.reason == "工作人员退出登录，号码退回等候"
    assert event.data == {
        "from_category": "A",
        "to_category": "A",
        "to_window": None,
        "returned_from": "called",
        "cause": "logout",
    }
    assert AuditEvent.objects.get(action="window.sign_out").details["returned"] == first.number
    # The next window of its queue calls it before the people who came after it.
    services.window_sign_in(window=qh.comprehensive, staff=qh.staff[1])
    assert services.ticket_call_next(window=qh.comprehensive, staff=qh.staff[1]) == first
    assert Ticket.objects.get(pk=later.pk).status == "waiting"


def test_a_ticket_being_served_goes_back_to_waiting_too(client, qh, clerk) -> None:
    ticket = issue(qh)
    services.ticket_call_next(window=qh.window_a, staff=clerk)
    services.ticket_start(window=qh.window_a, ticket=ticket, staff=clerk)

    log_out(client)

    ticket.refresh_from_db()
    assert (ticket.status, ticket.window_id, ticket.started_at, ticket.finished_at) == ("waiting", None, None, None)
    assert TicketEvent.objects.filter(ticket=ticket).latest("pk").data["returned_from"] == "serving"


def test_a_ticket_transferred_to_this_window_is_released_to_its_queue(client, qh, clerk) -> None:
    ticket = issue(qh)
    services.window_sign_in(window=qh.comprehensive, staff=qh.staff[1])
    services.ticket_call_next(window=qh.comprehensive, staff=qh.staff[1])
    services.ticket_transfer(
        window=qh.comprehensive, ticket=ticket, staff=qh.staff[1], reason="专业窗口", target_window=qh.window_a
    )
    services.ticket_call_next(window=qh.window_a, staff=clerk)

    log_out(client)

    ticket.refresh_from_db()
    assert ticket.status == "waiting" and ticket.target_window_id is None  # window 2 is closed now


def test_logging_out_away_from_any_window_changes_nothing(client, qh) -> None:
    client.force_login(qh.staff[3])
    assert log_out(client).status_code == 302
    assert not AuditEvent.objects.filter(action="window.sign_out").exists()
    assert Window.objects.filter(is_open=True).count() == 0


def test_the_service_alone(qh, clerk) -> None:
    assert services.window_leave(staff=qh.staff[3]) is None
    ticket = issue(qh)
    services.ticket_call_next(window=qh.window_a, staff=clerk)
    left = services.window_leave(staff=clerk, now=NOW + MIN)
    assert left is not None and left.window.pk == qh.window_a.pk and not left.window.is_open
    assert left.returned is not None and left.returned.pk == ticket.pk and left.returned.status == "waiting"


def test_the_console_offers_logging_out_and_says_what_it_does(client, qh, clerk) -> None:
    body = client.get("/staff/").content.decode()
    assert f'action="{reverse("console-log-out")}"' in body and "退出登录" in body
    assert "签退或退出登录都会关闭本窗口；如有号码尚未办结，会先请您确认，该号码回到队列，保留原取号时间。" in body
