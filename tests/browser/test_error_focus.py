"""After a refused submit, focus is on the error summary (finding 7): keyboard and screen-reader
users start from the list of what to fix instead of the top of the page. static/js/portal.js
focuses ``[data-error-summary]`` on load (no inline script: the CSP allows none). Real Chromium,
the three citizens' forms (a booking, a "办不成事" report and an online ticket), the report form
staff fill in at the window, and the kiosk's."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from appointments.models import Slot
from tests.browser.test_booking import before_the_last_slot, booking_hall
from tests.browser.test_kiosk_board import not_at_midnight, open_around_the_clock
from tests.feedback.reports_world import report_world
from tests.queueing.factories import id_number, make_queue_hall

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def summary_is_focused(page, *expected: str) -> None:
    from playwright.sync_api import expect

    summary = page.locator("[data-error-summary]")
    expect(summary).to_have_count(1)
    expect(summary).to_be_focused()
    for text in expected:
        expect(summary).to_contain_text(text)
    assert page.evaluate("document.activeElement.getAttribute('tabindex')") == "-1"
    # Tab goes on from the summary into its links, not back to the top of the page.
    page.keyboard.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('[data-error-summary]')")


def test_an_empty_booking_form_focuses_its_error_summary(live_server, page, axe_check) -> None:
    before_the_last_slot()
    hall = booking_hall()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    slot = Slot.objects.filter(hall=hall, date=tomorrow).order_by("-starts_at").first()
    assert slot is not None

    page.goto(f"{live_server.url}/book/slot/{slot.pk}/")
    page.get_by_role("button", name="提交预约").click()

    summary_is_focused(page, "未能提交预约，请按提示修改：", "请填写姓名。")
    axe_check(page, "booking form with its summary focused")
    assert [e for e in page.console_errors if "status of 400" not in e] == []


def test_an_empty_report_shows_an_error_summary_and_focuses_it(live_server, page, axe_check) -> None:
    report_world()

    page.goto(f"{live_server.url}/report/")
    page.get_by_role("button", name="提交反映").click()

    summary_is_focused(page, "请按提示修改后重新提交，本次未保存任何内容。", "请写明遇到了什么问题")
    # Each message links to its field.
    page.locator("[data-error-summary]").get_by_role("link", name="请写明遇到了什么问题").first.click()
    from playwright.sync_api import expect

    expect(page.locator("#id_problem")).to_be_focused()
    axe_check(page, "report form with its summary focused")
    assert [e for e in page.console_errors if "status of 400" not in e] == []


def test_an_empty_online_ticket_focuses_its_error_summary(live_server, page, axe_check) -> None:
    not_at_midnight()
    qh = make_queue_hall("FOCUS")
    open_around_the_clock(qh.hall)

    page.goto(f"{live_server.url}/halls/FOCUS/take/")
    page.get_by_role("button", name="确认取号").click()

    summary_is_focused(page, "未能取号，请按提示修改：", "请选择要办理的业务。")
    axe_check(page, "online ticket form with its summary focused")
    assert [e for e in page.console_errors if "status of 400" not in e] == []


def test_an_empty_report_entered_by_staff_focuses_its_error_summary(live_server, page, axe_check) -> None:
    from playwright.sync_api import expect

    from tests.browser.test_console_dashboard import log_in

    world = report_world()
    log_in(page, live_server.url, world.market_clerk.username)
    page.goto(f"{live_server.url}/staff/reports/new/")
    page.get_by_role("button", name="受理").click()

    summary_is_focused(page, "请按提示修改后重新提交，本次未保存任何内容。", "请写明遇到了什么问题")
    page.locator("[data-error-summary]").get_by_role("link", name="请写明遇到了什么问题").first.click()
    expect(page.locator("#id_problem")).to_be_focused()
    axe_check(page, "staff report form with its summary focused")
    assert [e for e in page.console_errors if "status of 400" not in e] == []


def test_a_refused_kiosk_ticket_focuses_its_error_summary(live_server, page, axe_check) -> None:
    from playwright.sync_api import expect

    not_at_midnight()
    qh = make_queue_hall("KFOCUS")
    open_around_the_clock(qh.hall)

    page.goto(f"{live_server.url}/halls/KFOCUS/kiosk/")
    # An ID card reader types a number with a wrong check character and Enter, which reads it
    # (no ticket) and finds it wrong.
    wrong = id_number("19900307")[:-1] + ("0" if id_number("19900307")[-1] != "0" else "1")
    page.get_by_label("身份证号码（选填）").fill(wrong)
    page.get_by_label("身份证号码（选填）").press("Enter")

    summary_is_focused(page, "未能取号，请按提示修改后重新选择业务：", "身份证号码校验位不正确")
    # Its message leads to the field, where the number typed stays to be corrected.
    page.locator("[data-error-summary]").get_by_role("link", name=re.compile("身份证号码校验位不正确")).click()
    expect(page.get_by_label("身份证号码（选填）")).to_be_focused()
    expect(page.get_by_label("身份证号码（选填）")).to_have_value(wrong)
    axe_check(page, "kiosk with its summary focused")
    assert [e for e in page.console_errors if "status of 400" not in e] == []


def test_an_incomplete_rating_focuses_its_error_summary(live_server, page, axe_check) -> None:
    from playwright.sync_api import expect

    from queueing import services as queue_services
    from queueing.models import QueueCategory
    from tests.cases.factories import make_world

    not_at_midnight()
    world = make_world()
    open_around_the_clock(world.city)
    category = QueueCategory.objects.create(hall=world.city, letter="A", name="综合业务", order=1)
    queue_services.ticket_issue(hall=world.city, category=category, source="kiosk")
    called = queue_services.ticket_call_next(window=world.window, staff=world.clerk)
    queue_services.ticket_start(window=world.window, ticket=called, staff=world.clerk)
    queue_services.ticket_finish(window=world.window, ticket=called, staff=world.clerk)

    page.goto(f"{live_server.url}/ratings/t/{called.token}/")
    page.get_by_role("group", name="整体满意度").get_by_label("不满意", exact=True).check()
    page.get_by_role("button", name="提交评价").click()

    summary_is_focused(page, "未能提交评价，请按提示修改：", "请评价服务态度。")
    # A level is a group of radio buttons: the link goes to its first choice.
    page.locator("[data-error-summary]").get_by_role("link", name="请评价服务态度。").click()
    expect(page.get_by_role("group", name="服务态度").get_by_role("radio").first).to_be_focused()
    axe_check(page, "rating form with its summary focused")
    assert [e for e in page.console_errors if "status of 400" not in e] == []


def test_an_empty_case_application_lists_its_mistakes_and_focuses_them(live_server, page, axe_check) -> None:
    from playwright.sync_api import expect

    from tests.browser.test_console_dashboard import log_in
    from tests.cases.factories import make_world

    not_at_midnight()
    world = make_world()
    open_around_the_clock(world.city)
    log_in(page, live_server.url, world.clerk.username)
    page.goto(f"{live_server.url}/staff/windows/{world.window.pk}/cases/new/?item={world.licence.code}")
    page.get_by_role("button", name="受理", exact=True).click()

    summary_is_focused(page, "请按提示修改后重新提交，本次未保存任何内容。")
    links = page.locator("[data-error-summary] a")
    assert links.count() >= 2
    # Each message leads to its field.
    first = links.first
    target = first.get_attribute("href")
    first.click()
    expect(page.locator(target)).to_be_focused()
    axe_check(page, "case application with its summary focused")
    assert [e for e in page.console_errors if "status of 400" not in e] == []
