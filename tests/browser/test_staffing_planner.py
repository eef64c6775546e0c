"""The workload in Chromium (issue 13, Art. 6 ¶4, Art. 8): a supervisor sees today's surge and
the planned against open windows on the roster, records extra staff for the surge, and plans a
past working day hour by hour, then sets a stricter target and meets a bad one. axe on each page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from queueing.models import QueueCategory
from servicehall import roles
from servicehall.clock import local_date
from staffing import workload
from staffing.models import SurgeFlag
from tests.browser.test_console_dashboard import log_in
from tests.servicehall.factories import staff_user
from tests.staffing.factories import make_world
from tests.staffing.workload_factories import at, spell, tickets

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _last_working_day(hall) -> dt.date:
    day = local_date() - dt.timedelta(days=1)
    while workload.day_hours(hall, day) is None:
        day -= dt.timedelta(days=1)
    return day


def test_the_roster_flags_a_surge_and_the_planner_plans_a_day(live_server, page, axe_check) -> None:
    from playwright.sync_api import expect

    world = make_world()
    queue = QueueCategory.objects.get(hall=world.city, letter="A")
    flag = SurgeFlag.objects.create(
        hall=world.city,
        category=queue,
        department=world.police,
        date=local_date(),
        checked_until=dt.time(10, 30),
        arrivals=26,
        baseline=12.5,
        ratio=1.08,
        raised_at=timezone.now(),
        notified_at=timezone.now(),
    )
    day = _last_working_day(world.city)
    tickets(world.city, queue, day, hour=10, count=60, service_minutes=10)
    clerk = staff_user("clerk-browser", role=roles.WINDOW_STAFF, hall_=world.city)
    spell(clerk, world.window_1, at(day, 9), at(day, 12))

    log_in(page, live_server.url, world.supervisor.username)
    page.goto(live_server.url + reverse("staffing-roster"))
    expect(page.get_by_text("客流激增 1 处待处理")).to_be_visible()
    axe_check(page, "roster with the workload flags")
    page.get_by_role("link", name="广州市政务服务中心 A类（综合业务） +108%").click()
    expect(page.get_by_role("heading", name="客流激增：广州市政务服务中心 A类（综合业务）")).to_be_visible()
    axe_check(page, "surge flag")
    page.get_by_label("处理结果", exact=True).select_option("extra_staff")
    page.get_by_role("button", name="登记").click()
    expect(page.get_by_text("增派人数须为1至50之间的整数。")).to_be_visible()
    page.get_by_label("增派人数").fill("2")
    page.get_by_label("处理说明").fill("公安局下午增派两名窗口人员")
    page.get_by_role("button", name="登记").click()
    expect(page.get_by_text("已登记处理结果。")).to_be_visible()
    flag.refresh_from_db()
    assert (flag.status, flag.extra_staff) == ("handled", 2)

    page.goto(live_server.url + reverse("staffing-roster"))
    page.get_by_role("link", name="窗口配置测算").first.click()
    expect(page.get_by_role("heading", name="窗口配置测算")).to_be_visible()
    page.get_by_label("日期").fill(day.isoformat())
    page.get_by_role("button", name="测算").click()
    expect(page.get_by_text("已过去的时段按当天实际取号测算。")).to_be_visible()
    ten = page.locator('tr[data-hour="10"]')
    expect(ten).to_have_attribute("data-verdict", "under")
    # 60 people × 10 minutes in the hour (a = 10): 11 windows call 80 % within 15 minutes.
    expect(ten.get_by_text("不足（需 11 个）")).to_be_visible()
    axe_check(page, "planner")
    page.get_by_label("目标比例（%）").fill("95")
    page.get_by_role("button", name="测算").click()
    expect(page.locator('tr[data-hour="10"]').get_by_text("不足（需 12 个）")).to_be_visible()
    page.get_by_label("目标比例（%）").fill("100")
    page.get_by_role("button", name="测算").click()
    expect(page.get_by_text("目标比例须在50%至99%之间。")).to_be_visible()
    axe_check(page, "planner with a form error")
