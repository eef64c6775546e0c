"""Assistance for a walk-in from the window console, in real Chromium (Art. 10 ¶1): the clerk
calls a walk-in, opens "为该群众申请帮办/陪同", is told field by field what is missing (nothing
saved), sends the request, sees the badge in place of the form, and the hall's assistance desk
lists it. Every state scanned with axe."""

from __future__ import annotations

import pytest

from queueing import services
from queueing.models import AssistanceRequest
from tests.browser.test_console_dashboard import log_in
from tests.browser.test_kiosk_board import not_at_midnight, open_around_the_clock
from tests.queueing.factories import make_queue_hall

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_clerk_asks_for_assistance_for_the_walk_in_at_the_window(live_server, page, axe_check) -> None:
    from playwright.sync_api import expect

    not_at_midnight()
    qh = make_queue_hall("ASSISTW")
    open_around_the_clock(qh.hall)
    ticket = services.ticket_issue(hall=qh.hall, category=qh.a, source="kiosk").ticket
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    base = live_server.url

    log_in(page, base, qh.staff[2].username)
    page.get_by_role("button", name="在2号窗口签到").click()
    page.get_by_role("button", name="叫下一号").click()
    expect(page.locator(".current-number")).to_have_text(ticket.number)

    panel = page.locator("#console-panel")
    form = page.locator("details.assistance-request")
    form.locator("summary").click()
    expect(form.get_by_role("radio", name="陪同办")).to_be_visible()
    axe_check(page, "console with the assistance form open")

    # "Other" without saying what: refused in the panel, the form kept open, nothing saved.
    form.get_by_role("radio", name="帮办代办").check()
    form.get_by_label("原因", exact=True).select_option(label="其他")
    form.get_by_role("button", name="提交申请").click()
    expect(panel).to_contain_text("原因选择“其他”时，请简要说明需要协助的情况。")
    expect(page.locator("details.assistance-request")).to_have_attribute("open", "")
    assert not AssistanceRequest.objects.exists()
    axe_check(page, "console with a refused assistance request")

    form = page.locator("details.assistance-request")
    form.get_by_label("说明（原因为“其他”时必填）").fill("听力障碍，需手语协助")
    form.get_by_role("button", name="提交申请").click()
    current = page.locator("#current-heading").locator("xpath=..")
    expect(current).to_contain_text("需帮办代办")
    expect(page.locator("details.assistance-request")).to_have_count(0)
    request = AssistanceRequest.objects.get()
    assert (request.ticket_id, request.source, request.kind, request.reason, request.note) == (
        ticket.pk,
        "window",
        "proxy",
        "other",
        "听力障碍，需手语协助",
    )
    axe_check(page, "console after the assistance request")

    # The hall's assistance desk has it, to be taken by a helper.
    page.goto(f"{base}/staff/assistance/")
    desk = page.locator(".assistance-desk")
    expect(desk).to_contain_text(ticket.number)
    expect(desk).to_contain_text("听力障碍")
    axe_check(page, "assistance desk with the window's request")
    assert page_errors == []
