"""Assistance for a walk-in (帮办代办、陪同办, Art. 10 ¶1): the clerk at the window opens a request
for the ticket they called or serve (console form and API), with bad input refused field by field
and a second open request refused; and the supervisors' hall dashboard counts today's requests."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from queueing import services
from queueing.models import AssistanceRequest, Ticket
from servicehall import memo, roles
from servicehall.models import AuditEvent
from tests.queueing.factories import NOW
from tests.servicehall.factories import staff_user

pytestmark = pytest.mark.django_db(transaction=True)
HX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def clock():
    cache.clear()
    memo.forget()
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _called(qh) -> Ticket:
    """A walk-in without an ID number, called at window 2 by its signed-in clerk."""
    services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk", now=NOW)
    return services.ticket_call_next(window=qh.window_a, staff=qh.staff[2], now=NOW)


def _url(qh, ticket: Ticket) -> str:
    return reverse("console-assistance", args=[qh.window_a.pk, ticket.pk])


def _current(response) -> str:
    return response.content.decode().split('id="current-heading"')[1].split("</section>")[0]


# --- The window console ------------------------------------------------------------------------


def test_the_clerk_opens_a_request_for_the_called_walk_in(client, qh, clerk) -> None:
    ticket = _called(qh)
    assert "为该群众申请帮办/陪同" in _current(client.get(reverse("staff-home")))

    no_kind = client.post(_url(qh, ticket), {"assist-reason": "elderly"}, headers=HX)
    assert no_kind.status_code == 400
    assert "请选择服务类型：陪同办或帮办代办。" in _current(no_kind)
    no_note = client.post(_url(qh, ticket), {"assist-kind": "proxy", "assist-reason": "other"}, headers=HX)
    assert no_note.status_code == 400
    assert "原因选择“其他”时，请简要说明需要协助的情况。" in _current(no_note)
    bad_reason = client.post(_url(qh, ticket), {"assist-kind": "proxy", "assist-reason": "tired"}, headers=HX)
    assert bad_reason.status_code == 400 and "请选择原因" in _current(bad_reason)
    assert not AssistanceRequest.objects.exists()
    assert not AuditEvent.objects.filter(action="assistance.window_request").exists()

    done = client.post(
        _url(qh, ticket), {"assist-kind": "accompany", "assist-reason": "other", "assist-note": "听力障碍"}, headers=HX
    )
    assert done.status_code == 200
    request = AssistanceRequest.objects.get()
    assert (request.ticket, request.source, request.kind, request.reason, request.note, request.status) == (
        ticket,
        "window",
        "accompany",
        "other",
        "听力障碍",
        "requested",
    )
    assert request.hall == qh.hall and request.requested_at == NOW
    current = _current(done)
    assert "需陪同办理" in current and "为该群众申请帮办/陪同" not in current
    audit = AuditEvent.objects.get(action="assistance.window_request")
    assert audit.actor == qh.staff[2] and audit.details["ticket"] == ticket.number
    # It is on the hall's assistance desk.
    assert ticket.number in client.get(reverse("assistance-desk")).content.decode()

    again = client.post(_url(qh, ticket), {"assist-kind": "proxy", "assist-reason": "elderly"}, headers=HX)
    assert again.status_code == 409
    assert f"{ticket.number} 已有未完成的帮办代办请求，不能重复申请。" in again.content.decode()
    assert AssistanceRequest.objects.count() == 1


def test_without_htmx_the_console_says_it_as_a_message(client, qh, clerk) -> None:
    ticket = _called(qh)
    response = client.post(_url(qh, ticket), {"assist-kind": "proxy"}, follow=True)
    assert "请选择原因：高龄、残疾、行动不便或其他。" in response.content.decode()
    assert not AssistanceRequest.objects.exists()
    response = client.post(_url(qh, ticket), {"assist-kind": "proxy", "assist-reason": "mobility"}, follow=True)
    assert "帮办代办台将安排人员协助" in response.content.decode()
    assert AssistanceRequest.objects.get().kind == "proxy"


def test_only_the_clerk_signed_in_at_the_ticket_window(client, qh, clerk) -> None:
    ticket = _called(qh)
    data = {"assist-kind": "proxy", "assist-reason": "elderly"}
    # A colleague signed in at another window of the hall is refused.
    services.window_sign_in(window=qh.window_b, staff=qh.staff[3], now=NOW)
    client.force_login(qh.staff[3])
    assert client.post(_url(qh, ticket), data, headers=HX).status_code == 403
    # Their own window does not serve that ticket.
    other_url = reverse("console-assistance", args=[qh.window_b.pk, ticket.pk])
    assert client.post(other_url, data, headers=HX).status_code == 409
    assert not AssistanceRequest.objects.exists()


def test_a_waiting_ticket_is_not_the_window_walk_in(client, qh, clerk) -> None:
    waiting = services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk", now=NOW).ticket
    response = client.post(_url(qh, waiting), {"assist-kind": "proxy", "assist-reason": "elderly"}, headers=HX)
    assert response.status_code == 409
    assert "只能为本窗口已叫号或正在办理的群众申请帮办代办。" in response.content.decode()
    assert not AssistanceRequest.objects.exists()


def test_the_form_is_offered_while_serving_and_not_with_an_open_request(client, qh, clerk) -> None:
    ticket = _called(qh)
    services.ticket_start(window=qh.window_a, ticket=ticket, staff=qh.staff[2], now=NOW)
    assert "为该群众申请帮办/陪同" in _current(client.get(reverse("staff-home")))
    wish = services.assistance_wish(kind="proxy", reason="elderly")
    services.assistance_request(hall=qh.hall, wish=wish, source="kiosk", ticket=ticket)
    assert "为该群众申请帮办/陪同" not in _current(client.get(reverse("staff-home")))


# --- The API -------------------------------------------------------------------------------------


def test_the_api_opens_a_request_for_the_ticket_at_my_window(client, qh, clerk) -> None:
    ticket = _called(qh)
    url = reverse("api:window-ticket-assistance", args=[qh.window_a.pk, ticket.pk])

    bad = client.post(url, {"kind": "fly", "reason": "elderly"}, content_type="application/json")
    assert bad.status_code == 400
    assert bad.json()["errors"]["kind"] == ["请选择服务类型：陪同办或帮办代办。"]
    no_note = client.post(url, {"kind": "proxy", "reason": "other"}, content_type="application/json")
    assert no_note.status_code == 400
    assert no_note.json()["errors"]["note"] == ["原因选择“其他”时，请简要说明需要协助的情况。"]
    assert not AssistanceRequest.objects.exists()

    created = client.post(url, {"kind": "proxy", "reason": "disabled"}, content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    assert (body["ticket"], body["source"], body["kind"], body["status"]) == (
        ticket.number,
        "window",
        "proxy",
        "requested",
    )
    again = client.post(url, {"kind": "accompany", "reason": "elderly"}, content_type="application/json")
    assert again.status_code == 409
    assert "已有未完成的帮办代办请求" in again.content.decode()
    assert AssistanceRequest.objects.count() == 1

    client.force_login(qh.staff[3])
    assert client.post(url, {"kind": "proxy", "reason": "disabled"}, content_type="application/json").status_code == 403
    client.logout()
    assert client.post(url, {"kind": "proxy", "reason": "disabled"}, content_type="application/json").status_code in (
        401,
        403,
    )

    schema = client.get(reverse("api-schema"))
    assert schema.status_code == 200
    assert "/api/v1/windows/{id}/tickets/{ticket_pk}/assistance/:" in schema.content.decode()


# --- The supervisors' hall dashboard ---------------------------------------------------------


def _requests(qh, n: int, *, status: str = "requested", day: dt.date | None = None) -> None:
    day = day or NOW.date()
    AssistanceRequest.objects.bulk_create(
        AssistanceRequest(
            hall=qh.hall,
            service_date=day,
            source="kiosk",
            kind="proxy",
            reason="elderly",
            status=status,
            requested_at=NOW,
            helper=None if status in ("requested", "cancelled") else qh.staff[4],
            assigned_at=None if status in ("requested", "cancelled") else NOW,
        )
        for _ in range(n)
    )


def _assistance_kpi(response) -> str:
    return response.content.decode().split('class="kpi kpi-assistance"')[1].split("</div>")[0]


@pytest.fixture
def hall_supervisor(client, qh):
    user = staff_user("hall-sup", role=roles.SUPERVISOR, hall_=qh.hall)
    client.force_login(user)
    return user


def test_the_hall_dashboard_counts_today_requests_open_taken_done(client, qh, hall_supervisor) -> None:
    from tests.queueing.factories import make_queue_hall

    url = reverse("supervisor-hall", args=[qh.hall.code])
    assert "<dd>0 / 0 / 0</dd>" in _assistance_kpi(client.get(url))
    _requests(qh, 3)
    _requests(qh, 2, status="assigned")
    _requests(qh, 4, status="done")
    _requests(qh, 1, status="cancelled")
    _requests(qh, 5, day=NOW.date() - dt.timedelta(days=1))  # yesterday's
    _requests(qh, 6, day=NOW.date() + dt.timedelta(days=1))  # a booking of tomorrow
    other = make_queue_hall("OT")
    _requests(other, 7)

    kpi = _assistance_kpi(client.get(url))
    assert "今日帮办代办（待接单 / 协助中 / 已完成）" in kpi and "<dd>3 / 2 / 4</dd>" in kpi
    # The polled live part carries it too.
    live = client.get(url, headers={"HX-Request": "true", "HX-Target": "hall-live"})
    assert "<dd>3 / 2 / 4</dd>" in _assistance_kpi(live)


def _queries(client, url: str, **kwargs) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, **kwargs).status_code == 200
    return len(ctx.captured_queries)


def test_the_hall_dashboard_counts_them_in_constant_queries(client, qh, hall_supervisor) -> None:
    url = reverse("supervisor-hall", args=[qh.hall.code])
    live = {"headers": {"HX-Request": "true", "HX-Target": "hall-live"}}
    _requests(qh, 2)
    _requests(qh, 2, status="assigned")
    _requests(qh, 1, status="done")
    client.get(url)  # the session's first request may write it: not the page's cost
    small, small_live = _queries(client, url), _queries(client, url, **live)
    assert "<dd>2 / 2 / 1</dd>" in _assistance_kpi(client.get(url))

    _requests(qh, 20)
    _requests(qh, 15, status="assigned")
    _requests(qh, 10, status="done")
    assert AssistanceRequest.objects.count() == 50
    assert (_queries(client, url), _queries(client, url, **live)) == (small, small_live)
    assert "<dd>22 / 17 / 11</dd>" in _assistance_kpi(client.get(url))
    with CaptureQueriesContext(connection) as ctx:
        client.get(url, **live)
    assistance = [q["sql"] for q in ctx.captured_queries if "queueing_assistancerequest" in q["sql"]]
    assert len(assistance) == 1 and "COUNT" in assistance[0]
