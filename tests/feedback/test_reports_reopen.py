"""重新转派 (再次督办): a report whose matter was not done, or whose reporter was not satisfied at the
follow-up call, goes back to the departments with a reason, a new reply date and its history kept;
the old intermediate date (督办节点) is not shown as current once the report is resolved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from feedback import reports
from feedback.models_reports import Report
from servicehall.models import AuditEvent
from tests.cases.factories import at
from tests.feedback.reports_world import MOBILE, register, report_world

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def world():
    return report_world()


def _closed_unsatisfied(world) -> Report:
    report = register(world)
    t = at(D(2026, 3, 3))
    reports.report_assign(report=report, actor=world.supervisor, departments=[world.police], now=t)
    reports.report_note(report=report, actor=world.supervisor, note="督促。", next_check_on=D(2026, 3, 6), now=t)
    reports.report_resolve(report=report, actor=world.police_chief, resolution="已答复政策。", matter_done=True, now=t)
    reports.report_follow_up(report=report, actor=world.supervisor, reached=True, satisfied=False, now=t)
    report.refresh_from_db()
    return report


def test_an_unsatisfied_follow_up_can_be_sent_back_with_a_reason_and_a_new_date(world) -> None:
    report = _closed_unsatisfied(world)
    assert report.next_check_on is None  # the intermediate date belonged to the open report
    assert "reopen" in reports.allowed_steps(world.supervisor, report)
    assert "reopen" not in reports.allowed_steps(world.police_chief, report)
    with pytest.raises(reports.ReportError) as refused:
        reports.report_reopen(report=report, actor=world.supervisor, reason="  ")
    assert refused.value.status == 400 and set(refused.value.errors) == {"reason"}
    with pytest.raises(reports.ReportError) as refused:
        reports.report_reopen(report=report, actor=world.police_chief, reason="不满意")
    assert refused.value.status == 403
    t = at(D(2026, 3, 10))
    reports.report_reopen(
        report=report, actor=world.supervisor, reason="回访不满意：仍未办成。", departments=[world.market], now=t
    )
    report.refresh_from_db()
    assert report.status == Report.Status.ASSIGNED
    assert report.resolved_at is None and report.resolution == "" and report.matter_done is None
    assert report.followed_up_at is None and report.reached is None and report.satisfied is None
    assert report.due_on > D(2026, 3, 10) and report.flag == ""
    assert set(report.assignments.values_list("department__code", flat=True)) == {"GZGA", "GZSCJG"}
    kinds = list(report.events.values_list("kind", flat=True))
    assert kinds == ["registered", "assigned", "note", "answered", "resolved", "followed_up", "reopened"]
    event = report.events.get(kind="reopened")
    assert event.note == "回访不满意：仍未办成。" and event.data["satisfied"] is False
    assert event.data["departments"] == ["GZSCJG"]
    assert AuditEvent.objects.filter(action="report.reopened", target_id=str(report.pk)).exists()
    # The loop goes on: both departments answer again, the supervisor follows up again.
    reports.report_resolve(report=report, actor=world.market_chief, resolution="已办成。", matter_done=True)
    reports.report_resolve(report=report, actor=world.police_chief, resolution="已配合办理。", matter_done=True)
    reports.report_follow_up(report=report, actor=world.supervisor, reached=True, satisfied=True)
    report.refresh_from_db()
    assert report.status == Report.Status.FOLLOWED_UP
    with pytest.raises(reports.ReportError) as refused:
        reports.report_reopen(report=report, actor=world.supervisor, reason="再次")
    assert refused.value.status == 409


def test_a_resolution_saying_the_matter_was_not_done_may_be_sent_back(world) -> None:
    report = register(world)
    reports.report_assign(report=report, actor=world.supervisor, departments=[world.police])
    reports.report_resolve(report=report, actor=world.police_chief, resolution="缺少依据。", matter_done=False)
    report.refresh_from_db()
    assert "reopen" in reports.allowed_steps(world.supervisor, report)
    with pytest.raises(reports.ReportError) as refused:
        reports.report_reopen(report=report, actor=world.supervisor, reason="x", departments=[world.police])
    assert refused.value.status == 409 and refused.value.code == "duplicate"
    reports.report_reopen(report=report, actor=world.supervisor, reason="协调市场监管部门出具意见。")
    assert Report.objects.get(pk=report.pk).status == Report.Status.ASSIGNED


def test_a_done_and_satisfied_report_is_not_reopened(world) -> None:
    report = register(world)
    reports.report_assign(report=report, actor=world.supervisor, departments=[world.police])
    reports.report_resolve(report=report, actor=world.police_chief, resolution="已办成。", matter_done=True)
    report.refresh_from_db()
    assert "reopen" not in reports.allowed_steps(world.supervisor, report)
    with pytest.raises(reports.ReportError) as refused:
        reports.report_reopen(report=report, actor=world.supervisor, reason="想再看看")
    assert refused.value.status == 409


def test_the_page_and_the_api_send_it_back(client, world) -> None:
    report = _closed_unsatisfied(world)
    client.force_login(world.supervisor)
    detail = client.get(reverse("report-detail", args=[report.number])).content.decode()
    assert "重新转派" in detail
    assert "2026-03-06" in detail  # in the history
    assert "<dt>督办节点</dt>" not in detail  # not as the current date
    assert MOBILE not in detail
    url = reverse("report-action", args=[report.number, "reopen"])
    response = client.post(url, {"reopen-reason": ""})
    assert response.status_code == 400 and "请写明重新转派的原因" in response.content.decode()
    response = client.post(url, {"reopen-reason": "不满意，请再办。", "reopen-departments": [world.market.pk]})
    assert response.status_code == 302
    assert Report.objects.get(pk=report.pk).status == "assigned"
    # The API: refused while open (409), then the same loop again through it.
    api = f"/api/v1/reports/{report.number}/reopen/"
    assert client.post(api, {"reason": "x"}, content_type="application/json").status_code == 409
    client.force_login(world.police_chief)
    client.post(
        f"/api/v1/reports/{report.number}/resolve/",
        {"resolution": "仍无法办理。", "matter_done": False},
        content_type="application/json",
    )
    # Sent back to the police and the market too: resolved once both have answered.
    assert client.get(f"/api/v1/reports/{report.number}/").json()["status"] == "assigned"
    client.force_login(world.market_chief)
    client.post(
        f"/api/v1/reports/{report.number}/resolve/",
        {"resolution": "本部门无相关事项。", "matter_done": False},
        content_type="application/json",
    )
    client.force_login(world.supervisor)
    assert client.post(api, {}, content_type="application/json").status_code == 400
    unknown = client.post(api, {"reason": "再办", "departments": ["NOPE"]}, content_type="application/json")
    assert unknown.status_code == 422
    again = client.post(api, {"reason": "再办"}, content_type="application/json")
    assert again.status_code == 200, again.content
    body = again.json()
    assert body["status"] == "assigned" and body["next_check_on"] is None
    assert [e["kind"] for e in body["events"]][-1] == "reopened"


def test_the_schema_documents_the_reopen_endpoint(client) -> None:
    schema = client.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    assert "/api/v1/reports/{number}/reopen/" in schema.content.decode()
