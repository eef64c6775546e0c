"""Every console action says what happened in the panel's status region (issue 8, "Clerks"):
refusals of access (403), a window or ticket that is not there (404), stale actions, invalid
forms. htmx swaps only 2xx, 400, 409 and 429 (templates/base.html); the console's own answers
carry ``X-Console-Panel``, which static/js/console.js swaps whatever the status."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from queueing import services
from queueing.console import PANEL_HEADER
from queueing.models import Ticket
from tests.queueing.factories import NOW, make_queue_hall

pytestmark = pytest.mark.django_db
MIN = dt.timedelta(minutes=1)
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def issue(qh, category=None) -> Ticket:
    return services.ticket_issue(hall=qh.hall, category=category or qh.a, source="kiosk").ticket


def action(window, ticket_pk: int, name: str) -> str:
    return reverse("console-ticket-action", args=[window.pk, ticket_pk, name])


def assert_panel(response, status: int, message: str) -> str:
    """The answer is the console panel (or the refusal in its place) with the message in its
    status region, marked so that the console swaps it."""
    body = response.content.decode()
    assert response.status_code == status, body[:500]
    assert response[PANEL_HEADER] == "1"
    assert body.lstrip().startswith('<div id="console-panel"') and "<html" not in body
    assert 'class="message error" role="alert">' in body and message in body
    return body


def test_every_answer_of_the_panel_is_marked(client, qh, clerk) -> None:
    issue(qh)
    response = client.post(reverse("console-call-next", args=[qh.window_a.pk]), headers=HTMX)
    assert response.status_code == 200 and response[PANEL_HEADER] == "1"
    polled = client.get(reverse("console-panel", args=[qh.window_a.pk]) + "?part=queue", headers=HTMX)
    assert polled[PANEL_HEADER] == "1"
    assert PANEL_HEADER not in client.get("/staff/")  # the whole page is no htmx answer


def test_not_signed_in_at_the_window_any_more_is_a_403_shown_in_the_panel(client, qh, clerk) -> None:
    ticket = issue(qh)
    # The window was signed out behind the clerk's back and a colleague took it.
    services.window_sign_out(window=qh.window_a, staff=clerk)
    services.window_sign_in(window=qh.window_a, staff=qh.staff[1])

    call_next = client.post(reverse("console-call-next", args=[qh.window_a.pk]), headers=HTMX)
    assert_panel(call_next, 403, "您未在该窗口签到，不能叫号。")
    call_this = client.post(action(qh.window_a, ticket.pk, "call"), headers=HTMX)
    assert_panel(call_this, 403, "您未在该窗口签到，不能叫号。")
    assert Ticket.objects.get(pk=ticket.pk).status == "waiting"


def test_a_closed_window_is_a_409_shown_in_the_panel(client, qh, clerk) -> None:
    issue(qh)
    services.window_sign_out(window=qh.window_a, staff=clerk)
    response = client.post(reverse("console-call-next", args=[qh.window_a.pk]), headers=HTMX)
    assert_panel(response, 409, "该窗口未开放，请先签到。")


def test_a_role_taken_away_is_a_403_in_the_panels_place(client, qh, clerk) -> None:
    ticket = issue(qh)
    clerk.groups.clear()
    urls = [
        reverse("console-call-next", args=[qh.window_a.pk]),
        action(qh.window_a, ticket.pk, "call"),
        reverse("console-grant", args=[qh.window_a.pk]),
        reverse("console-check-in", args=[qh.window_a.pk]),
    ]
    for url in urls:
        body = assert_panel(client.post(url, headers=HTMX), 403, "您只能在本人所属大厅的窗口办理。")
        assert 'href="/staff/"' in body and "hx-trigger" not in body  # polling stops; a way back
    assert Ticket.objects.get(pk=ticket.pk).status == "waiting"


def test_a_window_of_another_hall_is_a_403_in_the_panels_place(client, qh, clerk) -> None:
    other = make_queue_hall("OT")
    response = client.post(reverse("console-call-next", args=[other.window_a.pk]), headers=HTMX)
    body = assert_panel(response, 403, "您只能在本人所属大厅的窗口办理。")
    assert "户政业务" not in body  # nothing of the other hall's queue


def test_a_window_that_is_not_there_is_a_404_in_the_panels_place(client, qh, clerk) -> None:
    response = client.post(reverse("console-call-next", args=[999_999]), headers=HTMX)
    assert_panel(response, 404, "没有找到该窗口。")


def test_a_ticket_that_is_not_there_is_a_404_with_the_refreshed_panel(client, qh, clerk) -> None:
    issue(qh)
    for name in ("finish", "call", "transfer"):
        body = assert_panel(client.post(action(qh.window_a, 999_999, name), headers=HTMX), 404, "没有找到该号码。")
        assert "叫下一号" in body and "A001" in body  # the window's own panel, refreshed


def test_a_ticket_of_another_hall_is_not_found_here(client, qh, clerk) -> None:
    other = make_queue_hall("OT")
    elsewhere = services.ticket_issue(hall=other.hall, category=other.a, source="kiosk").ticket
    response = client.post(action(qh.window_a, elsewhere.pk, "call"), headers=HTMX)
    assert_panel(response, 404, "没有找到该号码。")
    assert Ticket.objects.get(pk=elsewhere.pk).status == "waiting"


def test_calling_a_ticket_another_window_called_meanwhile_is_stale(client, qh, clerk) -> None:
    ticket = issue(qh)
    services.window_sign_in(window=qh.comprehensive, staff=qh.staff[1])
    services.ticket_call_next(window=qh.comprehensive, staff=qh.staff[1])
    response = client.post(action(qh.window_a, ticket.pk, "call"), headers=HTMX)
    assert_panel(response, 409, "号码 A001 当前状态为“已叫号”，不能执行该操作。")


def test_finishing_twice_is_stale(client, qh, clerk) -> None:
    ticket = issue(qh)
    client.post(reverse("console-call-next", args=[qh.window_a.pk]), headers=HTMX)
    assert client.post(action(qh.window_a, ticket.pk, "finish"), headers=HTMX).status_code == 200
    for name in ("finish", "recall", "start", "no-show"):
        response = client.post(action(qh.window_a, ticket.pk, name), headers=HTMX)
        assert_panel(response, 409, "号码 A001 当前状态为“已办结”，不能执行该操作。")


def test_acting_on_a_ticket_that_left_the_window_is_refused(client, qh, clerk) -> None:
    ticket = issue(qh)
    client.post(reverse("console-call-next", args=[qh.window_a.pk]), headers=HTMX)
    services.ticket_transfer(window=qh.window_a, ticket=ticket, staff=clerk, reason="社保", category=qh.b)
    response = client.post(action(qh.window_a, ticket.pk, "finish"), headers=HTMX)
    assert_panel(response, 409, "号码 A001 不在本窗口。")


def test_the_grant_of_a_ticket_already_called_is_refused(client, qh, clerk) -> None:
    issue(qh)
    client.post(reverse("console-call-next", args=[qh.window_a.pk]), headers=HTMX)
    response = client.post(
        reverse("console-grant", args=[qh.window_a.pk]), {"number": "A001", "reason": "行动不便"}, headers=HTMX
    )
    assert_panel(response, 400, "没有找到该号码。")


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("transfer", {"reason": ""}, "未能转办，请按提示修改：请选择转至的类别或窗口（二选一）；请填写转办原因。"),
        (
            "transfer",
            {"category": "999999", "reason": "x"},
            "未能转办，请按提示修改：所选类别不存在或已停用，请重新选择。",
        ),
        ("dance", {}, "未知的操作。"),
    ],
)
def test_invalid_ticket_actions_are_a_400_with_the_message(client, qh, clerk, name, data, message) -> None:
    ticket = issue(qh)
    client.post(reverse("console-call-next", args=[qh.window_a.pk]), headers=HTMX)
    assert_panel(client.post(action(qh.window_a, ticket.pk, name), data, headers=HTMX), 400, message)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"number": "", "reason": ""}, "未能认定绿色通道，请按提示修改：请填写号码；请填写认定原因。"),
        ({"number": "12", "reason": "x"}, "未能认定绿色通道，请按提示修改：请输入号码，例如 A012。"),
    ],
)
def test_an_invalid_grant_form_is_a_400_with_the_message(client, qh, clerk, data, message) -> None:
    response = client.post(reverse("console-grant", args=[qh.window_a.pk]), data, headers=HTMX)
    assert_panel(response, 400, message)


def test_without_javascript_refusals_come_back_as_messages_or_the_error_page(client, qh, clerk) -> None:
    issue(qh)
    gone = client.post(action(qh.window_a, 999_999, "finish"), follow=True)
    assert gone.status_code == 200 and "没有找到该号码。" in gone.content.decode()
    clerk.groups.clear()
    refused = client.post(reverse("console-call-next", args=[qh.window_a.pk]))
    assert refused.status_code == 403 and "您只能在本人所属大厅的窗口办理。" in refused.content.decode()
    assert PANEL_HEADER not in refused


def test_a_sign_out_with_a_ticket_at_the_counter_asks_first_on_the_console(client, qh, clerk) -> None:
    issue(qh)
    client.post(reverse("console-call-next", args=[qh.window_a.pk]), headers=HTMX)
    response = client.post(reverse("console-sign-out", args=[qh.window_a.pk]), follow=True)
    body = response.content.decode()
    assert response.status_code == 409 and "签退将关闭本窗口：A001 将回到队列，保留原取号时间" in body
    assert '<div id="console-panel"' in body  # still at the window's console
    assert Ticket.objects.get().status == "called"  # nothing done before the clerk confirms


def test_the_page_carries_the_words_for_failures_the_server_cannot_answer(client, qh, clerk) -> None:
    body = client.get("/staff/").content.decode()
    assert 'data-console-error="操作未能完成，请刷新页面后重试' in body
    assert 'data-console-offline="网络连接异常' in body
