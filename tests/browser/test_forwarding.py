"""Forwarding (转办, Art. 12) in real Chromium: Tianhe forwards a citywide item to the city centre,
which takes it over from its forwarding inbox; the applicant's progress page says where the case
is; axe on each page."""

from __future__ import annotations

import pytest

from cases.models import Case, Forwarding
from catalog.models import GuideVersion
from tests.browser.test_console_dashboard import log_in
from tests.cases.factories import MOBILE, PERSON, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_forward_take_over_and_follow_the_case(live_server, page, axe_check) -> None:
    from playwright.sync_api import expect

    world = make_world()
    GuideVersion.objects.filter(item=world.licence).update(citywide=True)
    base = live_server.url

    # Tianhe receives the application by post (收件), without accepting it, to forward it.
    log_in(page, base, world.tianhe_clerk.username)
    page.goto(f"{base}/staff/cases/new/?item={world.licence.code}")
    page.get_by_label("申请人姓名或单位名称").fill(PERSON.name)
    page.get_by_label("居民身份证号码（自然人）").fill(PERSON.id_number)
    page.get_by_label("联系手机").fill(MOBILE)
    for name in ("食品经营许可申请书", "营业执照", "经营场所使用证明"):
        page.get_by_label(name, exact=True).select_option("original")
    page.get_by_role("button", name="收件并转办（通办）").click()
    expect(page.get_by_role("status")).to_contain_text("请选择有管辖权的大厅转办")
    case = Case.objects.get()
    assert case.status == Case.Status.RECEIVED and case.accepted_on is None
    page.get_by_label("转至（有管辖权的大厅）").select_option(label="广州市政务服务中心")
    page.get_by_label("在收件大厅领取").check()
    axe_check(page, "forward form")
    page.get_by_role("button", name="转办", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("已转办至广州市政务服务中心")
    expect(page.locator("#forwarding-heading")).to_be_visible()
    axe_check(page, "case page in transit")

    page.context.clear_cookies()
    log_in(page, base, world.market_clerk.username)
    page.goto(f"{base}/staff/forwarding/")
    expect(page.locator("main")).to_contain_text(case.number)
    axe_check(page, "forwarding inbox")
    page.get_by_role("button", name="接收", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.number)
    expect(page.locator("main")).to_contain_text("已转至广州市政务服务中心办理")
    assert Forwarding.objects.get().status == Forwarding.Status.ACCEPTED
    assert Case.objects.get().hall == world.city
    page.screenshot(path="/tmp/forward_case.png", full_page=True)

    page.context.clear_cookies()
    page.goto(f"{base}/cases/progress/t/{case.progress_token}/")
    expect(page.locator(".progress-result")).to_contain_text("已转至广州市政务服务中心办理")
    # 收件 → 转办 → 受理 → 办结 → 出件: taken over, to be accepted; collected where chosen.
    expect(page.locator(".progress-steps li")).to_have_count(5)
    expect(page.locator('.progress-steps [aria-current="step"]')).to_contain_text("受理")
    expect(page.locator(".progress-result")).to_contain_text("在天河区政务服务中心窗口领取（申请人转办时选择）")
    axe_check(page, "progress page")
    page.set_viewport_size({"width": 360, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
