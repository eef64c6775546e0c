"""Staffing in Chromium (issue 13): a supervisor finds the roster from the overview, filters the
staff without pre-job education and records a conduct incident; the clerk reads their own page
and the code of conduct. axe on each page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from staffing.models import ConductCode, ConductIncident
from tests.browser.test_console_dashboard import log_in
from tests.staffing.factories import make_world, seconded

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_roster_and_a_persons_record(live_server, page, axe_check) -> None:
    from playwright.sync_api import expect

    world = make_world()
    seconded("trained", hall=world.city, department=world.police, number="GZ-W001")
    untrained = seconded("untrained", hall=world.city, department=world.market, number="GZ-W002", pre_job=False)
    seconded(
        "short",
        hall=world.city,
        department=world.police,
        number="GZ-W003",
        since=dt.date(2026, 1, 1),
        until=dt.date(2027, 1, 1),
        reason="派出单位机构调整",
    )
    log_in(page, live_server.url, world.supervisor.username)
    page.goto(live_server.url + reverse("supervisor-overview"))
    page.get_by_role("link", name="派驻人员花名册").click()
    expect(page.get_by_role("heading", name="派驻人员花名册")).to_be_visible()
    expect(page.get_by_text("在册 3 人，其中派驻不足两年 1 人，未完成岗前教育 1 人。")).to_be_visible()
    axe_check(page, "staffing roster")
    page.get_by_label("提示").select_option("no_pre_job")
    page.get_by_role("button", name="筛选").click()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    rows.get_by_role("link", name="GZ-W002").click()
    expect(page.get_by_text("尚未登记岗前教育")).to_be_visible()
    page.get_by_label("来源").select_option("observation")
    page.get_by_label("发生日期").fill(timezone.localdate().isoformat())
    page.get_by_label("情况描述").fill("在岗期间长时间使用手机，经提醒后改正")
    page.get_by_role("button", name="记录").click()
    expect(page.get_by_text("已记录违反行为规范情况（现场督查）。")).to_be_visible()
    assert ConductIncident.objects.filter(secondment=untrained).count() == 1
    axe_check(page, "staffing person")


def test_the_staff_page_and_the_code(live_server, page, axe_check) -> None:
    from playwright.sync_api import expect

    world = make_world()
    clerk = seconded("clerk", hall=world.city, department=world.police, number="GZ-W001").user
    ConductCode.objects.create(
        title="窗口工作人员行为规范",
        forbidden_phrases="“不知道，问别人去。”",
        forbidden_behaviours="在岗玩手机",
        dress="着工作服",
        discipline="按时签到签退",
        published_at=timezone.now(),
    )
    log_in(page, live_server.url, clerk.username)
    page.goto(live_server.url + reverse("staff-home"))
    page.get_by_role("link", name="我的派驻、培训与考勤").click()
    expect(page.get_by_role("heading", name="我的派驻、培训与考勤")).to_be_visible()
    axe_check(page, "staff's own page")
    page.get_by_role("link", name="查看窗口工作人员行为规范").click()
    expect(page.get_by_text("“不知道，问别人去。”")).to_be_visible()
    axe_check(page, "code of conduct")
