"""Accepting an application in real Chromium (issue 10): the clerk calls a ticket, accepts an
application with a material to follow (容缺受理) from the console, prints the acceptance notice,
and the applicant finds the case on the public progress page; axe on each page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases.models import Case
from catalog import services as catalog_services
from queueing import services as queue_services
from queueing.models import QueueCategory
from tests.browser.test_console_dashboard import log_in
from tests.browser.test_kiosk_board import not_at_midnight, open_around_the_clock
from tests.cases.factories import MOBILE, PERSON, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_call_accept_with_a_material_to_follow_print_and_look_it_up(live_server, page, axe_check) -> None:
    from playwright.sync_api import expect

    not_at_midnight()
    world = make_world()
    catalog_services.calendar_fill_year(year=2027)  # a deadline may run into next year
    open_around_the_clock(world.city)
    category = QueueCategory.objects.create(hall=world.city, letter="A", name="综合业务", order=1)
    category.items.add(world.licence)
    queue_services.ticket_issue(hall=world.city, category=category, source="kiosk")
    base = live_server.url

    log_in(page, base, world.clerk.username)
    page.get_by_role("button", name="叫下一号").click()
    expect(page.locator(".current-number")).to_have_text("A001")
    page.get_by_role("link", name="受理申请（A001）").click()

    # The item of the ticket's queue, then its checklist under the current guide.
    page.get_by_label("申请事项").select_option(label=f"{world.licence.code} 食品经营许可")
    page.get_by_role("button", name="打开该事项的材料清单").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("食品经营许可")
    page.get_by_label("申请人姓名或单位名称").fill(PERSON.name)
    page.get_by_label("居民身份证号码（自然人）").fill(PERSON.id_number)
    page.get_by_label("联系手机").fill(MOBILE)
    page.get_by_label("食品经营许可申请书", exact=True).select_option("original")
    page.get_by_label("营业执照", exact=True).select_option("copy")
    page.get_by_label("经营场所使用证明", exact=True).select_option("missing")
    axe_check(page, "application form")
    page.get_by_role("button", name="容缺受理").click()

    expect(page.get_by_role("status")).to_contain_text("已容缺受理")
    case = Case.objects.get()
    assert case.ticket is not None and case.ticket.number == "A001" and case.deferred
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.number)
    expect(page.locator("body")).not_to_contain_text(MOBILE)
    axe_check(page, "case page")

    page.get_by_role("link", name="打印受理通知书").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("受理通知书")
    expect(page.locator("main")).to_contain_text(case.number)
    expect(page.locator("main")).to_contain_text("经营场所使用证明")
    expect(page.get_by_role("img", name="办件进度查询二维码")).to_be_visible()
    axe_check(page, "acceptance notice")
    page.emulate_media(media="print")
    expect(page.locator(".print-toolbar")).to_be_hidden()
    page.emulate_media(media="screen")

    # The applicant, signed out, looks the case up with the last four digits of the mobile.
    page.context.clear_cookies()
    page.goto(f"{base}/cases/progress/")
    page.get_by_label("办件编号").fill(case.number)
    page.get_by_label("手机号码或证件号码后四位").fill("0000")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_role("alert")).to_contain_text("没有找到")
    axe_check(page, "progress look-up refused")
    page.get_by_label("手机号码或证件号码后四位").fill(MOBILE[-4:])
    page.get_by_role("button", name="查询").click()
    result = page.locator(".progress-result")
    expect(result).to_contain_text("已受理")
    expect(result).to_contain_text("经营场所使用证明")
    expect(page.locator("body")).not_to_contain_text(PERSON.name)
    axe_check(page, "progress")
    # Only the refused look-up's answer (404, the same for an unknown number and wrong digits).
    refused = [e for e in page.console_errors if "status of 404" in e]
    assert len(refused) == 1, page.console_errors
    assert [e for e in page.console_errors if e not in refused] == [], page.console_errors


def test_a_department_clerk_issues_a_notice_during_review_from_the_case_page(live_server, page, axe_check) -> None:
    from playwright.sync_api import expect

    not_at_midnight()
    world = make_world()
    catalog_services.calendar_fill_year(year=2027)  # a deadline may run into next year
    case = world.receive(world.licence, now=timezone.now(), outcome="accept")
    case_services.case_review_start(case=case, actor=world.market_clerk)
    base = live_server.url

    log_in(page, base, world.market_clerk.username)
    page.goto(f"{base}{reverse('case-detail', args=[case.number])}")
    page.get_by_text("审查中发现材料需要补正（暂停计时）").click()
    page.get_by_label("“营业执照”是否需要补正").select_option("defective")
    page.get_by_label("“营业执照”补正要求").fill("经营范围与申请不符")
    axe_check(page, "case page with the notice form")
    page.get_by_role("button", name="出具一次性告知书").click()

    status = page.get_by_role("status")
    expect(status).to_contain_text("已出具第1次一次性告知书")
    case.refresh_from_db()
    assert case.status == Case.Status.CORRECTION and case.clock_stopped_on is not None
    expect(page.locator("#notices-heading")).to_be_visible()
    expect(page.locator("main")).to_contain_text("经营范围与申请不符")
    axe_check(page, "case page after the notice")
    status.get_by_role("link", name="打印一次性告知书交申请人").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("一次性告知书")
    expect(page.locator("main")).to_contain_text("经营范围与申请不符")
    assert page.console_errors == [], page.console_errors
