"""Opening a window from the dashboard puts a clerk who is there at it, and says what moves
(issue 8): a clerk who is not logged in cannot be put at a window (it would be counted and
estimated for with nobody at it); one serving somebody at another window is not taken away from
them; one at another, idle window moves, that window closes, and the supervisor is told. Every
way a window closes sends the tickets transferred to it back to their queue."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from queueing import services, snapshot
from queueing.models import Ticket, TicketEvent, Window
from queueing.services import QueueError
from servicehall import roles
from servicehall.models import AuditEvent
from tests.queueing.factories import NOW
from tests.servicehall.factories import staff_user

pytestmark = pytest.mark.django_db
MIN = dt.timedelta(minutes=1)
HTMX = {"HX-Request": "true", "HX-Target": "hall-controls"}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def supervisor(qh):
    return staff_user("move-sup", role=roles.SUPERVISOR, hall_=qh.hall)


def open_window(client, qh, window: Window, clerk, **kwargs):
    return client.post(reverse("supervisor-window-open", args=[qh.hall.code, window.pk]), {"clerk": clerk.pk}, **kwargs)


def body(response) -> str:
    return response.content.decode()


def test_a_clerk_who_is_not_logged_in_cannot_be_put_at_a_window(client, qh, supervisor) -> None:
    with pytest.raises(QueueError, match="qh-w3现在没有登录系统，不能安排到窗口") as refused:
        services.window_open(window=qh.window_b, clerk=qh.staff[3], user=supervisor)
    assert (refused.value.code, refused.value.field, refused.value.status) == ("not_logged_in", "clerk", 409)

    client.force_login(supervisor)
    response = open_window(client, qh, qh.window_b, qh.staff[3], headers=HTMX)

    assert response.status_code == 409 and 'role="alert"' in body(response)
    assert "qh-w3现在没有登录系统，不能安排到窗口：请其登录后再开放，或选择已登录的工作人员。" in body(response)
    window = Window.objects.get(pk=qh.window_b.pk)
    assert not window.is_open and window.staff is None
    assert not next(w for w in snapshot.refresh(qh.hall.pk)["windows"] if w["number"] == 3)["is_open"]
    assert not AuditEvent.objects.filter(action="window.open").exists()


def test_a_clerk_who_logged_out_cannot_be_put_at_a_window_again(client, qh, supervisor) -> None:
    browser = Client()
    browser.force_login(qh.staff[3])
    services.window_open(window=qh.window_b, clerk=qh.staff[3], user=supervisor)
    browser.post(reverse("logout"))  # signs the clerk out of window 3, which closes
    assert not Window.objects.get(pk=qh.window_b.pk).is_open

    with pytest.raises(QueueError, match="qh-w3现在没有登录系统"):
        services.window_open(window=qh.window_b, clerk=qh.staff[3], user=supervisor)


def test_the_controls_show_who_is_not_logged_in_and_do_not_offer_them(client, qh, supervisor) -> None:
    Client().force_login(qh.staff[2])
    client.force_login(supervisor)

    page = body(client.get(reverse("supervisor-hall", args=[qh.hall.code]), headers=HTMX))

    assert f'<option value="{qh.staff[2].pk}">qh-w2</option>' in page
    assert f'<option value="{qh.staff[3].pk}" disabled>qh-w3（未登录）</option>' in page


def test_moving_a_clerk_from_an_idle_window_says_what_moves(client, qh, supervisor) -> None:
    qh.sign_in_all(now=NOW - 30 * MIN)
    services.window_close(window=qh.window_b, user=supervisor)
    Client().force_login(qh.staff[2])
    client.force_login(supervisor)

    response = open_window(client, qh, qh.window_b, qh.staff[2], follow=True)

    assert "已开放3号窗口，由qh-w2办理。qh-w2已从2号窗口移至3号窗口，2号窗口已关闭。" in body(response)
    assert not Window.objects.get(pk=qh.window_a.pk).is_open
    audit = AuditEvent.objects.get(action="window.open")
    assert audit.details == {"staff": "qh-w2", "moved_from": 2, "released": []}


def test_moving_a_clerk_sends_the_tickets_transferred_to_their_old_window_back_and_says_so(
    client, qh, supervisor
) -> None:
    qh.sign_in_all(now=NOW - 30 * MIN)
    ticket = services.ticket_issue(hall=qh.hall, category=qh.b, source="kiosk", now=NOW - 20 * MIN).ticket
    services.ticket_call_next(window=qh.window_b, staff=qh.staff[3], now=NOW - 10 * MIN)
    services.ticket_transfer(
        window=qh.window_b, ticket=ticket, staff=qh.staff[3], reason="户政复核", target_window=qh.window_a
    )
    services.window_close(window=qh.window_b, user=supervisor)
    Client().force_login(qh.staff[2])
    client.force_login(supervisor)

    response = open_window(client, qh, qh.window_b, qh.staff[2], headers=HTMX)

    assert response.status_code == 200
    assert "qh-w2已从2号窗口移至3号窗口，2号窗口已关闭。" in body(response)
    assert "转至2号窗口的 B001 已回到原排队类别，保留原排队时间。" in body(response)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.WAITING and ticket.target_window is None
    assert ticket.arrived_at == NOW - 20 * MIN
    assert TicketEvent.objects.filter(ticket=ticket).latest("pk").data["cause"] == "moved"


def test_a_clerk_with_a_ticket_in_hand_is_not_moved_and_the_refusal_names_window_and_ticket(
    client, qh, supervisor
) -> None:
    qh.sign_in_all(now=NOW - 30 * MIN)
    services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk", now=NOW - 5 * MIN)
    services.ticket_call_next(window=qh.window_a, staff=qh.staff[2], now=NOW - 4 * MIN)
    services.window_close(window=qh.window_b, user=supervisor)
    Client().force_login(qh.staff[2])
    client.force_login(supervisor)

    response = open_window(client, qh, qh.window_b, qh.staff[2], headers=HTMX)

    assert response.status_code == 409
    # Only called: the person is on the way, and a no-show is the clerk's other way out.
    assert "qh-w2在2号窗口已叫号 A001，请待其办结、转办或标记过号后再调整。" in body(response)
    assert Window.objects.get(pk=qh.window_a.pk).staff == qh.staff[2]
    assert not Window.objects.get(pk=qh.window_b.pk).is_open

    services.ticket_start(window=qh.window_a, ticket=Ticket.objects.get(number="A001"), staff=qh.staff[2])
    response = open_window(client, qh, qh.window_b, qh.staff[2], headers=HTMX)
    assert response.status_code == 409
    assert "qh-w2正在2号窗口办理 A001，请待其办结或转办后再调整。" in body(response)


@pytest.mark.parametrize("how", ["sign_in", "sign_out", "logout"])
def test_every_way_a_window_closes_sends_the_tickets_transferred_to_it_back(qh, how) -> None:
    qh.sign_in_all(now=NOW - 30 * MIN)
    ticket = services.ticket_issue(hall=qh.hall, category=qh.b, source="kiosk", now=NOW - 20 * MIN).ticket
    services.ticket_call_next(window=qh.window_b, staff=qh.staff[3], now=NOW - 10 * MIN)
    services.ticket_transfer(
        window=qh.window_b, ticket=ticket, staff=qh.staff[3], reason="户政复核", target_window=qh.window_a
    )

    if how == "sign_in":  # window 2's clerk takes another window (window 3, free again)
        services.window_sign_out(window=qh.window_b, staff=qh.staff[3])
        services.window_sign_in(window=qh.window_b, staff=qh.staff[2])
    elif how == "sign_out":
        assert services.window_sign_out(window=qh.window_a, staff=qh.staff[2]).released == ["B001"]
    else:
        assert services.window_leave(staff=qh.staff[2]).released == ["B001"]

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.WAITING and ticket.target_window is None
    # The next window of its queue calls it, keeping its place.
    assert services.ticket_call_next(window=qh.comprehensive, staff=qh.staff[1]) == ticket
