"""The console's booking check-in in real Chromium (walkthrough finding 10): after a refusal, a
new attempt the browser's own validation stops (an empty field) clears the old message, which no
longer answers anything; and the 帮办/陪同 disclosure looks like its neighbour 转办 (finding 23)."""

from __future__ import annotations

import pytest

from queueing import services
from tests.browser.test_console_dashboard import log_in
from tests.browser.test_kiosk_board import not_at_midnight, open_around_the_clock
from tests.queueing.factories import make_queue_hall

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_stopped_check_in_clears_the_old_refusal(live_server, page) -> None:
    from playwright.sync_api import expect

    not_at_midnight()
    qh = make_queue_hall("STALE")
    open_around_the_clock(qh.hall)
    services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk")
    log_in(page, live_server.url, qh.staff[2].username)
    page.get_by_role("button", name="在2号窗口签到").click()
    page.get_by_role("button", name="叫下一号").click()
    panel = page.locator("#console-panel")
    expect(page.locator(".current-number")).to_have_text("A001")

    color = "el => getComputedStyle(el).color"
    transfer = page.locator("details.transfer summary").evaluate(color)
    assistance = page.locator("details.assistance-request summary").evaluate(color)
    assert transfer == assistance

    page.get_by_label("预约码或身份证号码").fill("ZZZZZZZZ")
    page.get_by_role("button", name="签到取号").click()
    expect(panel.locator(":scope > .message.error")).to_have_count(1)
    page.get_by_label("预约码或身份证号码").fill("")
    page.get_by_role("button", name="签到取号").click()
    expect(panel.locator(":scope > .message")).to_have_count(0)
