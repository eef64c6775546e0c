"""The items handled for a ticket in real Chromium (issue 10, Art. 8 ¶4): the clerk records a
consultation about another queue's item from the console (the hall's other items a click away),
then records the result collected and finishes the ticket in the same step; the supervisor sees
the figures per item on the live hall dashboard; axe on each."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import TicketItem
from queueing import services as queue_services
from queueing.models import QueueCategory, Ticket
from tests.browser.test_console_dashboard import log_in
from tests.browser.test_kiosk_board import not_at_midnight, open_around_the_clock
from tests.cases.factories import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_record_items_at_the_console_and_see_them_per_item_on_the_dashboard(live_server, page, axe_check) -> None:
    from playwright.sync_api import expect

    not_at_midnight()
    world = make_world()
    open_around_the_clock(world.city)
    category = QueueCategory.objects.create(hall=world.city, letter="A", name="综合业务", order=1)
    category.items.add(world.licence)
    queue_services.ticket_issue(hall=world.city, category=category, source="kiosk")
    base = live_server.url

    log_in(page, base, world.clerk.username)
    page.get_by_role("button", name="叫下一号").click()
    expect(page.locator(".current-number")).to_have_text("A001")
    panel = page.locator("#console-panel")
    expect(panel.get_by_role("heading", name="本次办理事项（A001）")).to_be_visible()
    # The queue's items listed; the hall's others a click away (the item asked about is another's).
    expect(page.get_by_label("办理事项", exact=True).locator("option", has_text=world.hukou.name)).to_have_count(0)
    panel.get_by_role("link", name="显示本大厅全部事项（另有 2 项）").click()
    page.get_by_label("办理事项", exact=True).select_option(label=world.hukou.name)
    page.get_by_label("办理结果", exact=True).select_option(label="咨询")
    page.get_by_role("button", name="记录", exact=True).click()
    expect(panel).to_contain_text("已记录 A001 办理事项：户口迁入登记（咨询）。")
    expect(panel.locator(".ticket-items-recorded")).to_contain_text("户口迁入登记：咨询")
    axe_check(page, "console with an item recorded")

    # The result collected, and the ticket finished in the same step.
    page.get_by_label("办理事项", exact=True).select_option(label=world.licence.name)
    page.get_by_label("办理结果", exact=True).select_option(label="领取结果")
    page.get_by_role("button", name="记录并办结").click()
    expect(panel).to_contain_text("该号已办结")
    expect(panel).to_contain_text("当前没有号码。")
    assert Ticket.objects.get().status == Ticket.Status.DONE
    assert sorted(TicketItem.objects.values_list("outcome", flat=True)) == ["collected", "consultation"]

    page.context.clear_cookies()
    log_in(page, base, world.supervisor.username)
    page.goto(f"{base}{reverse('supervisor-hall', args=[world.city.code])}")
    table = page.get_by_role("table", name="各事项今日办理的号数")
    expect(table).to_contain_text(world.licence.name)
    expect(table).to_contain_text(world.hukou.name)
    axe_check(page, "hall dashboard with figures per item")
    assert page.console_errors == [], page.console_errors
