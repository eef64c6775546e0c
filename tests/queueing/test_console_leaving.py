"""The console says what happens before and after (issue 8): signing out and logging out treat
the ticket at the counter alike — the console names it, says it will go back to its queue
keeping its arrival time, and asks again; then it goes back and the next page says so. A
transfer into a queue (or to a window) that no open window serves goes ahead with a warning."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from queueing import services
from queueing.models import Ticket, Window
from servicehall.models import AuditEvent
from tests.queueing.factories import NOW

pytestmark = pytest.mark.django_db
MIN = dt.timedelta(minutes=1)
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def called(qh, clerk) -> Ticket:
    """A001 called at window 2, where the clerk is signed in."""
    services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk", now=NOW - 20 * MIN)
    return services.ticket_call_next(window=qh.window_a, staff=clerk, now=NOW - 5 * MIN)


def text(response) -> str:
    return response.content.decode()


def test_signing_out_with_a_ticket_at_the_counter_asks_then_returns_it_to_its_queue(client, qh, called) -> None:
    url = reverse("console-sign-out", args=[qh.window_a.pk])

    asked = client.post(url)
    assert asked.status_code == 409
    # No other open window serves A (walkthrough: it said "由其他窗口继续叫号").
    assert (
        "签退将关闭本窗口：A001 将回到队列，保留原取号时间；目前没有其他开放的窗口办理该号码，要等有窗口开放后才会被叫号。"
        in text(asked)
    )
    assert "由其他窗口继续叫号" not in text(asked)
    assert 'name="confirm" value="1"' in text(asked) and "确认签退" in text(asked)
    assert Ticket.objects.get(pk=called.pk).status == "called" and Window.objects.get(pk=qh.window_a.pk).is_open

    done = client.post(url, {"confirm": "1"}, follow=True)
    assert "已从2号窗口签退。A001 已回到队列，保留原取号时间。" in text(done)
    ticket = Ticket.objects.get(pk=called.pk)
    assert (ticket.status, ticket.window_id, ticket.arrived_at) == ("waiting", None, NOW - 20 * MIN)
    assert not Window.objects.get(pk=qh.window_a.pk).is_open
    audit = AuditEvent.objects.get(action="window.sign_out")
    assert audit.details == {"cause": "sign_out", "returned": "A001"}


def test_signing_out_of_an_idle_window_needs_no_confirmation(client, qh, clerk) -> None:
    done = client.post(reverse("console-sign-out", args=[qh.window_a.pk]), follow=True)
    assert "已从2号窗口签退。" in text(done) and "已回到队列" not in text(done)
    assert not Window.objects.get(pk=qh.window_a.pk).is_open


def test_the_api_still_refuses_a_sign_out_with_a_ticket_at_the_counter_and_says_how(client, qh, called) -> None:
    response = client.post(reverse("api:window-sign-out", args=[qh.window_a.pk]))
    assert response.status_code == 409 and response.json()["code"] == "window_busy"
    assert "或确认签退，A001 将回到队列，保留原取号时间" in response.json()["detail"]
    assert Ticket.objects.get(pk=called.pk).status == "called"


def test_logging_out_from_the_console_asks_then_says_what_happened(client, qh, called) -> None:
    url = reverse("console-log-out")

    asked = client.post(url)
    assert asked.status_code == 409 and SESSION_KEY in client.session
    # No other open window serves A (walkthrough: it said "由其他窗口继续叫号").
    assert (
        "退出登录将同时从本窗口签退：A001 将回到队列，保留原取号时间；目前没有其他开放的窗口办理该号码，要等有窗口开放后才会被叫号。"
        in text(asked)
    )
    assert "由其他窗口继续叫号" not in text(asked)
    assert f'action="{url}"' in text(asked) and "确认退出登录" in text(asked)
    assert Ticket.objects.get(pk=called.pk).status == "called"

    done = client.post(url, {"confirm": "1"}, follow=True)
    assert SESSION_KEY not in client.session
    assert "您已退出登录，并从2号窗口签退。A001 已回到队列，保留原取号时间。" in text(done)
    assert Ticket.objects.get(pk=called.pk).status == "waiting"


def test_logging_out_anywhere_else_says_what_happened_too(client, qh, called) -> None:
    done = client.post(reverse("logout"), follow=True)  # the site's own logout: no question asked
    assert "您已退出登录，并从2号窗口签退。A001 已回到队列，保留原取号时间。" in text(done)


def test_logging_out_from_an_idle_window_asks_nothing(client, qh, clerk) -> None:
    done = client.post(reverse("console-log-out"), follow=True)
    assert SESSION_KEY not in client.session
    assert "您已退出登录，并从2号窗口签退。" in text(done) and "已回到队列" not in text(done)


def transfer(client, qh, ticket: Ticket, **target):
    url = reverse("console-ticket-action", args=[qh.window_a.pk, ticket.pk, "transfer"])
    return client.post(url, {"reason": "需社保窗口办理", **target}, headers=HTMX)


def test_a_transfer_to_a_queue_no_open_window_serves_warns_the_clerk(client, qh, called) -> None:
    # Asked first (tests/queueing/test_transfer_form.py), then done with a warning.
    response = transfer(client, qh, called, category=qh.b.pk, confirm_unserved="1")

    assert response.status_code == 200
    assert "已转办：A001 注意：当前没有开放的窗口办理B类（社保业务），A001 要等有窗口开放后才会被叫号。" in text(
        response
    )
    ticket = Ticket.objects.get(pk=called.pk)
    assert ticket.status == "waiting" and ticket.category_id == qh.b.pk  # it went ahead


def test_a_transfer_to_a_closed_window_warns_the_clerk(client, qh, called) -> None:
    response = transfer(client, qh, called, target_window=qh.window_b.pk, confirm_unserved="1")
    assert "注意：3号窗口当前未开放，A001 要等该窗口开放后才会被叫号。" in text(response)


def test_a_transfer_to_a_served_queue_has_no_warning(client, qh, called) -> None:
    services.window_sign_in(window=qh.window_b, staff=qh.staff[3])
    response = transfer(client, qh, called, category=qh.b.pk)
    assert "已转办：A001" in text(response) and "注意" not in text(response)


def test_a_comprehensive_window_serves_every_queue(client, qh, called) -> None:
    services.window_sign_in(window=qh.comprehensive, staff=qh.staff[1])
    assert "注意" not in text(transfer(client, qh, called, category=qh.b.pk))


@pytest.mark.parametrize("url", ["console-log-out", "console-sign-out"])
def test_leaving_says_other_windows_go_on_calling_only_when_one_serves_the_queue(client, qh, called, url) -> None:
    services.window_sign_in(window=qh.window_b, staff=qh.staff[3])  # serves B only
    args = [qh.window_a.pk] if url == "console-sign-out" else []
    assert "由其他窗口继续叫号" not in text(client.post(reverse(url, args=args)))

    services.window_sign_in(window=qh.green, staff=qh.staff[4])  # serves A

    asked = text(client.post(reverse(url, args=args)))
    assert "A001 将回到队列，保留原取号时间，由其他窗口继续叫号。" in asked and "目前没有其他开放的窗口" not in asked


def test_a_window_whose_clerks_login_expired_closes_and_returns_its_ticket(client, qh, called) -> None:
    """A console left open keeps its login alive; a clerk whose login expired has gone, and the
    window must not stay open with A001 at it (walkthrough: session expiry left it open)."""
    from servicehall.models import UserSession

    services.window_sign_in(window=qh.window_b, staff=qh.staff[3], now=NOW - 10 * MIN)
    Client().force_login(qh.staff[3])  # window 3's clerk is logged in too, in another browser
    assert services.windows_leave_expired_sessions(now=NOW) == []

    UserSession.objects.filter(user_id=qh.staff[2].pk).update(expire_date=NOW - MIN)
    left = services.windows_leave_expired_sessions(now=NOW)

    assert [x.window.pk for x in left] == [qh.window_a.pk]
    ticket = Ticket.objects.get(pk=called.pk)
    assert (ticket.status, ticket.window_id, ticket.arrived_at) == ("waiting", None, NOW - 20 * MIN)
    assert not Window.objects.get(pk=qh.window_a.pk).is_open
    assert Window.objects.get(pk=qh.window_b.pk).is_open
    event = ticket.events.order_by("-pk").first()
    assert event.data["cause"] == "session_expired" and event.reason == "工作人员登录已过期，号码退回等候"
    audit = AuditEvent.objects.filter(action="window.sign_out").latest("pk")
    assert audit.summary == "登录过期，从2号窗口自动签退"
    assert services.windows_leave_expired_sessions(now=NOW) == []


def test_the_expired_login_job_is_scheduled_every_minute(settings) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["queue-windows-of-expired-logins"]
    assert entry["task"] == "queueing.tasks.leave_windows_of_expired_sessions" and entry["schedule"] == 60.0
