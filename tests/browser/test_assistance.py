"""Assisted and accompanied handling in real Chromium (Art. 10 ¶1): an older person asks for
someone to accompany them at the kiosk; the slip says so; a member of the hall's staff takes the
request at the assistance desk and marks it done; the clerk's console shows the badge. Every page
scanned with axe."""

from __future__ import annotations

import pytest

from queueing.models import AssistanceRequest, Ticket
from tests.browser.test_console_dashboard import log_in
from tests.browser.test_kiosk_board import not_at_midnight, open_around_the_clock
from tests.queueing.factories import id_number, make_queue_hall

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_kiosk_request_reaches_the_desk_and_the_console(live_server, page, axe_check) -> None:
    from playwright.sync_api import expect

    not_at_midnight()
    qh = make_queue_hall("ASSIST")
    open_around_the_clock(qh.hall)
    base = live_server.url

    page.goto(f"{base}/halls/ASSIST/kiosk/")
    page.get_by_label("身份证号码（选填）").fill(id_number("19550101"))
    page.get_by_label("需要帮办/陪同").check()
    page.get_by_role("radio", name="陪同办").check()
    page.get_by_role("radio", name="行动不便").check()
    axe_check(page, "kiosk with the assistance fields")
    page.get_by_role("button", name="A 户政业务").click()
    # Nobody sits at a window yet: the kiosk asks once more, and the request goes along.
    page.get_by_role("button", name="仍在本大厅取号（等候时间无法估算）").click()
    expect(page.locator(".slip-assistance")).to_contain_text("已申请陪同办")
    ticket = Ticket.objects.get()
    assert AssistanceRequest.objects.get().ticket == ticket

    log_in(page, base, qh.staff[4].username)
    page.goto(f"{base}/staff/assistance/")
    desk = page.locator(".assistance-desk")
    expect(desk).to_contain_text(ticket.number)
    expect(desk).to_contain_text("行动不便")
    axe_check(page, "assistance desk with an open request")
    page.get_by_role("button", name="接单").click()
    expect(page.locator(".messages")).to_contain_text("已接单")
    expect(desk).to_contain_text("assist-w4 协助中")

    page.goto(f"{base}/staff/")
    page.get_by_role("button", name="在4号窗口签到").click()
    expect(page.locator("#console-queue")).to_contain_text("需陪同办理")
    axe_check(page, "console with the assistance badge")

    page.goto(f"{base}/staff/assistance/")
    page.get_by_role("button", name="完成").click()
    expect(page.locator("body")).to_contain_text("今日已完成")
    request = AssistanceRequest.objects.get()
    assert request.status == "done" and request.helper == qh.staff[4]
