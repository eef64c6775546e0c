"""急事急办 registered by the clerk from the window console's current ticket, in real Chromium
(Art. 10 ¶3; cases/views_urgent.py ``window_ticket_request``): the clerk calls a walk-in, opens
"登记急事急办" on the current-ticket panel, is refused a reason that says nothing, then registers a
proper one and is back at the console, where the request waits for the chief representative.
axe on each page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import UrgentRequest
from queueing import services as queue_services
from queueing.models import QueueCategory
from tests.browser.test_console_dashboard import log_in
from tests.browser.test_kiosk_board import not_at_midnight, open_around_the_clock
from tests.cases.factories import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_clerk_registers_an_urgent_matter_from_the_console(live_server, page, axe_check) -> None:
    from playwright.sync_api import expect

    not_at_midnight()
    world = make_world()
    open_around_the_clock(world.city)
    category = QueueCategory.objects.create(hall=world.city, letter="S", name="市场监管业务", order=9)
    category.items.add(world.licence)
    ticket = queue_services.ticket_issue(hall=world.city, category=category, source="kiosk").ticket
    base = live_server.url
    log_in(page, base, world.clerk.username)
    page.goto(base + reverse("staff-home"))
    page.locator(".call-next").click()
    expect(page.locator(".current-number")).to_contain_text(ticket.number)
    link = page.get_by_role("link", name=f"登记急事急办（{ticket.number}）")
    expect(link).to_be_visible()
    axe_check(page, "console with the urgent-matter action")
    link.click()
    expect(page.locator("h1")).to_have_text("登记急事急办申请")
    expect(page.locator("select[name=item]")).to_have_value(world.licence.code)
    page.locator("select[name=reason_category]").select_option("other")
    page.locator("textarea[name=reason_text]").fill("有急事")
    page.locator("input[name=name]").fill("陈志强")
    page.locator("input[name=mobile]").fill("13800138001")
    page.get_by_role("button", name="提交审批").click()
    expect(page.locator(".field-error").first).to_contain_text("至少写10个字")
    assert not UrgentRequest.objects.exists()
    axe_check(page, "window urgent registration with an error")
    page.locator("textarea[name=reason_text]").fill("明日赴外地住院手术，需要提前办结许可证")
    page.get_by_role("button", name="提交审批").click()
    expect(page.get_by_role("status").first).to_contain_text("已为")
    expect(page.locator(".console-urgent-pending")).to_contain_text(ticket.number)
    request = UrgentRequest.objects.get()
    assert request.ticket_channel == "window" and request.requested_by == world.clerk
    assert [e for e in page.console_errors if "status of 4" not in e] == [], page.console_errors
