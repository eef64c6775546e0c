"""The clerk's console in real Chromium (issue 8): a refused transfer, a window taken away, a
refused role and the network gone all say so in the panel; checked-in appointments show when they
may be called; logging out signs the clerk out of the window."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from queueing import services
from queueing.models import Ticket, Window
from tests.browser.test_console_dashboard import log_in
from tests.browser.test_kiosk_board import not_at_midnight, open_around_the_clock
from tests.queueing.factories import id_number, make_queue_hall

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_failed_actions_show_their_message_and_logout_leaves_the_window(live_server, page, axe_check) -> None:
    from playwright.sync_api import expect

    not_at_midnight()
    qh = make_queue_hall("CLERK")
    open_around_the_clock(qh.hall)
    person = id_number("19900307")
    services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk", id_number=person)
    services.ticket_issue(hall=qh.hall, category=qh.b, source="kiosk", id_number=person)
    services.ticket_issue(
        hall=qh.hall,
        category=qh.a,
        source="appointment",
        priority="appointment",
        not_before=timezone.now() + dt.timedelta(hours=1),
        id_number=id_number("19850101"),
        require_open=False,
    )
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    base = live_server.url

    log_in(page, base, qh.staff[2].username)
    page.get_by_role("button", name="在2号窗口签到").click()
    panel = page.locator("#console-panel")
    expect(page.locator("#console-queue")).to_contain_text("已签到预约，未到叫号时间（1 人）")
    expect(page.locator("#console-queue")).to_contain_text("起可叫")
    page.wait_for_load_state("load")
    page.keyboard.press("n")
    expect(page.locator(".current-number")).to_have_text("A001")

    # Bug 1: the transfer into B, where the same person waits with B001, is refused in the panel.
    page.locator("details.transfer summary").click()
    page.get_by_label("转至类别").select_option(label="B 社保业务")
    page.get_by_label("转办原因").fill("社保业务")
    page.get_by_role("button", name="确认转办").click()
    expect(panel.get_by_role("alert").first).to_contain_text("已有号码 B001（等候中），不能重复转入")
    expect(page.locator(".current-number")).to_have_text("A001")
    axe_check(page, "console with a refused transfer and a checked-in appointment")
    page.keyboard.press("f")
    expect(panel).to_contain_text("已办结：A001")

    # The window was taken over behind the clerk's back: a 403 the page now shows.
    window = Window.objects.get(pk=qh.window_a.pk)
    services.window_sign_out(window=window, staff=qh.staff[2])
    services.window_sign_in(window=window, staff=qh.staff[1])
    page.get_by_role("button", name="叫下一号").click()
    expect(panel.get_by_role("alert")).to_have_text("您未在该窗口签到，不能叫号。")
    services.window_sign_out(window=Window.objects.get(pk=window.pk), staff=qh.staff[1])
    services.window_sign_in(window=Window.objects.get(pk=window.pk), staff=qh.staff[2])

    # The network is gone: said in the panel instead of nothing happening.
    page.context.set_offline(True)
    page.get_by_role("button", name="叫下一号").click()
    expect(panel.get_by_role("alert")).to_contain_text("网络连接异常")
    page.context.set_offline(False)

    # Logging out with A003 at the window: the console says what will happen and asks again;
    # then the window closes, A003 goes back to waiting and the next page says so.
    services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk")
    page.keyboard.press("n")
    expect(page.locator(".current-number")).to_have_text("A003")
    page.get_by_role("button", name="退出登录").click()
    expect(panel.get_by_role("alert")).to_contain_text("A003 将回到队列，保留原取号时间")
    axe_check(page, "console asking before logging out")
    page.get_by_role("button", name="确认退出登录").click()
    expect(page.get_by_role("link", name="工作人员登录")).to_be_visible()
    expect(page.locator(".messages")).to_contain_text("A003 已回到队列，保留原取号时间。")
    window = Window.objects.get(pk=qh.window_a.pk)
    assert (window.is_open, window.staff_id) == (False, None)
    returned = Ticket.objects.get(number="A003")
    assert (returned.status, returned.window_id) == ("waiting", None)

    # A role taken away: the refusal takes the panel's place.
    log_in(page, base, qh.staff[2].username)
    page.get_by_role("button", name="在2号窗口签到").click()
    qh.staff[2].groups.clear()
    page.get_by_role("button", name="叫下一号").click()
    expect(panel.get_by_role("alert")).to_have_text("您只能在本人所属大厅的窗口办理。")
    expect(panel.get_by_role("link", name="返回工作台")).to_be_visible()
    assert page_errors == [], page_errors
