"""线上取号 in real Chromium on a 360 px phone: from the hall's page to the form, a refusal shown
in the error summary (focus-reachable, the field marked), then the ticket's page by token; the
same in care mode (关怀模式). Real time on the live server: the hall is open around the clock
(``open_around_the_clock``), as in the kiosk's browser tests. An accessibility scan on each page."""

from __future__ import annotations

import pytest

from queueing import services
from queueing.models import Ticket
from tests.browser.test_kiosk_board import not_at_midnight, open_around_the_clock, shoot
from tests.queueing.factories import id_number, make_queue_hall

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
YOUNG = id_number("19900307")
# Where something sticks out: the first few elements of <main> wider than the screen.
STICKING_OUT = """(width) => [...document.querySelectorAll('main *')]
    .filter((e) => e.getBoundingClientRect().right > width + 1)
    .slice(0, 3).map((e) => `${e.tagName}.${e.className}`)"""


def fits(page, label: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{label} is {width}px wide: {page.evaluate(STICKING_OUT, PHONE['width'])}"


@pytest.mark.parametrize("care", [False, True], ids=["standard", "care-mode"])
def test_a_citizen_takes_a_ticket_online_on_a_phone(live_server, browser, axe_check, care) -> None:
    from playwright.sync_api import expect

    not_at_midnight()
    qh = make_queue_hall("ONLINE")
    open_around_the_clock(qh.hall)
    # Window 3 serves B (a queue no open window serves asks first: tests/queueing/test_online_ticket.py).
    services.window_sign_in(window=qh.window_b, staff=qh.staff[3])
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=PHONE)
    if care:
        context.add_cookies([{"name": "servicehall_care", "value": "1", "url": live_server.url}])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"{live_server.url}/halls/ONLINE/")
    page.get_by_role("link", name="线上取号").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("线上取号")
    assert ("care" in (page.locator("html").get_attribute("class") or "")) is care
    fits(page, "the online ticket form")
    axe_check(page, "online ticket form")
    shoot(page, f"online-form-{'care' if care else 'standard'}")

    # The green channel without an ID number: refused, the summary links to the field.
    page.get_by_label("B 社保业务").check()
    page.get_by_label("残疾人").check()
    page.get_by_role("button", name="确认取号").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("绿色通道取号须填写身份证号码。")
    expect(page.get_by_label("B 社保业务")).to_be_checked()
    expect(page.get_by_label("残疾人")).to_be_checked()
    fits(page, "the form with its errors")
    axe_check(page, "online ticket form with errors")
    shoot(page, f"online-errors-{'care' if care else 'standard'}")
    summary.get_by_role("link", name="绿色通道取号须填写身份证号码。").click()
    expect(page.locator("#id_id_number")).to_be_focused()

    page.locator("#id_id_number").fill(YOUNG)
    page.get_by_role("button", name="确认取号").click()
    ticket = Ticket.objects.get()
    expect(page).to_have_url(f"{live_server.url}/t/{ticket.token}/")
    assert YOUNG not in page.url
    expect(page.locator(".messages")).to_contain_text("取号成功：VB001 号")
    expect(page.locator(".ticket-live")).to_contain_text("VB001")
    fits(page, "the ticket page")
    axe_check(page, "ticket page after taking a ticket online")
    assert ticket.source == Ticket.Source.ONLINE and ticket.priority == Ticket.Priority.DISABLED
    assert errors == [], errors
    context.close()
