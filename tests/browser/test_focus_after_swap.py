"""After an htmx action the button pressed is swapped away; focus goes to the answer's message
(static/js/portal.js, on htmx:afterSwap) instead of falling to <body>, where keyboard and
screen-reader users would have to start again from the top of the page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from queueing import services
from tests.browser.test_console_dashboard import enrolled_supervisor, log_in
from tests.browser.test_kiosk_board import not_at_midnight, open_around_the_clock
from tests.queueing.factories import make_queue_hall

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUSED = "document.activeElement === document.body ? 'BODY' : document.activeElement.textContent.trim()"


# The button clicked keeps focus until the answer replaces it.
SETTLED = "() => document.activeElement !== document.body && document.activeElement.tagName !== 'BUTTON'"


def focused_in(page, selector: str) -> str:
    """The text of the focused element, after checking it lies in ``selector``."""
    assert page.evaluate(f"!!document.activeElement.closest({selector!r})"), page.evaluate(FOCUSED)
    return page.evaluate(FOCUSED)


def test_the_console_moves_focus_to_the_outcome_of_each_action(live_server, page) -> None:
    from playwright.sync_api import expect

    not_at_midnight()
    qh = make_queue_hall("SWAPFOCUS")
    open_around_the_clock(qh.hall)
    services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk")
    log_in(page, live_server.url, qh.staff[2].username)
    page.get_by_role("button", name="在2号窗口签到").click()
    page.wait_for_load_state("load")

    page.get_by_role("button", name="叫下一号").click()
    expect(page.locator(".current-number")).to_have_text("A001")
    page.wait_for_function(SETTLED)
    assert focused_in(page, "#console-panel") == "已叫号：A001"
    assert page.evaluate("document.activeElement.getAttribute('tabindex')") == "-1"

    page.get_by_role("button", name="重新叫号").click()
    page.wait_for_function(SETTLED)
    assert "A001" in focused_in(page, "#console-panel")

    page.get_by_role("button", name="办结", exact=True).click()
    expect(page.locator("#console-panel")).to_contain_text("已办结：A001")
    page.wait_for_function(SETTLED)
    assert "已办结：A001" in focused_in(page, "#console-panel")
    assert page.console_errors == []


def test_the_dashboard_moves_focus_to_the_outcome_of_opening_a_window(live_server, page) -> None:
    from playwright.sync_api import expect

    not_at_midnight()
    qh = make_queue_hall("SWAPBOSS")
    open_around_the_clock(qh.hall)
    qh.sign_in_all(now=timezone.now())
    enrolled_supervisor("swap-supervisor", hall_=qh.hall)
    Client().force_login(qh.staff[3])
    log_in(page, live_server.url, "swap-supervisor")
    page.goto(f"{live_server.url}/supervisor/halls/SWAPBOSS/")

    page.get_by_role("button", name="关闭3号窗口").click()
    expect(page.locator("#hall-controls [role=status]")).to_contain_text("已关闭3号窗口")
    page.wait_for_function(SETTLED)
    assert "已关闭3号窗口" in focused_in(page, "#hall-controls")

    page.get_by_label("通知内容").fill("系统维护，社保业务暂停 30 分钟")
    page.get_by_role("button", name="发布到显示屏").click()
    expect(page.locator("#hall-controls [role=status]")).to_contain_text("通知已发布到显示屏")
    page.wait_for_function(SETTLED)
    assert "通知已发布到显示屏" in focused_in(page, "#hall-controls")
    assert page.console_errors == []
