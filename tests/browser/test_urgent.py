"""Urgent matters (急事急办, Art. 10 ¶3; cases/urgent.py) in real Chromium: the window records a
request on an accepted case (a too-short 其他 reason first), the department's chief representative
approves it with a shorter limit (the case page shows the badge and the new due date); a second
request is refused (first without a reason), and the written report reaches the hall's supervisor,
who opens its A4 print page; axe on each page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import UrgentRequest, WrittenReport
from catalog import services as catalog_services
from tests.browser.test_console_dashboard import log_in
from tests.browser.test_kiosk_board import not_at_midnight
from tests.cases.factories import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "申请人下周一赴外地住院手术，需在出发前取得许可证"


def test_request_approve_refuse_and_the_written_report(live_server, page, axe_check) -> None:
    from playwright.sync_api import expect

    not_at_midnight()
    world = make_world()
    catalog_services.calendar_fill_year(year=2027)  # a deadline may run into next year
    first = world.receive(world.licence, now=timezone.now(), outcome="accept")
    second = world.receive(world.licence, now=timezone.now(), outcome="accept")
    due_before = first.due_on
    base = live_server.url

    # The counter clerk asks on the case page; 其他 with a short text is sent back beside its field.
    log_in(page, base, world.clerk.username)
    page.goto(base + reverse("case-detail", args=[first.number]))
    page.get_by_role("link", name="登记急事急办申请").click()
    page.get_by_label("急办事由").select_option(label="其他")
    page.get_by_label("具体情况").fill("急着要")
    page.get_by_role("button", name="提交审批").click()
    expect(page.get_by_role("alert")).to_contain_text("本次未保存任何内容")
    expect(page.locator("#id_reason_text_error")).to_contain_text("至少写10个字")
    expect(page.get_by_label("具体情况")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("具体情况")).to_have_value("急着要")  # kept to be corrected
    assert not UrgentRequest.objects.exists()
    page.get_by_label("急办事由").select_option(label="就医")
    page.get_by_label("具体情况").fill(REASON)
    page.get_by_role("button", name="提交审批").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(first.number)
    expect(page.get_by_role("status")).to_contain_text("已登记急事急办申请")
    expect(page.locator("#urgent-heading + ul")).to_contain_text("待审批")
    axe_check(page, "case page with a pending urgent request")
    expect(page.get_by_role("link", name="登记急事急办申请")).to_have_count(0)

    # The same clerk records a request on the second case.
    page.goto(base + reverse("urgent-case-request", args=[second.number]))
    page.get_by_label("急办事由").select_option(label="就医")
    page.get_by_label("具体情况").fill(REASON)
    page.get_by_role("button", name="提交审批").click()
    expect(page.get_by_role("status")).to_contain_text("已登记急事急办申请")

    # The market department's chief representative approves the first with 3 working days.
    page.context.clear_cookies()
    log_in(page, base, world.market_chief.username)
    page.goto(base + reverse("urgent-inbox"))
    pending = page.locator("#urgent-pending + div table")
    expect(pending.locator("tbody tr")).to_have_count(2)
    pending.get_by_role("row").filter(has_text=first.number).get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("急事急办申请")
    expect(page.locator("main")).to_contain_text("剩余 10 个工作日")
    assert first.applicant_name not in page.content() and first.contact_mobile not in page.content()
    axe_check(page, "urgent approval page")
    page.get_by_label("急办承诺时限（工作日）").fill("10")  # not shorter than what is left
    page.get_by_role("button", name="批准", exact=True).click()
    expect(page.locator("#id_approve-promised_days_error")).to_contain_text("须少于当前剩余时限（10个工作日）")
    assert UrgentRequest.objects.get(case=first).status == UrgentRequest.Status.REQUESTED
    page.get_by_label("急办承诺时限（工作日）").fill("3")
    page.get_by_label("审批意见（可选）").fill("同意加急")
    page.get_by_role("button", name="批准", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("已批准急事急办")
    first.refresh_from_db()
    assert first.urgent and first.due_on is not None and due_before is not None and first.due_on < due_before
    new_due = f"{first.due_on:%Y-%m-%d}"
    expect(page.locator("main")).to_contain_text(f"{due_before:%Y-%m-%d} → {new_due}")
    page.get_by_role("link", name=first.number).click()
    expect(page.get_by_role("heading", level=1).locator(".badge")).to_have_text("急事急办")
    expect(page.locator("main")).to_contain_text(new_due)
    expect(page.locator("#urgent-heading + ul")).to_contain_text("承诺 3 个工作日内办结")
    axe_check(page, "case page of an approved urgent case")

    # The second is refused: without a reason first (the error shows), then with one.
    page.goto(base + reverse("case-detail", args=[second.number]))
    page.get_by_role("link", name="审批急事急办申请").click()
    page.get_by_text("不予急办", exact=True).click()
    page.get_by_role("button", name="不予急办并书面报告").click()
    expect(page.locator("#id_refuse-reason_error")).to_have_text("不予急办须写明理由。")
    assert not WrittenReport.objects.exists()
    assert UrgentRequest.objects.get(case=second).status == UrgentRequest.Status.REQUESTED
    axe_check(page, "urgent approval page with the refusal's error")
    page.get_by_label("不予急办理由").fill("须现场核查经营场所，无法压缩时限")
    page.get_by_role("button", name="不予急办并书面报告").click()
    report = WrittenReport.objects.get()
    expect(page.get_by_role("status")).to_contain_text(report.number)
    second.refresh_from_db()
    assert not second.urgent and second.due_on == due_before  # the normal limit stands

    # The hall's supervisor reads the report and opens its print page.
    page.context.clear_cookies()
    log_in(page, base, world.supervisor.username)
    page.goto(base + reverse("urgent-reports"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("1 份未阅")
    row = page.get_by_role("row").filter(has_text=report.number)
    expect(row).to_contain_text("须现场核查经营场所，无法压缩时限")
    axe_check(page, "written reports")
    row.get_by_role("link", name=report.number).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("关于不予急事急办的书面报告")
    main = page.locator("main")
    for text in (report.number, second.number, "须现场核查经营场所，无法压缩时限", REASON, "广州市市场监督管理局"):
        expect(main).to_contain_text(text)
    assert second.applicant_name not in page.content()
    page.emulate_media(media="print")
    expect(page.locator(".print-toolbar")).to_be_hidden()
    pdf = page.pdf(prefer_css_page_size=True)  # @page A4 (static/css/print.css)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1  # one A4 sheet
    page.emulate_media(media="screen")
    axe_check(page, "written report print page")
    page.get_by_role("link", name="返回书面报告").click()
    page.get_by_role("row").filter(has_text=report.number).get_by_role("button", name="阅知").click()
    expect(page.get_by_role("status")).to_contain_text(f"已阅知书面报告{report.number}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("0 份未阅")
    report.refresh_from_db()
    assert report.read_by == world.supervisor and report.read_at is not None
    # Only the refused submissions' answers: the short 其他 reason and the limit not shorter (422),
    # no refusal reason (400).
    refused = [e for e in page.console_errors if "status of 422" in e or "status of 400" in e]
    assert len(refused) == 3, page.console_errors
    assert [e for e in page.console_errors if e not in refused] == [], page.console_errors
