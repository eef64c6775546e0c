"""Dual management in Chromium (issue 13, Art. 8): a supervisor asks the sending department to
replace a person from their record, sees the flag on the roster and the request in the list,
then proposes and submits a person's annual assessment grade. axe on each page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from staffing.assessments import default_year
from staffing.models import AssessmentProposal, ReplacementRequest
from tests.browser.test_console_dashboard import log_in
from tests.staffing.factories import make_world, seconded

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_replacement_request_and_an_assessment_proposal(live_server, page, axe_check) -> None:
    from playwright.sync_api import expect

    world = make_world()
    year = default_year(timezone.localdate())  # the year the pages open on (the current one from December)
    person = seconded(
        "clerk", hall=world.city, department=world.police, number="GZ-W001", since=dt.date(year - 1, 3, 1)
    )
    seconded("other", hall=world.city, department=world.police, number="GZ-W002", since=dt.date(year - 1, 3, 1))
    log_in(page, live_server.url, world.supervisor.username)
    page.goto(live_server.url + reverse("staffing-roster"))
    page.get_by_role("link", name="GZ-W001").click()
    expect(page.get_by_role("heading", name="要求派出单位更换")).to_be_visible()
    axe_check(page, "person with the replacement form")
    page.get_by_role("button", name="要求派出单位更换").click()  # no reason
    expect(page.get_by_text("请写明要求更换的理由（至少10个字）。")).to_be_visible()
    assert not ReplacementRequest.objects.exists()
    page.get_by_label("更换理由").fill("多次未一次性告知所缺材料，约谈后仍未改进。")
    page.get_by_role("button", name="要求派出单位更换").click()
    expect(page.get_by_text("已要求派出单位更换该人员，并通知其首席事务代表。")).to_be_visible()
    request = ReplacementRequest.objects.get()
    assert request.secondment == person and request.deadline == timezone.localdate() + dt.timedelta(days=30)
    page.goto(live_server.url + reverse("staffing-roster"))
    expect(page.get_by_text("已要求派出单位更换 1 人。")).to_be_visible()
    page.get_by_role("link", name="更换要求").click()
    expect(page.get_by_role("heading", name="更换派驻人员要求")).to_be_visible()
    expect(page.locator("table tbody tr")).to_have_count(1)
    axe_check(page, "replacement requests")
    page.get_by_role("link", name="GZ-W001").click()
    expect(page.get_by_role("heading", name="撤回要求")).to_be_visible()
    axe_check(page, "a replacement request")

    page.goto(live_server.url + reverse("staffing-roster"))
    page.get_by_role("link", name="年度考核建议").click()
    expect(page.get_by_role("heading", name=f"{year}年度考核建议")).to_be_visible()
    expect(page.get_by_text("未提出")).to_have_count(2)
    axe_check(page, "assessment list")
    page.get_by_role("link", name="GZ-W001").click()
    page.get_by_label("建议等次").select_option("incompetent")
    page.get_by_label("考核意见").fill("服务态度较差。")
    page.get_by_role("button", name="保存建议").click()
    expect(page.get_by_text("建议评为“不称职”的，须结合考核数据写明具体事实和理由（至少50个字）。")).to_be_visible()
    assert not AssessmentProposal.objects.exists()
    axe_check(page, "assessment proposal with an error")
    page.get_by_label("建议等次").select_option("competent")
    page.get_by_label("考核意见").fill("工作认真，服务规范，全年无违反行为规范情况。")
    page.get_by_role("button", name="保存建议").click()
    expect(page.get_by_text("考核建议已保存（依据数据已同时保存）。")).to_be_visible()
    page.get_by_role("button", name="提交（提交后不能修改）").click()
    expect(page.get_by_text("考核建议已提交，不能再修改。")).to_be_visible()
    proposal = AssessmentProposal.objects.get()
    assert proposal.grade == "competent" and proposal.locked and proposal.year == year
    page.get_by_role("link", name="年度考核建议").first.click()
    expect(page.get_by_text("未提出")).to_have_count(1)
    page.get_by_role("link", name="打印（按派出单位）").click()
    expect(page.get_by_role("heading", name=f"{year}年度派驻人员考核建议")).to_be_visible()
    axe_check(page, "assessment print")
