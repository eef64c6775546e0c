"""Window actions belong to the clerk signed in at that very window (issue 9 §4): a clerk of the
same hall signed in at window 2 may not call, recall, start, finish, mark a no-show, transfer,
grant the green channel or check a booking in at window 3 (a colleague's) or window 4 (closed),
through the console or the API; each refusal is a 403 that says where they are signed in, and
nothing changes."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from queueing import services
from queueing.console import PANEL_HEADER
from queueing.models import Ticket, TicketEvent
from tests.queueing.factories import NOW

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
TICKET_ACTIONS = ("recall", "start", "finish", "no-show", "transfer")
# Window 2's clerk acting at window 3 (a colleague's) or window 4 (the green channel, closed).
ELSEWHERE_3 = "您已在2号窗口签到，不能操作3号窗口"
ELSEWHERE_4 = "您已在2号窗口签到，不能操作4号窗口"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def scene(qh, clerk):
    """Window 2's clerk is logged in; window 3's colleague has B001 at the window and B002
    waiting; A001 waits for window 2 (and the closed green window 4)."""
    services.window_sign_in(window=qh.window_b, staff=qh.staff[3])
    qh.window_b.refresh_from_db()
    at_3 = services.ticket_issue(hall=qh.hall, category=qh.b, source="kiosk").ticket
    waiting_b = services.ticket_issue(hall=qh.hall, category=qh.b, source="kiosk").ticket
    waiting_a = services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk").ticket
    services.ticket_call_next(window=qh.window_b, staff=qh.staff[3])
    return {"at_3": at_3, "waiting_b": waiting_b, "waiting_a": waiting_a}


def unchanged(*waiting: Ticket) -> None:
    """The waiting tickets still wait, without priority, and window 2's clerk did nothing."""
    for ticket in waiting:
        ticket.refresh_from_db()
        assert (ticket.status, ticket.priority, ticket.window_id) == ("waiting", "", None)
    assert not TicketEvent.objects.filter(staff__username="qh-w2").exists()


def test_the_console_refuses_every_action_at_a_colleagues_window(client, qh, scene) -> None:
    at_3, waiting_b = scene["at_3"], scene["waiting_b"]
    urls = [
        reverse("console-call-next", args=[qh.window_b.pk]),
        reverse("console-ticket-action", args=[qh.window_b.pk, waiting_b.pk, "call"]),
        *(reverse("console-ticket-action", args=[qh.window_b.pk, at_3.pk, name]) for name in TICKET_ACTIONS),
        reverse("console-grant", args=[qh.window_b.pk]),
        reverse("console-check-in", args=[qh.window_b.pk]),
    ]
    data = {"reason": "行动不便", "number": waiting_b.number, "category": qh.a.pk, "lookup": "ABCD2345"}
    for url in urls:
        response = client.post(url, data, headers=HTMX)
        body = response.content.decode()
        assert response.status_code == 403, (url, body[:300])
        assert response[PANEL_HEADER] == "1" and ELSEWHERE_3 in body, url
    at_3.refresh_from_db()
    waiting_b.refresh_from_db()
    assert (at_3.status, at_3.window_id, at_3.call_count) == ("called", qh.window_b.pk, 1)
    assert (waiting_b.status, waiting_b.priority) == ("waiting", "")
    unchanged(scene["waiting_a"])


def test_the_console_refuses_a_closed_window_of_the_hall_with_a_403_naming_the_clerks_window(client, qh, scene) -> None:
    waiting_a = scene["waiting_a"]
    urls = [
        reverse("console-call-next", args=[qh.green.pk]),
        reverse("console-ticket-action", args=[qh.green.pk, waiting_a.pk, "call"]),
        reverse("console-grant", args=[qh.green.pk]),
        reverse("console-check-in", args=[qh.green.pk]),
    ]
    for url in urls:
        response = client.post(url, {"reason": "行动不便", "number": waiting_a.number, "lookup": "X"}, headers=HTMX)
        assert response.status_code == 403, url
        assert ELSEWHERE_4 in response.content.decode(), url
    unchanged(waiting_a)


def test_without_javascript_the_refusal_is_the_message_on_the_console(client, qh, scene) -> None:
    response = client.post(
        reverse("console-grant", args=[qh.window_b.pk]),
        {"reason": "行动不便", "number": scene["waiting_b"].number},
        follow=True,
    )
    assert ELSEWHERE_3 in response.content.decode()
    assert Ticket.objects.get(pk=scene["waiting_b"].pk).priority == ""


def test_the_api_refuses_every_action_at_another_window(client, qh, scene) -> None:
    at_3, waiting_b, waiting_a = scene["at_3"], scene["waiting_b"], scene["waiting_a"]
    requests = [
        (f"/api/v1/windows/{qh.window_b.pk}/call-next/", {}),
        (f"/api/v1/windows/{qh.window_b.pk}/tickets/{waiting_b.pk}/call/", {}),
        *(
            (f"/api/v1/windows/{qh.window_b.pk}/tickets/{at_3.pk}/{name}/", {"reason": "转", "category": "A"})
            for name in TICKET_ACTIONS
        ),
        (f"/api/v1/windows/{qh.window_b.pk}/tickets/{waiting_b.pk}/grant-priority/", {"reason": "行动不便"}),
        (f"/api/v1/windows/{qh.green.pk}/call-next/", {}),
        (f"/api/v1/windows/{qh.green.pk}/tickets/{waiting_a.pk}/call/", {}),
        (f"/api/v1/windows/{qh.green.pk}/tickets/{waiting_a.pk}/grant-priority/", {"reason": "行动不便"}),
    ]
    for url, data in requests:
        response = client.post(url, data, content_type="application/json")
        assert response.status_code == 403, (url, response.content[:300])
        body = response.json()
        assert body["code"] == "signed_in_elsewhere", url
        assert "您已在2号窗口签到" in body["detail"], url
    at_3.refresh_from_db()
    assert (at_3.status, at_3.window_id, at_3.call_count) == ("called", qh.window_b.pk, 1)
    unchanged(waiting_b, waiting_a)


def test_the_clerk_grants_the_green_channel_at_their_own_window(client, qh, scene) -> None:
    waiting_b = scene["waiting_b"]
    response = client.post(
        f"/api/v1/windows/{qh.window_a.pk}/tickets/{waiting_b.pk}/grant-priority/",
        {"reason": "行动不便"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["priority"] == "staff_granted"


def test_a_clerk_signed_in_nowhere_is_told_to_sign_in(client, qh, scene) -> None:
    services.window_sign_out(window=qh.window_a, staff=qh.staff[2])
    response = client.post(
        f"/api/v1/windows/{qh.window_a.pk}/tickets/{scene['waiting_a'].pk}/grant-priority/",
        {"reason": "行动不便"},
        content_type="application/json",
    )
    assert response.status_code == 409 and response.json()["code"] == "window_closed"
    assert Ticket.objects.get(pk=scene["waiting_a"].pk).priority == ""
