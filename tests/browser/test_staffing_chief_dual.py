"""The chief representative's read of dual management in Chromium (issue 13, Art. 8 ¶1–3): from
their department's page they open the replacement requests addressed to the department, record
the replacement put in post, and read the submitted assessment proposals. axe on each page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from staffing import assessments, replacements
from staffing.assessments import default_year
from staffing.models import ReplacementRequest, Secondment
from tests.browser.test_console_dashboard import log_in
from tests.staffing.factories import make_world, seconded

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_chief_confirms_a_replacement_and_reads_the_proposals(live_server, page, axe_check) -> None:
    from playwright.sync_api import expect

    world = make_world()
    today = timezone.localdate()
    year = default_year(today)  # the year the pages open on (the current one from December)
    chief = seconded("ga-chief", hall=world.city, department=world.police, role=Secondment.Role.CHIEF, number="C-1")
    person = seconded("ga-1", hall=world.city, department=world.police, number="GZ-W001", since=dt.date(year - 1, 3, 1))
    request = replacements.replacement_request(
        secondment=person,
        actor=world.supervisor,
        reason="多次未一次性告知所缺材料，约谈后仍未改进。",
        deadline=today + dt.timedelta(days=30),
    )
    proposal = assessments.proposal_save(
        secondment=person,
        actor=world.supervisor,
        year=year,
        grade="basic",
        justification="全年多次被投诉未一次性告知，经约谈后有所改进。",
    )
    assessments.proposal_submit(proposal=proposal, actor=world.supervisor)
    seconded("ga-9", hall=world.city, department=world.police, number="GZ-W009", since=today)

    log_in(page, live_server.url, chief.user.username)
    page.goto(live_server.url + reverse("staffing-department"))
    expect(page.get_by_text("政务服务管理部门要求本部门更换派驻人员 1 人，未办结。")).to_be_visible()
    page.get_by_role("link", name="向本部门提出的更换要求（确认接替人员到岗）").click()
    expect(page.get_by_role("rowheader", name="GZ-W001")).to_be_visible()
    axe_check(page, "the chief's replacement requests")
    page.get_by_role("link", name="GZ-W001").click()
    expect(page.get_by_role("heading", name="确认接替人员到岗")).to_be_visible()
    axe_check(page, "a replacement request for the chief")
    page.get_by_role("button", name="确认到岗，办结要求").click()  # nobody chosen
    expect(page.get_by_text("请选择已到岗的接替人员。")).to_be_visible()
    page.get_by_label("接替人员", exact=True).select_option(label=f"GZ-W009 ga-9（{today:%Y-%m-%d}）")
    page.get_by_role("button", name="确认到岗，办结要求").click()
    expect(page.get_by_text("已确认接替人员到岗，更换要求办结，并告知政务服务管理部门。")).to_be_visible()
    request.refresh_from_db()
    assert request.status == ReplacementRequest.Status.REPLACED and request.closed_by == chief.user

    page.goto(live_server.url + reverse("staffing-department"))
    page.get_by_role("link", name="本部门人员的年度考核建议").click()
    expect(page.get_by_role("heading", name=f"{year}年度考核建议")).to_be_visible()
    expect(page.get_by_text("全年多次被投诉未一次性告知，经约谈后有所改进。")).to_be_visible()
    axe_check(page, "the chief's assessment proposals")
