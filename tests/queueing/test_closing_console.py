"""The console at and after the hall's closing time: a notice that the hall is closed (nobody
can take a ticket, the waiting tickets will expire, finish the ticket at the counter); calling
stays possible for the people who took a ticket before closing (Art. 10 ¶2) but says so; a
finish says the window will close; and after the closing job closed an idle window the clerk's
next page says why they are at no window."""

from __future__ import annotations

import html
import re

import pytest
import time_machine
from django.urls import reverse

from queueing import services, tasks
from queueing.models import Ticket
from tests.queueing.factories import NOW
from tests.queueing.test_closed_hall_windows import at, text

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}

BEFORE_CLOSING = NOW.replace(hour=16, minute=50)  # Thursday 26 November 2026, closing at 17:00
AFTER_CLOSING = NOW.replace(hour=17, minute=2)
CLOSED = "大厅已于 17:00 闭厅，群众不能再取号。"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(BEFORE_CLOSING, tick=False) as traveller:
        yield traveller


def test_the_console_says_the_hall_closed_after_closing_time_only(client, qh, clerk, clock) -> None:
    services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk")
    before = text(client.get("/staff/"))
    assert "叫下一号" in before and CLOSED not in before
    at(clock, AFTER_CLOSING)
    after = text(client.get("/staff/"))
    assert CLOSED in after and "等候中的号码将在闭厅作业运行时（几分钟内）失效" in after
    assert "请办结当前号码后签退" in after
    # The polled panel too.
    panel = text(client.get(reverse("console-panel", args=[qh.window_a.pk]), headers=HTMX))
    assert CLOSED in panel


def test_a_poll_version_made_before_closing_runs_out_at_closing(client, qh, clerk, clock) -> None:
    """An open console whose queue does not change still gets the closed notice at closing time:
    its queue's poll is not answered "unchanged" (204) past it."""
    queue = reverse("console-panel", args=[qh.window_a.pk]) + "?part=queue"
    at(clock, NOW.replace(hour=16, minute=59, second=58))
    page = text(client.get("/staff/"))
    version = html.unescape(re.search(r"part=queue&amp;v=([^\"]+)\"", page).group(1))
    url = f"{queue}&v={version}"
    assert client.get(url, headers=HTMX).status_code == 204  # unchanged, and still open
    at(clock, NOW.replace(hour=17, minute=0, second=1))
    again = client.get(url, headers=HTMX)
    assert again.status_code == 200 and CLOSED in text(again)


def test_calling_after_closing_is_possible_with_a_warning_and_finishing_says_the_window_closes(
    client, qh, clerk, clock
) -> None:
    ticket = services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk").ticket
    at(clock, AFTER_CLOSING)  # before the closing job's next run: the ticket still waits
    called = text(client.post(reverse("console-call-next", args=[qh.window_a.pk]), headers=HTMX))
    assert "已叫号：A001" in called and "叫号仅为闭厅前已取号、仍在大厅的群众延时办理" in called
    assert Ticket.objects.get(pk=ticket.pk).status == "called"
    done = text(client.post(reverse("console-ticket-action", args=[qh.window_a.pk, ticket.pk, "finish"]), headers=HTMX))
    assert "已办结：A001" in done and "闭厅作业将在几分钟内自动关闭窗口并为您签退" in done


def test_before_closing_a_call_and_a_finish_have_no_closing_note(client, qh, clerk) -> None:
    ticket = services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk").ticket
    called = text(client.post(reverse("console-call-next", args=[qh.window_a.pk]), headers=HTMX))
    done = text(client.post(reverse("console-ticket-action", args=[qh.window_a.pk, ticket.pk, "finish"]), headers=HTMX))
    assert "已叫号：A001" in called and "已办结：A001" in done
    assert "闭厅" not in called.split("</p>")[0] and "自动关闭窗口" not in done


def test_after_the_closing_job_closed_the_window_the_clerk_is_told_why(client, qh, clerk, clock) -> None:
    at(clock, AFTER_CLOSING)
    tasks.expire_tickets()
    qh.window_a.refresh_from_db()
    assert not qh.window_a.is_open
    home = text(client.get("/staff/"))
    assert "选择窗口签到" in home
    assert "大厅已闭厅，2号窗口没有号码在办，已由闭厅作业自动关闭，您已于 17:00 签退。" in home
    # The old console tab's poll: the same explanation in place of the panel.
    panel = text(client.get(reverse("console-panel", args=[qh.window_a.pk]), headers=HTMX))
    assert "已由闭厅作业自动关闭" in panel
    # Signing in again (somebody who came before closing still needs serving) ends the notice.
    client.post(reverse("console-sign-in", args=[qh.window_a.pk]))
    services.window_sign_out(window=qh.window_a, staff=qh.staff[2])
    assert "已由闭厅作业自动关闭" not in text(client.get("/staff/"))


def test_a_clerk_who_signed_out_themselves_gets_no_closing_notice(client, qh, clerk, clock) -> None:
    services.window_sign_out(window=qh.window_a, staff=qh.staff[2])
    at(clock, AFTER_CLOSING)
    tasks.expire_tickets()
    assert "已由闭厅作业自动关闭" not in text(client.get("/staff/"))


# --- Outside the hours before closing: the lunch break, before opening -------------------------
# The closing job does nothing at the lunch break (the tickets stay, the windows stay open), so
# there is no "closed by the closing job" notice then; the console says the hall is paused instead.

LUNCH = "大厅午间休息（12:00–13:00），13:00 恢复叫号办理。"
BEFORE_OPENING = "大厅尚未开始办理，今天 09:00 开放；开放前群众不能现场取号。"


def test_the_console_says_the_lunch_break_and_when_calling_starts_again(client, qh, clerk, clock) -> None:
    ticket = services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk").ticket
    at(clock, NOW.replace(hour=11, minute=59))
    assert LUNCH not in text(client.get("/staff/"))
    at(clock, NOW.replace(hour=12, minute=10))
    tasks.expire_tickets()  # the closing job's run at lunch changes nothing
    assert Ticket.objects.get(pk=ticket.pk).status == "waiting"
    qh.window_a.refresh_from_db()
    assert qh.window_a.is_open
    page = text(client.get("/staff/"))
    assert LUNCH in page and "午间群众仍可取号，等候中的号码不会失效" in page and CLOSED not in page
    panel = text(client.get(reverse("console-panel", args=[qh.window_a.pk]) + "?part=queue", headers=HTMX))
    assert LUNCH in panel
    at(clock, NOW.replace(hour=13, minute=0))
    assert LUNCH not in text(client.get("/staff/"))


def test_a_poll_version_made_before_the_lunch_break_runs_out_at_its_start_and_end(client, qh, clerk, clock) -> None:
    queue = reverse("console-panel", args=[qh.window_a.pk]) + "?part=queue"

    def version_now() -> str:
        page = text(client.get("/staff/"))
        return f"{queue}&v=" + html.unescape(re.search(r"part=queue&amp;v=([^\"]+)\"", page).group(1))

    at(clock, NOW.replace(hour=11, minute=59, second=58))
    url = version_now()
    assert client.get(url, headers=HTMX).status_code == 204
    at(clock, NOW.replace(hour=12, minute=0, second=1))
    started = client.get(url, headers=HTMX)
    assert started.status_code == 200 and LUNCH in text(started)
    at(clock, NOW.replace(hour=12, minute=59, second=58))
    url = version_now()
    assert client.get(url, headers=HTMX).status_code == 204
    at(clock, NOW.replace(hour=13, minute=0, second=1))
    ended = client.get(url, headers=HTMX)
    assert ended.status_code == 200 and LUNCH not in text(ended)


def test_before_opening_the_console_says_when_the_hall_opens(client, qh, clerk, clock) -> None:
    at(clock, NOW.replace(hour=8, minute=40))
    page = text(client.get("/staff/"))
    assert BEFORE_OPENING in page and LUNCH not in page
    at(clock, NOW.replace(hour=9, minute=0))
    assert BEFORE_OPENING not in text(client.get("/staff/"))


def test_after_closing_the_notice_says_when_the_hall_opens_next(client, qh, clerk, clock) -> None:
    at(clock, AFTER_CLOSING)  # Thursday 17:02: Friday 09:00
    page = text(client.get("/staff/"))
    assert CLOSED in page and "下次开放时间：2026-11-27 09:00。" in page
