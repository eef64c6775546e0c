"""The window console pages: sign in, call, serve, transfer, grant; scope of hall and role."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from queueing import services
from queueing.models import Ticket, Window
from servicehall import roles
from tests.queueing.factories import NOW, make_queue_hall
from tests.servicehall.factories import staff_user

pytestmark = pytest.mark.django_db
MIN = dt.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def staff_client(client, qh):
    client.force_login(qh.staff[2])
    return client


def issue(qh, category=None):
    return services.ticket_issue(hall=qh.hall, category=category or qh.a, source="kiosk").ticket


def test_staff_home_lists_the_windows_of_their_hall(staff_client, qh) -> None:
    body = staff_client.get("/staff/").content.decode()
    assert "选择窗口签到" in body and "2号窗口" in body and "综合窗口" in body


def test_sign_in_then_the_console_shows_the_queue(staff_client, qh) -> None:
    issue(qh)
    response = staff_client.post(reverse("console-sign-in", args=[qh.window_a.pk]))
    assert response.status_code == 302
    body = staff_client.get("/staff/").content.decode()
    assert "2号窗口" in body and "叫下一号" in body and "A001" in body
    assert 'data-shortcut="n"' in body and "console.js" in body


def test_call_serve_and_finish_through_the_console(staff_client, qh) -> None:
    ticket = issue(qh)
    staff_client.post(reverse("console-sign-in", args=[qh.window_a.pk]))
    response = staff_client.post(reverse("console-call-next", args=[qh.window_a.pk]), headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="console-panel"') and "已叫号：A001" in body and "开始办理" in body
    for action, status in (("recall", "called"), ("start", "serving"), ("finish", "done")):
        url = reverse("console-ticket-action", args=[qh.window_a.pk, ticket.pk, action])
        assert staff_client.post(url, headers={"HX-Request": "true"}).status_code == 200
        assert Ticket.objects.get(pk=ticket.pk).status == status


def test_without_javascript_actions_redirect_back_with_a_message(staff_client, qh) -> None:
    issue(qh)
    staff_client.post(reverse("console-sign-in", args=[qh.window_a.pk]))
    response = staff_client.post(reverse("console-call-next", args=[qh.window_a.pk]), follow=True)
    assert "已叫号：A001" in response.content.decode()


def test_errors_come_back_with_their_status(staff_client, qh) -> None:
    staff_client.post(reverse("console-sign-in", args=[qh.window_a.pk]))
    response = staff_client.post(reverse("console-call-next", args=[qh.window_a.pk]), headers={"HX-Request": "true"})
    assert response.status_code == 409 and "当前没有等候的号码" in response.content.decode()


def test_transfer_form_validation_and_transfer(staff_client, qh) -> None:
    ticket = issue(qh)
    staff_client.post(reverse("console-sign-in", args=[qh.window_a.pk]))
    staff_client.post(reverse("console-call-next", args=[qh.window_a.pk]), headers={"HX-Request": "true"})
    url = reverse("console-ticket-action", args=[qh.window_a.pk, ticket.pk, "transfer"])
    bad = staff_client.post(url, {"reason": ""}, headers={"HX-Request": "true"})
    assert bad.status_code == 400 and "二选一" in bad.content.decode()
    good = staff_client.post(
        url, {"category": qh.b.pk, "reason": "社保", "confirm_unserved": "1"}, headers={"HX-Request": "true"}
    )
    assert good.status_code == 200 and "已转办：A001" in good.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).category == qh.b


def test_grant_priority_by_number(staff_client, qh) -> None:
    ticket = issue(qh)
    staff_client.post(reverse("console-sign-in", args=[qh.window_a.pk]))
    url = reverse("console-grant", args=[qh.window_a.pk])
    missing = staff_client.post(url, {"number": "A999", "reason": "行动不便"}, headers={"HX-Request": "true"})
    assert missing.status_code == 400 and "没有这个等候中的号码" in missing.content.decode()
    ok = staff_client.post(url, {"number": "a001", "reason": "行动不便"}, headers={"HX-Request": "true"})
    assert ok.status_code == 200 and Ticket.objects.get(pk=ticket.pk).priority == "staff_granted"


def test_staff_of_another_hall_cannot_act_on_these_windows(client, qh) -> None:
    other = make_queue_hall("OT")
    client.force_login(other.staff[2])
    issue(qh)
    assert client.post(reverse("console-sign-in", args=[qh.window_a.pk])).status_code == 403
    services.window_sign_in(window=qh.window_a, staff=qh.staff[2])
    assert client.post(reverse("console-call-next", args=[qh.window_a.pk])).status_code == 403
    assert client.get(reverse("console-panel", args=[qh.window_a.pk])).status_code == 403
    assert Ticket.objects.get().status == "waiting"


def test_a_supervisor_has_no_counter_but_a_link_to_the_dashboard(client, qh) -> None:
    supervisor = staff_user("sup", role=roles.SUPERVISOR)
    client.force_login(supervisor)
    body = client.get("/staff/").content.decode()
    assert "选择窗口签到" not in body and "/supervisor/" in body
    assert client.post(reverse("console-sign-in", args=[qh.window_a.pk])).status_code == 403


def test_the_console_masks_the_citizens_id_number(staff_client, qh) -> None:
    from tests.queueing.factories import id_number

    person = id_number("19900307")
    services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk", id_number=person)
    staff_client.post(reverse("console-sign-in", args=[qh.window_a.pk]))
    body = staff_client.post(reverse("console-call-next", args=[qh.window_a.pk]), follow=True).content.decode()
    assert person not in body and person[:4] + "**********" + person[-4:] in body


def test_console_queue_query_count_is_constant(staff_client, qh) -> None:
    staff_client.post(reverse("console-sign-in", args=[qh.window_a.pk]))
    url = reverse("console-panel", args=[qh.window_a.pk]) + "?part=queue"

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert staff_client.get(url, headers={"HX-Request": "true"}).status_code == 200
        return len(ctx.captured_queries)

    for _ in range(5):
        issue(qh)
    small = count()
    Ticket.objects.bulk_create(
        Ticket(
            hall=qh.hall,
            category=qh.a,
            service_date=NOW.date(),
            sequence=100 + k,
            number=f"A{100 + k}",
            token=f"t{k}",
            source="kiosk",
            issued_at=NOW,
            arrived_at=NOW,
        )
        for k in range(500)
    )
    assert count() == small


def test_anonymous_users_are_sent_to_login(client, qh) -> None:
    response = client.get("/staff/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert Window.objects.count() == 4


def test_the_console_counts_the_waiting_per_queue_it_calls(staff_client, qh) -> None:
    issue(qh)
    issue(qh)
    issue(qh, qh.b)
    staff_client.post(reverse("console-sign-in", args=[qh.window_a.pk]))
    body = staff_client.get("/staff/").content.decode()
    assert (
        "等候中（2 人）" in body and "A 户政业务：2" in body and "社保业务" not in body.split("per-category")[1][:200]
    )


def test_the_page_of_a_window_not_signed_in_offers_to_sign_in_and_no_actions(staff_client, qh) -> None:
    """Walkthrough: /staff/windows/<pk>/ of a window the clerk was not signed in at showed the
    whole console, whose every button answered 409 "该窗口未开放，请先签到"."""
    issue(qh)
    url = reverse("console-panel", args=[qh.window_a.pk])

    body = staff_client.get(url).content.decode()

    assert "您未在本窗口签到" in body
    assert reverse("console-sign-in", args=[qh.window_a.pk]) in body and reverse("staff-home") in body
    for action in ("签退并关闭窗口", "叫下一号", "console-call-next", "call-next/"):
        assert action not in body
    # An old tab polling after the clerk signed out is told the same, in the panel's place.
    polled = staff_client.get(url + "?part=queue", headers={"HX-Request": "true"})
    text = polled.content.decode()
    assert "您未在本窗口签到" in text and "call-next/" not in text
    assert polled["HX-Retarget"] == "#console-panel" and polled["HX-Reswap"] == "outerHTML"


def test_a_window_taken_by_a_colleague_offers_no_sign_in(staff_client, qh) -> None:
    services.window_sign_in(window=qh.window_a, staff=qh.staff[1])

    body = staff_client.get(reverse("console-panel", args=[qh.window_a.pk])).content.decode()

    assert "您未在本窗口签到" in body and reverse("console-sign-in", args=[qh.window_a.pk]) not in body
    assert "call-next/" not in body


def test_the_page_of_the_window_signed_in_at_is_the_console(staff_client, qh) -> None:
    staff_client.post(reverse("console-sign-in", args=[qh.window_a.pk]))

    body = staff_client.get(reverse("console-panel", args=[qh.window_a.pk])).content.decode()

    assert "您未在本窗口签到" not in body and "call-next/" in body


def test_signed_in_at_a_window_the_rest_of_the_workbench_stays_in_reach(client, clerk, qh) -> None:
    # A walkthrough found the clerk at the "办不成事" window with no way to the report form nor to
    # their own record while signed in: the page (not the polled panel) keeps the workbench.
    page = client.get("/staff/")
    assert page.status_code == 200
    assert b"console-more" in page.content
    assert b'href="/staff/me/"' in page.content
    assert b'href="/staff/reports/new/"' in page.content
    poll = client.get(f"/staff/windows/{qh.window_a.pk}/", headers={"HX-Request": "true"})
    assert poll.status_code == 200
    assert b"console-more" not in poll.content


def test_staff_home_calls_a_closed_window_not_open_as_the_dashboard_does(staff_client, qh) -> None:
    """A window nobody is signed in at is closed: 未开放 (as on the supervisor's dashboard), not 空闲."""
    services.window_sign_in(window=qh.window_b, staff=qh.staff[3])
    Window.objects.filter(pk=qh.green.pk).update(is_open=True)  # open with nobody at it: idle
    body = staff_client.get("/staff/").content.decode()
    rows = {n: body.split(f"{n}号窗口</th>")[1].split("</tr>")[0] for n in (2, 3, 4)}
    assert "未开放" in rows[2] and "空闲" not in rows[2]
    assert "已签到" in rows[3] and "未开放" not in rows[3]
    assert "空闲" in rows[4] and "未开放" not in rows[4]
