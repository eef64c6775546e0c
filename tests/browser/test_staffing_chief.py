"""The chief representative's page and a conduct incident recorded from a rectification order,
in Chromium (issue 13, Art. 7 ¶2 and 8 ¶3): the recorded chief opens their department's page
from the workbench; a supervisor records the rated clerk's incident from a bad rating found
valid and sees it linked back on the order. axe on each page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from feedback import rectification
from feedback.models import RectificationOrder
from staffing.models import ConductIncident, Secondment
from tests.browser.test_console_dashboard import log_in
from tests.cases.factories import at, make_world
from tests.feedback.ratings_world import rate_ticket
from tests.staffing.factories import seconded

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_chiefs_page_and_an_incident_from_a_rectification_order(live_server, page, axe_check) -> None:
    from playwright.sync_api import expect

    world = make_world()
    chief = seconded("ga-chief", hall=world.city, department=world.police, role=Secondment.Role.CHIEF, number="GA-0001")
    clerk = Secondment.objects.create(
        user=world.clerk,
        staff_number="GA-0101",
        department=world.police,
        hall=world.city,
        seconded_from=dt.date(2025, 3, 1),
    )
    rating = rate_ticket(world, "very_dissatisfied", finished_at=at(dt.date(2026, 11, 24), 10))
    order = RectificationOrder.objects.get(rating=rating)
    rectification.order_verify(order=order, actor=chief.user, valid=True, reason="调阅窗口录像，情况属实")

    log_in(page, live_server.url, chief.user.username)
    page.goto(live_server.url + reverse("staff-home"))
    page.get_by_role("link", name="本部门情况").click()
    expect(page.get_by_role("heading", name="部门情况")).to_be_visible()
    expect(page.get_by_role("rowheader", name="GA-0101")).to_be_visible()
    expect(page.get_by_text("差评整改单 1 件未办结")).to_be_visible()
    expect(page.get_by_role("link", name=order.number)).to_be_visible()
    axe_check(page, "chief representative's department page")

    page.context.clear_cookies()
    log_in(page, live_server.url, world.supervisor.username)
    page.goto(live_server.url + reverse("rectification-detail", args=[order.pk]))
    axe_check(page, "rectification order with the incident link")
    page.get_by_role("link", name="记录行为问题").click()
    expect(page.get_by_role("heading", name="记录行为问题")).to_be_visible()
    axe_check(page, "record an incident from an order")
    page.get_by_label("情况描述").fill("短")
    page.get_by_role("button", name="记录").click()
    expect(page.get_by_text("请描述具体情况（至少10个字）。")).to_be_visible()
    page.get_by_label("情况描述").fill("办理时语气生硬，未一次性告知所需材料。")
    page.get_by_role("button", name="记录").click()
    expect(page.get_by_text(f"已记录行为问题（差评，整改单{order.number}）。")).to_be_visible()
    expect(page.locator(".badge", has_text="已记录行为问题")).to_be_visible()
    incident = ConductIncident.objects.get()
    assert (incident.secondment, incident.rectification_order, incident.reference) == (clerk, order, order.number)
    page.get_by_role("link", name="GA-0101").click()
    expect(page.get_by_role("link", name=order.number)).to_be_visible()
    axe_check(page, "person with the incident from the order")
