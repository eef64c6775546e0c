"""A “办不成事” report online (Art. 6 ¶1; feedback/reports.py) in real Chromium: the public form sends
an empty report back beside its fields, takes a real one, shows the reference and the private link
once; the link opens the progress page; the hall's supervisor finds the report in the list with
its category counted and assigns it to a department from its page; axe on each page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from feedback.models_reports import Report
from tests.browser.test_console_dashboard import log_in
from tests.feedback.reports_world import MOBILE, report_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_report_online_follow_it_and_the_supervisor_assigns_it(live_server, page, axe_check) -> None:
    from playwright.sync_api import expect

    world = report_world()
    base = live_server.url

    page.goto(base + "/report/")
    expect(page.get_by_role("heading", level=1)).to_have_text("“办不成事”反映")
    axe_check(page, "report form")
    page.get_by_role("button", name="提交反映").click()
    expect(page.locator("#id_problem_error")).to_contain_text("请写明遇到了什么问题")
    expect(page.locator("#id_mobile_error")).to_contain_text("请输入11位中国大陆手机号码")
    assert not Report.objects.exists()
    axe_check(page, "report form with errors")

    page.get_by_label("办事大厅").select_option(label=world.city.name)
    page.get_by_label("问题类别").select_option(label="跨部门协同")
    page.get_by_label("遇到的问题").fill("户口迁入需要原籍证明，两边窗口互相要求先出证明，跑了三次没办成。")
    page.get_by_label("联系人").fill("黄女士")
    page.get_by_label("手机号码").fill(MOBILE)
    page.get_by_role("button", name="提交反映").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("反映已受理")
    report = Report.objects.get()
    expect(page.locator("main")).to_contain_text(report.number)
    link = page.locator("a.report-progress-link")
    expect(link).to_have_attribute("href", f"{base}/report/t/{report.progress_token}/")
    axe_check(page, "report thank-you page")

    link.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(report.number)
    expect(page.locator("main")).to_contain_text("已受理")
    assert MOBILE not in page.content() and "黄女士" not in page.content()
    axe_check(page, "report progress page")
    # The thank-you page shows the link only once.
    page.goto(base + reverse("report-thanks"))
    assert report.progress_token not in page.content()

    log_in(page, base, world.supervisor.username)
    page.goto(base + reverse("supervisor-reports"))
    expect(page.locator("#categories-caption + thead + tbody")).to_contain_text("跨部门协同")
    axe_check(page, "supervisor report list")
    page.get_by_role("link", name=report.number).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(report.number)
    axe_check(page, "report page with its steps")
    page.get_by_role("checkbox", name=world.police.name).check()
    page.get_by_role("button", name="转派", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("已转派")
    report.refresh_from_db()
    assert report.status == Report.Status.ASSIGNED
    assert list(report.assignments.values_list("department__code", flat=True)) == ["GZGA"]
    # The empty report was answered 400, which Chromium logs; nothing else went wrong.
    assert [e for e in page.console_errors if "status of 400" not in e] == []
