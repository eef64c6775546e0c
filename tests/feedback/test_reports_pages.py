"""The “办不成事” pages and API: the public form (CSRF, no login), the reference and private link
shown once, the private progress page; the staff entry; the list with filters, per-category counts
and constant query counts; the loop's forms with their refusals; the open reports on a hall's live
dashboard; the QR codes on slip and board; the API's steps and errors; the admin's hall rule; and
no mobile number or token in any log line."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from feedback import form_tokens, reports
from feedback.models_reports import Report
from queueing.models import Window
from servicehall.clock import local_date
from tests.cases.factories import at
from tests.feedback.reports_world import MOBILE, register, report_world

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def world():
    return report_world()


def _form(world, **overrides) -> dict[str, str]:
    data = {
        "hall": str(world.city.pk),
        "window_number": "",
        "item": str(world.hukou.pk),
        "tried_on": local_date().isoformat(),
        "category": str(reports.ReportCategory.objects.get(code="staff_conduct").pk),
        "problem": "窗口说材料不全，但指南里没有写这份材料，让我回去补。",
        "contact_name": "林先生",
        "mobile": MOBILE,
        "form_token": form_tokens.issue(),
    }
    data.update(overrides)
    return data


def test_the_public_form_registers_and_shows_the_reference_and_link_once(world) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    page = client.get("/report/")
    assert page.status_code == 200
    assert "“办不成事”反映" in page.content.decode()
    token = page.cookies["csrftoken"].value
    # Without the CSRF token: refused.
    assert client.post("/report/", _form(world)).status_code == 403
    response = client.post("/report/", {**_form(world), "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == reverse("report-thanks")
    report = Report.objects.get()
    assert report.channel == "online" and report.registered_by is None
    thanks = client.get(response["Location"])
    body = thanks.content.decode()
    assert report.number in body and f"/report/t/{report.progress_token}/" in body
    assert thanks["X-Robots-Tag"] == "noindex, nofollow"
    again = client.get(reverse("report-thanks")).content.decode()
    assert report.progress_token not in again and report.number not in again
    progress = client.get(f"/report/t/{report.progress_token}/")
    text = progress.content.decode()
    assert progress.status_code == 200 and report.number in text and "已受理" in text
    assert "林先生" not in text and MOBILE not in text and "139****" not in text


def test_bad_input_on_the_public_form_is_400_beside_the_fields(client, world) -> None:
    response = client.post("/report/", _form(world, problem="", mobile="1234", window_number="99"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "该大厅没有99号窗口" in body
    response = client.post("/report/", _form(world, problem="", mobile="1234"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "请写明遇到了什么问题" in body and "请输入11位中国大陆手机号码" in body
    assert Report.objects.count() == 0


def test_the_progress_steps_say_which_are_done() -> None:
    from feedback.views_reports import progress_steps

    assert progress_steps(Report.Status.REGISTERED) == [
        ("已受理", "current"),
        ("已转派", "todo"),
        ("已办结", "todo"),
        ("已回访", "todo"),
    ]
    assert [state for _label, state in progress_steps(Report.Status.RESOLVED)] == ["done", "done", "current", "todo"]
    assert {state for _label, state in progress_steps(Report.Status.FOLLOWED_UP)} == {"done", "current"}


def test_the_progress_page_marks_the_steps(client, world) -> None:
    client.post("/report/", _form(world))
    report = Report.objects.get()
    body = client.get(f"/report/t/{report.progress_token}/").content.decode()
    assert '<li class="step step-current" aria-current="step">' in body and body.count("step-todo") == 3
    assert "（当前）" in body and "（未开始）" in body


def test_an_unknown_progress_token_is_404(client, world) -> None:
    assert client.get("/report/t/" + "x" * 24 + "/").status_code == 404


def test_staff_enter_a_report_at_the_window_and_get_a_receipt(client, world) -> None:
    client.force_login(world.market_clerk)  # not signed in at a window: the workbench
    home = client.get("/staff/").content.decode()
    assert reverse("report-new") in home
    assert client.get(reverse("report-new")).status_code == 200
    response = client.post(reverse("report-new"), _form(world))
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.channel == "window" and report.registered_by == world.market_clerk
    receipt = client.get(response["Location"]).content.decode()
    assert report.number in receipt and report.progress_token in receipt
    assert report.progress_token not in client.get(response["Location"]).content.decode()
    # A hall that is not theirs: not offered, and refused.
    response = client.post(reverse("report-new"), _form(world, hall=str(world.tianhe.pk)))
    assert response.status_code == 400


def test_anonymous_and_staff_of_no_hall_cannot_open_the_list(client, world) -> None:
    from servicehall import roles
    from tests.servicehall.factories import staff_user

    assert client.get(reverse("supervisor-reports")).status_code == 302
    client.force_login(staff_user("no-hall-clerk", role=roles.WINDOW_STAFF))
    assert client.get(reverse("report-list")).status_code == 403


def _many(world, n: int) -> None:
    for k in range(n):
        r = register(world, online=True, now=at(D(2026, 3, 2), 9 + k % 8))
        if k % 2:
            reports.report_assign(report=r, actor=world.supervisor, departments=[world.police, world.market])


def test_the_list_filters_counts_per_category_and_keeps_its_query_count(client, world, settings) -> None:
    settings.THROTTLE_REPORT_IP = "1000/hour"
    client.force_login(world.supervisor)
    empty = client.get(reverse("supervisor-reports"))
    assert empty.status_code == 200 and "暂无反映" in empty.content.decode()
    _many(world, 3)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("supervisor-reports")).status_code == 200
        return len(queries)

    few = count()
    _many(world, 9)
    assert count() == few
    page = client.get(reverse("supervisor-reports"), {"status": "assigned", "category": "cross_department"})
    body = page.content.decode()
    assert page.status_code == 200 and "跨部门协同" in body
    assert len(page.context["page"].object_list) == 5
    assert page.context["counts"][0]["total"] == 5
    assert client.get(reverse("supervisor-reports"), {"status": "nonsense"}).status_code == 400
    assert client.get(reverse("supervisor-reports"), {"page": "x"}).status_code == 400
    nothing = client.get(reverse("supervisor-reports"), {"flag": "red"}).content.decode()
    assert "没有符合条件的反映" in nothing
    # htmx: the rows alone.
    fragment = client.get(reverse("supervisor-reports"), {"status": "assigned"}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()


def test_the_chief_sees_what_was_assigned_to_the_department(client, world) -> None:
    mine = register(world)
    other = register(world)
    reports.report_assign(report=mine, actor=world.supervisor, departments=[world.police])
    reports.report_assign(report=other, actor=world.supervisor, departments=[world.market])
    client.force_login(world.police_chief)
    listed = client.get(reverse("report-list")).context["page"].object_list
    assert [r.number for r in listed] == [mine.number]
    assert client.get(reverse("report-detail", args=[other.number])).status_code == 404
    assert "待办结：1" in client.get("/staff/").content.decode()


def test_the_loop_through_the_pages_with_refusals_beside_the_fields(client, world) -> None:
    report = register(world)
    client.force_login(world.supervisor)
    detail = client.get(reverse("report-detail", args=[report.number]))
    assert detail.status_code == 200 and "转派" in detail.content.decode()
    url = lambda action: reverse("report-action", args=[report.number, action])  # noqa: E731
    response = client.post(url("assign"), {"assign-departments": []})
    assert response.status_code == 400 and "请至少选择一个责任部门" in response.content.decode()
    assert client.post(url("assign"), {"assign-departments": [world.police.pk]}).status_code == 302
    assert client.post(url("note"), {"note-note": "", "note-next_check_on": ""}).status_code == 400
    assert client.post(url("note"), {"note-note": "已督促。", "note-next_check_on": "2099-01-01"}).status_code == 302
    # A clerk may not resolve: 403.
    client.force_login(world.clerk)
    assert client.post(url("resolve"), {"resolve-resolution": "x", "resolve-matter_done": "yes"}).status_code == 403
    client.force_login(world.police_chief)
    response = client.post(url("resolve"), {"resolve-resolution": "", "resolve-matter_done": ""})
    assert response.status_code == 400 and "办结须写明办理结果" in response.content.decode()
    assert Report.objects.get().status == "assigned"
    response = client.post(url("resolve"), {"resolve-resolution": "已协调办结。", "resolve-matter_done": "yes"})
    assert response.status_code == 302
    client.force_login(world.supervisor)
    detail = client.get(reverse("report-detail", args=[report.number])).content.decode()
    assert MOBILE in detail  # the number to call, to the supervisor making the follow-up call
    response = client.post(url("follow_up"), {"follow_up-reached": "yes", "follow_up-satisfied": "yes"})
    assert response.status_code == 302
    detail = client.get(reverse("report-detail", args=[report.number])).content.decode()
    assert MOBILE not in detail and "139****5678" in detail
    # A step the report is past: 409 on the form.
    response = client.post(url("assign"), {"assign-departments": [world.market.pk]})
    assert response.status_code == 409


def test_the_hall_dashboard_shows_open_reports_in_a_constant_number_of_queries(client, world, settings) -> None:
    settings.THROTTLE_REPORT_IP = "1000/hour"
    client.force_login(world.supervisor)
    url = reverse("supervisor-hall", args=[world.city.code])
    _many(world, 2)

    def count() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries), response.content.decode()

    few, body = count()
    assert 'data-figure="reports-open"' in body
    _many(world, 8)
    many, body = count()
    assert many == few
    assert ">10</a>" in body


def test_the_slip_and_the_board_carry_the_report_form_qr(client, world) -> None:
    from queueing import services as queue_services
    from queueing.models import QueueCategory

    category = QueueCategory.objects.create(hall=world.city, letter="A", name="综合")
    ticket = queue_services.ticket_issue(
        hall=world.city, category=category, source="kiosk", now=at(D(2026, 3, 2))
    ).ticket
    slip = client.get(reverse("queue-slip", args=[ticket.token]))
    assert slip.status_code == 200
    assert "“办不成事”网上反映的二维码" in slip.content.decode()
    board = client.get(reverse("queue-board", args=[world.city.code])).content.decode()
    assert "“办不成事”网上反映的二维码" in board and "data:image/svg+xml" in board


def test_the_api_registers_follows_and_moves_a_report(client, world) -> None:
    body = {
        "hall": world.city.code,
        "tried_on": local_date().isoformat(),
        "category": "system_fault",
        "problem": "自助机打印证明提示系统繁忙，没有办成。",
        "contact_name": "林先生",
        "mobile": MOBILE,
    }
    created = client.post("/api/v1/reports/online/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    receipt = created.json()
    assert set(receipt) == {"number", "progress_token", "due_on"}
    blank = client.post("/api/v1/reports/online/", {**body, "problem": " "}, content_type="application/json")
    assert blank.status_code == 400 and set(blank.json()["errors"]) == {"problem"}
    bad = client.post("/api/v1/reports/online/", {**body, "category": "nope"}, content_type="application/json")
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"category"}
    progress = client.post(
        "/api/v1/report-progress/", {"token": receipt["progress_token"]}, content_type="application/json"
    )
    assert progress.status_code == 200 and progress.json()["status"] == "registered"
    assert MOBILE not in progress.content.decode() and "林先生" not in progress.content.decode()
    assert (
        client.post("/api/v1/report-progress/", {"token": "x" * 30}, content_type="application/json").status_code == 404
    )
    assert client.get("/api/v1/reports/").status_code == 401  # not signed in
    number = receipt["number"]
    client.force_login(world.supervisor)
    listed = client.get("/api/v1/reports/", {"status": "registered"}).json()
    assert [r["number"] for r in listed["results"]] == [number]
    assert MOBILE not in json.dumps(listed)
    assigned = client.post(
        f"/api/v1/reports/{number}/assign/", {"departments": ["GZGA"]}, content_type="application/json"
    )
    assert assigned.status_code == 200 and assigned.json()["departments"] == ["GZGA"]
    unknown = client.post(
        f"/api/v1/reports/{number}/assign/", {"departments": ["NOPE"]}, content_type="application/json"
    )
    assert unknown.status_code == 422
    client.force_login(world.police_chief)
    refused = client.post(
        f"/api/v1/reports/{number}/resolve/", {"resolution": "", "matter_done": True}, content_type="application/json"
    )
    assert refused.status_code == 400 and "resolution" in refused.json()["errors"]
    done = client.post(
        f"/api/v1/reports/{number}/resolve/",
        {"resolution": "已恢复系统并办结。", "matter_done": True},
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["status"] == "resolved"
    client.force_login(world.supervisor)
    closed = client.post(
        f"/api/v1/reports/{number}/follow-up/", {"reached": True, "satisfied": False}, content_type="application/json"
    )
    assert closed.status_code == 200 and [e["kind"] for e in closed.json()["events"]] == [
        "registered",
        "assigned",
        "answered",
        "resolved",
        "followed_up",
    ]
    counts = client.get("/api/v1/reports/category-counts/").json()
    assert counts == [{"name": "系统故障", "total": 1, "open": 0, "red": 0, "not_done": 0, "code": "system_fault"}]


def test_the_admin_keeps_the_report_window_of_a_city_hall(client, world) -> None:
    from django.contrib.auth import get_user_model

    admin_user = get_user_model().objects.create_superuser("root", password="pw-for-tests-only")
    client.force_login(admin_user)
    window = Window.objects.get(hall=world.city, kind=Window.Kind.CANNOT_HANDLE)
    response = client.post(
        reverse("admin:queueing_window_change", args=[window.pk]),
        {"hall": world.city.pk, "number": window.number, "kind": "specialised"},
    )
    assert response.status_code == 200
    assert "应当设置“办不成事”反映窗口" in response.content.decode()
    assert Window.objects.get(pk=window.pk).kind == "cannot_handle"
    delete = client.get(reverse("admin:queueing_window_delete", args=[window.pk]))
    assert "应当设置“办不成事”反映窗口" in delete.content.decode()
    client.post(reverse("admin:queueing_window_delete", args=[window.pk]), {"post": "yes"})
    assert Window.objects.filter(pk=window.pk).exists()
    # A new district hall without the window is refused, with it accepted.
    base = {
        "code": "NEW",
        "name": "新区政务服务中心",
        "level": "district",
        "district": "tianhe",
        "address": "某路1号",
        "opening_hours-TOTAL_FORMS": "0",
        "opening_hours-INITIAL_FORMS": "0",
        "zones-TOTAL_FORMS": "0",
        "zones-INITIAL_FORMS": "0",
        "windows-TOTAL_FORMS": "1",
        "windows-INITIAL_FORMS": "0",
        "windows-0-number": "1",
        "windows-0-kind": "comprehensive",
    }
    page = client.get(reverse("admin:catalog_hall_add"))
    assert page.status_code == 200
    response = client.post(reverse("admin:catalog_hall_add"), base)
    assert response.status_code == 200
    body = response.content.decode()
    assert "应当设置“办不成事”反映窗口" in body, [
        str(e) for e in (response.context["errors"] if response.context else [])
    ]
    ok = client.post(
        reverse("admin:catalog_hall_add"),
        {**base, "windows-TOTAL_FORMS": "2", "windows-1-number": "8", "windows-1-kind": "cannot_handle"},
    )
    assert ok.status_code == 302, ok.context["errors"] if ok.context else ok
    assert Window.objects.filter(hall__code="NEW", kind="cannot_handle").exists()


def test_no_mobile_number_or_token_in_any_log_line(client, world, caplog, settings) -> None:
    settings.THROTTLE_REPORT_IP = "1000/hour"
    caplog.set_level(logging.DEBUG)
    client.post("/report/", _form(world))
    report = Report.objects.get()
    client.get(f"/report/t/{report.progress_token}/")
    client.post("/report/", _form(world, mobile="bad"))
    client.post("/api/v1/report-progress/", {"token": report.progress_token}, content_type="application/json")
    client.force_login(world.supervisor)
    client.post(reverse("report-action", args=[report.number, "assign"]), {"assign-departments": [world.police.pk]})
    reports.report_flags_run(now=at(D(2030, 1, 2)))
    reports.report_assigned_notify(report.pk, ["GZGA"])
    lines = [record.getMessage() for record in caplog.records]
    assert lines  # something was logged (requests, notifications)
    for line in lines:
        assert MOBILE not in line and report.progress_token not in line and "林先生" not in line


def test_assigning_a_department_without_a_chief_is_refused_on_the_page_and_in_the_api(client, world) -> None:
    from tests.catalog import factories

    social = factories.department(code="GZRS", name="广州市人力资源和社会保障局")
    report = register(world)
    client.force_login(world.supervisor)
    response = client.post(
        reverse("report-action", args=[report.number, "assign"]),
        {"assign-departments": [world.police.pk, social.pk]},
    )
    # Nobody at the hall would answer for the second department: refused, nothing assigned.
    assert response.status_code == 422
    assert response.context["assign_form"].errors["departments"] == [
        "广州市人力资源和社会保障局在本大厅没有在岗的首席事务代表，转派后无人答复：请先登记首席事务代表，或选择其他部门。"
    ]
    refused = client.post(
        f"/api/v1/reports/{report.number}/assign/", {"departments": ["GZRS"]}, content_type="application/json"
    )
    assert refused.status_code == 422 and refused.json()["code"] == "no_chief"
    assert set(refused.json()["errors"]) == {"departments"}
    assert not report.assignments.exists() and Report.objects.get().status == "registered"


def test_the_report_page_and_the_api_show_each_department_s_answer(client, world) -> None:
    report = register(world)
    reports.report_assign(report=report, actor=world.supervisor, departments=[world.police, world.market])
    client.force_login(world.police_chief)
    page = client.get(reverse("report-detail", args=[report.number])).content.decode()
    assert "本部门答复" in page and "提交本部门答复" in page
    response = client.post(
        reverse("report-action", args=[report.number, "resolve"]),
        {"resolve-resolution": "已出具户籍证明。", "resolve-matter_done": "yes"},
    )
    assert response.status_code == 302
    page = client.get(reverse("report-detail", args=[report.number])).content.decode()
    assert "各责任部门答复" in page and "已出具户籍证明。" in page and "尚未答复" in page
    assert "提交本部门答复" not in page
    client.force_login(world.supervisor)
    page = client.get(reverse("report-detail", args=[report.number])).content.decode()
    assert "办结（政务服务管理部门）" in page
    detail = client.get(f"/api/v1/reports/{report.number}/").json()
    answers = {a["department"]: a for a in detail["answers"]}
    assert answers["GZGA"]["answered"] is True and answers["GZGA"]["answer"] == "已出具户籍证明。"
    assert answers["GZGA"]["matter_done"] is True and answers["GZGA"]["answered_by"] == "police-chief"
    assert answers["GZSCJG"] == {**answers["GZSCJG"], "answered": False, "answer": "", "answered_at": None}
    assert detail["status"] == "assigned"
    client.force_login(world.market_chief)
    done = client.post(
        f"/api/v1/reports/{report.number}/resolve/",
        {"resolution": "无需本部门办理。", "matter_done": True},
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["status"] == "resolved"
    assert [a["answered"] for a in done.json()["answers"]] == [True, True]


def test_submitting_the_public_form_twice_registers_one_report(client, world, settings) -> None:
    settings.THROTTLE_REPORT_IP = "1000/hour"
    page = client.get("/report/")
    token = page.context["form_token"]
    assert f'name="form_token" value="{token}"' in page.content.decode()
    data = {**_form(world), "form_token": token}
    first = client.post("/report/", data)
    assert first.status_code == 302 and first["Location"] == reverse("report-thanks")
    report = Report.objects.get()
    # Back and submit again (the receipt seen or not): the same report, its progress, a notice.
    again = client.post("/report/", data, follow=True)
    assert again.redirect_chain[0][0] == f"/report/t/{report.progress_token}/"
    assert f"该反映已经提交并受理（受理编号 {report.number}），没有重复登记。" in again.content.decode()
    assert Report.objects.count() == 1
    # Each rendering of the form carries a fresh token.
    assert client.get("/report/").context["form_token"] != token


def test_the_public_form_without_a_valid_token_saves_nothing(client, world) -> None:
    for bad in ("", "forged-token", form_tokens.issue() + "x"):
        response = client.post("/report/", _form(world, form_token=bad))
        assert response.status_code == 400
        assert "表单已过期，请核对内容后重新提交。" in response.content.decode()
        assert response.context["form_token"]
    assert Report.objects.count() == 0


def test_the_api_refuses_the_same_online_report_again_within_minutes(client, world, settings) -> None:
    settings.THROTTLE_REPORT_IP = "1000/hour"
    body = {
        "hall": world.city.code,
        "tried_on": local_date().isoformat(),
        "category": "system_fault",
        "problem": "自助机打印证明提示系统繁忙，没有办成。",
        "contact_name": "林先生",
        "mobile": MOBILE,
    }
    created = client.post("/api/v1/reports/online/", body, content_type="application/json")
    assert created.status_code == 201
    number = created.json()["number"]
    repeat = client.post("/api/v1/reports/online/", body, content_type="application/json")
    assert repeat.status_code == 409 and repeat.json()["code"] == "duplicate"
    assert number in repeat.json()["detail"] and "progress_token" not in repeat.json()
    assert Report.objects.count() == 1
    other = client.post(
        "/api/v1/reports/online/",
        {**body, "problem": "另一件事：窗口说要先去街道开证明。"},
        content_type="application/json",
    )
    assert other.status_code == 201


def test_a_reporter_finds_the_report_by_reference_and_mobile_number(client, world, caplog) -> None:
    report = register(world)
    page = client.get(reverse("report-find"))
    assert page.status_code == 200 and page["X-Robots-Tag"] == "noindex, nofollow"
    assert reverse("report-find") in client.get("/report/").content.decode()
    # GET never looks anything up: the number stays out of URLs.
    assert client.get(reverse("report-find"), {"number": report.number, "mobile": MOBILE}).status_code == 200
    with caplog.at_level(logging.INFO):
        found = client.post(reverse("report-find"), {"number": report.number.lower(), "mobile": MOBILE})
    assert found.status_code == 302 and found["Location"] == f"/report/t/{report.progress_token}/"
    assert MOBILE not in caplog.text
    wrong = client.post(reverse("report-find"), {"number": report.number, "mobile": "13800138000"})
    unknown = client.post(reverse("report-find"), {"number": "BC209901010001", "mobile": MOBILE})
    assert wrong.status_code == unknown.status_code == 404
    assert "没有找到与该受理编号和手机号码相符的反映" in wrong.content.decode()
    assert wrong.content.decode().replace(report.number, "").count("没有找到") == unknown.content.decode().count(
        "没有找到"
    )
    bad = client.post(reverse("report-find"), {"number": "12", "mobile": "1"})
    assert bad.status_code == 400
    assert set(bad.context["form"].errors) == {"number", "mobile"}


def test_finding_a_report_is_rate_limited(client, world, settings) -> None:
    settings.THROTTLE_REPORT_FIND_NUMBER = "3/hour"
    report = register(world)
    for _k in range(3):
        assert (
            client.post(reverse("report-find"), {"number": report.number, "mobile": "13800138000"}).status_code == 404
        )
    limited = client.post(reverse("report-find"), {"number": report.number, "mobile": MOBILE})
    assert limited.status_code == 429 and "查询过于频繁" in limited.content.decode()


def test_window_clerks_see_their_hall_s_reports_read_only(client, world) -> None:
    report = register(world)
    elsewhere = register(world, online=True, hall=world.tianhe)
    client.force_login(world.market_clerk)  # not signed in at a window: the workbench
    assert "本大厅的“办不成事”反映" in client.get("/staff/").content.decode()
    client.force_login(world.clerk)
    listed = client.get(reverse("report-list"))
    assert listed.status_code == 200
    numbers = [r.number for r in listed.context["page"].object_list]
    assert numbers == [report.number]
    detail = client.get(reverse("report-detail", args=[report.number]))
    assert detail.status_code == 200 and detail.context["steps"] == set()
    assert 'action="/staff/reports/' not in detail.content.decode()
    assert client.get(reverse("report-detail", args=[elsewhere.number])).status_code == 404
    assert (
        client.post(
            reverse("report-action", args=[report.number, "assign"]), {"assign-departments": [world.police.pk]}
        ).status_code
        == 403
    )
    assert [r["number"] for r in client.get("/api/v1/reports/").json()["results"]] == [report.number]
    refused = client.post(
        f"/api/v1/reports/{report.number}/assign/", {"departments": ["GZGA"]}, content_type="application/json"
    )
    assert refused.status_code == 403
    assert not report.assignments.exists()


def test_the_follow_up_outcomes_read_as_words_in_chinese_and_english(client, world) -> None:
    from django.utils import translation

    from feedback.forms_reports import FollowUpForm, ResolveForm

    report = register(world)
    reports.report_assign(report=report, actor=world.supervisor, departments=[world.police])
    reports.report_resolve(report=report, actor=world.police_chief, resolution="已协调办结。", matter_done=True)
    client.force_login(world.supervisor)
    page = client.get(reverse("report-detail", args=[report.number])).content.decode()
    assert "已接通，联系上反映人" in page and "未接通，没有联系上反映人" in page and ">满意<" in page
    assert [label for _v, label in FollowUpForm().fields["reached"].choices][1:] == [
        "已接通，联系上反映人",
        "未接通，没有联系上反映人",
    ]
    assert [str(label) for _v, label in ResolveForm().fields["matter_done"].choices][1:] == ["已办成", "未能办成"]
    client.post(
        reverse("report-action", args=[report.number, "follow_up"]),
        {"follow_up-reached": "yes", "follow_up-satisfied": "no"},
    )
    page = client.get(reverse("report-detail", args=[report.number])).content.decode()
    assert "已接通，反映人不满意" in page
    with translation.override("en"):
        assert str(FollowUpForm().fields["satisfied"].choices[2][1]) == "Not satisfied"


def test_the_footer_links_the_report_form_and_the_published_ratings_on_public_pages(client, world) -> None:
    for url in ("/", "/report/", "/ratings/", reverse("report-find")):
        body = client.get(url).content.decode()
        assert 'href="/report/">办不成事反映</a>' in body, url
        assert 'href="/ratings/">评价公开</a>' in body, url
        # The notices send applicants to "办件进度查询": reachable by clicking (a walkthrough
        # found no link to it anywhere).
        assert 'href="/cases/progress/">办件进度查询</a>' in body, url


@pytest.mark.parametrize("value", ["-5", "0", "1000"])
def test_a_window_number_out_of_range_says_the_range(value, db) -> None:
    # A walkthrough entered -5 and was told "窗口号应为数字" (it is a number).
    from feedback.forms_reports import ReportForm

    form = ReportForm(data={"window_number": value})
    form.is_valid()
    assert form.errors["window_number"] == ["窗口号应为 1 至 999 之间的整数。"]


def test_the_report_forms_hall_list_is_in_the_order_of_the_hall_list_page(client, world) -> None:
    """Finding 22: the stations came before the street centres (levels sorted by their codes)."""
    import re

    from catalog.models import Hall
    from tests.catalog import factories as catalog_factories

    street = catalog_factories.hall(code="AA-ST", name="甲街便民服务中心", level=Hall.Level.STREET)
    catalog_factories.hall(code="AA-ST-01", name="甲社区便民服务站", level=Hall.Level.STATION, parent=street)
    catalog_factories.hall(code="AB", name="乙区政务服务中心", level=Hall.Level.DISTRICT)

    select = re.search(r'<select name="hall".*?</select>', client.get("/report/").content.decode(), re.S)
    assert select is not None
    offered = [int(pk) for pk in re.findall(r'<option value="(\d+)"', select.group(0))]
    levels = [Hall.objects.get(pk=pk).level for pk in offered]
    ranks = [list(Hall.Level.values).index(level) for level in levels]
    assert ranks == sorted(ranks) and levels[0] == Hall.Level.CITY, levels
    listed = re.findall(r'href="/halls/([^/"]+)/"', client.get("/halls/").content.decode())
    assert [Hall.objects.get(pk=pk).code for pk in offered] == listed
