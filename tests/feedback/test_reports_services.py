"""The “办不成事” loop (Art. 6 ¶1): registration with a race-proof reference, the steps and who may
take them, refusals that leave nothing half-saved, the reply deadline across a holiday and the
flag job, and the system check of the hall rule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog import selectors as catalog_selectors
from feedback import reports
from feedback.checks_reports import check_report_windows
from feedback.models_reports import Report, ReportEvent, ReportSequence
from queueing.models import Window
from servicehall.models import AuditEvent
from tests.cases.factories import at
from tests.feedback.reports_world import MOBILE, category, register, report_input, report_world

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def world():
    return report_world()


def test_registration_draws_a_daily_reference_and_a_private_token(world) -> None:
    first = register(world)
    second = register(world, online=True)
    assert first.number == "BC202603020001"
    assert second.number == "BC202603020002"
    assert len(first.progress_token) >= 24 and first.progress_token != second.progress_token
    assert first.channel == Report.Channel.WINDOW and first.registered_by == world.clerk
    assert second.registered_by is None
    # Masked with its digest; whole only until the follow-up call.
    assert first.contact_mobile_masked == "139****5678"
    assert len(first.contact_mobile_digest) == 64 and MOBILE not in first.contact_mobile_digest
    event = ReportEvent.objects.get(report=first)
    assert event.kind == "registered" and event.actor == world.clerk
    audit = AuditEvent.objects.get(action="report.registered", target_id=str(first.pk))
    assert MOBILE not in audit.summary and MOBILE not in str(audit.details) and "黄女士" not in audit.summary


def test_a_report_with_no_content_is_refused_and_nothing_is_saved(world) -> None:
    with pytest.raises(reports.ReportError) as refused:
        register(world, problem="   ", contact_name="", mobile="12345", category=None)
    errors = refused.value.errors
    assert set(errors) == {"problem", "contact_name", "mobile", "category"}
    assert "请写明遇到了什么问题" in errors["problem"][0]
    assert refused.value.status == 400
    assert Report.objects.count() == 0 and ReportEvent.objects.count() == 0
    # The refused registration gave its number back: the next one is still the first of the day.
    assert register(world).number == "BC202603020001"
    assert ReportSequence.objects.get().last == 1


def test_a_date_in_the_future_and_a_window_of_another_hall_are_refused(world) -> None:
    other = Window.objects.get(hall=world.tianhe, kind=Window.Kind.CANNOT_HANDLE)
    with pytest.raises(reports.ReportError) as refused:
        register(world, tried_on=D(2026, 3, 3), window=other)
    assert set(refused.value.errors) == {"tried_on", "window"}


def test_only_staff_of_the_hall_register_at_the_window(world) -> None:
    with pytest.raises(reports.ReportError) as refused:
        reports.report_register(
            data=report_input(world), channel=Report.Channel.WINDOW, actor=world.tianhe_clerk, now=at(D(2026, 3, 2))
        )
    assert refused.value.status == 403
    assert Report.objects.count() == 0


def test_online_reports_are_rate_limited_per_address(world, settings) -> None:
    settings.THROTTLE_REPORT_IP = "2/hour"
    register(world, online=True)
    register(world, online=True)
    with pytest.raises(reports.ReportError) as refused:
        register(world, online=True)
    assert refused.value.status == 429
    assert Report.objects.count() == 2


def test_the_whole_loop_with_who_and_when(world) -> None:
    report = register(world, online=True)
    t = at(D(2026, 3, 3))
    reports.report_assign(report=report, actor=world.supervisor, departments=[world.police, world.market], now=t)
    reports.report_note(
        report=report, actor=world.supervisor, note="已召集两部门协调。", next_check_on=D(2026, 3, 10), now=t
    )
    reports.report_resolve(
        report=report, actor=world.police_chief, resolution="已协调原籍出具证明并当场办结。", matter_done=True, now=t
    )
    reports.report_resolve(
        report=report, actor=world.market_chief, resolution="无需本部门办理。", matter_done=True, now=t
    )
    reports.report_follow_up(report=report, actor=world.supervisor, reached=True, satisfied=True, now=t)
    report.refresh_from_db()
    assert report.status == Report.Status.FOLLOWED_UP
    # The intermediate date was the open report's: cleared at the resolution, kept in its event.
    assert report.next_check_on is None
    assert report.events.get(kind="note").data == {"next_check_on": "2026-03-10"}
    assert report.matter_done is True and report.satisfied is True
    assert report.contact_mobile == "" and report.contact_mobile_masked == "139****5678"
    steps = list(report.events.values_list("kind", "actor__username"))
    assert steps == [
        ("registered", None),
        ("assigned", "city-centre-supervisor"),
        ("note", "city-centre-supervisor"),
        ("answered", "police-chief"),
        ("answered", "market-chief"),
        ("resolved", "market-chief"),
        ("followed_up", "city-centre-supervisor"),
    ]
    assert set(report.assignments.values_list("department__code", flat=True)) == {"GZGA", "GZSCJG"}


def test_who_may_take_each_step(world) -> None:
    report = register(world)
    for actor in (world.clerk, world.police_chief, world.tianhe_clerk):
        with pytest.raises(reports.ReportError) as refused:
            reports.report_assign(report=report, actor=actor, departments=[world.police])
        assert refused.value.status == 403
    # A supervisor of another hall neither; a citywide supervisor may.
    from servicehall import roles
    from tests.servicehall.factories import staff_user

    tianhe_supervisor = staff_user("tianhe-supervisor", role=roles.SUPERVISOR, hall_=world.tianhe)
    with pytest.raises(reports.ReportError):
        reports.report_assign(report=report, actor=tianhe_supervisor, departments=[world.police])
    reports.report_assign(report=report, actor=world.city_supervisor, departments=[world.police])
    # Only the chief representative of an assigned department, at the hall, answers (and a
    # supervisor of the hall may close the report).
    for actor in (world.market_chief, world.tianhe_market_chief, world.clerk, tianhe_supervisor):
        with pytest.raises(reports.ReportError) as refused:
            reports.report_resolve(report=report, actor=actor, resolution="已办理。", matter_done=True)
        assert refused.value.status == 403
    # The follow-up call is the supervisors'.
    reports.report_resolve(report=report, actor=world.police_chief, resolution="已办理。", matter_done=False)
    with pytest.raises(reports.ReportError) as refused:
        reports.report_follow_up(report=report, actor=world.police_chief, reached=False)
    assert refused.value.status == 403


def test_closing_without_a_resolution_is_refused_and_nothing_changes(world) -> None:
    report = register(world)
    reports.report_assign(report=report, actor=world.supervisor, departments=[world.police])
    with pytest.raises(reports.ReportError) as refused:
        reports.report_resolve(report=report, actor=world.police_chief, resolution="  ", matter_done=None)
    assert set(refused.value.errors) == {"resolution", "matter_done"}
    assert refused.value.status == 400
    report.refresh_from_db()
    assert report.status == Report.Status.ASSIGNED and report.resolved_at is None
    assert not report.events.filter(kind="resolved").exists()


def test_steps_out_of_order_are_refused_with_the_state(world) -> None:
    report = register(world)
    with pytest.raises(reports.ReportError) as refused:
        reports.report_follow_up(report=report, actor=world.supervisor, reached=True, satisfied=True)
    assert refused.value.status == 409 and "已受理" in str(refused.value.message)
    with pytest.raises(reports.ReportError) as refused:
        reports.report_resolve(report=report, actor=world.police_chief, resolution="x", matter_done=True)
    assert refused.value.status == 403  # not assigned to the police yet: not theirs
    reports.report_assign(report=report, actor=world.supervisor, departments=[world.police])
    with pytest.raises(reports.ReportError) as refused:
        reports.report_assign(report=report, actor=world.supervisor, departments=[world.police])
    assert refused.value.status == 409
    reports.report_resolve(report=report, actor=world.police_chief, resolution="已办理。", matter_done=True)
    with pytest.raises(reports.ReportError) as refused:
        reports.report_assign(report=report, actor=world.supervisor, departments=[world.market])
    assert refused.value.status == 409
    with pytest.raises(reports.ReportError) as refused:
        reports.report_follow_up(report=report, actor=world.supervisor, reached=True, satisfied=None)
    assert set(refused.value.errors) == {"satisfied"}
    with pytest.raises(reports.ReportError):
        reports.report_note(report=report, actor=world.supervisor, note="再督办")
    reports.report_follow_up(report=report, actor=world.supervisor, reached=False)
    report.refresh_from_db()
    assert report.reached is False and report.satisfied is None


def _weekdays_after(start: dt.date, days: int) -> dt.date:
    day = start
    while days:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def test_the_reply_deadline_is_fifteen_working_days_across_a_holiday(world) -> None:
    # Registered on Monday 21 September 2026: the National Day holiday (1–7 October) is not counted.
    report = register(world, now=at(D(2026, 9, 21)), tried_on=D(2026, 9, 21))
    expected, _provisional = catalog_selectors.deadline_after(D(2026, 9, 21), 15)
    assert report.due_on == expected
    assert report.due_on > _weekdays_after(D(2026, 9, 21), 15)  # the holiday pushed it later
    assert report.due_on.month == 10 and report.due_on.day > 7


def test_the_flag_job_turns_yellow_before_and_red_after_the_deadline_once(world, settings) -> None:
    settings.NOTIFICATION_BACKEND = "servicehall.notifications.LogBackend"
    report = register(world, now=at(D(2026, 9, 21)), tried_on=D(2026, 9, 21))
    due = report.due_on
    before = catalog_selectors.deadline_after(D(2026, 9, 21), 12)[0]  # 3 working days before the deadline
    early = reports.report_flags_run(now=at(before - dt.timedelta(days=1)))
    assert early.turned_yellow == 0
    near = reports.report_flags_run(now=at(before))
    report.refresh_from_db()
    assert near.turned_yellow == 1 and report.flag == "yellow" and report.flag_notified_at is not None
    again = reports.report_flags_run(now=at(before, 11))
    assert again.turned_yellow == 0 and again.messages == 0  # told once per colour
    on_the_day = reports.report_flags_run(now=at(due, 16))
    assert on_the_day.turned_red == 0  # the deadline's own day is still in time
    late = reports.report_flags_run(now=at(due + dt.timedelta(days=1)))
    report.refresh_from_db()
    assert late.turned_red == 1 and report.flag == "red"
    # Resolved late: no longer flagged by the job (not open), the red flag stays as a record.
    reports.report_assign(report=report, actor=world.supervisor, departments=[world.police])
    reports.report_resolve(report=report, actor=world.police_chief, resolution="已办理。", matter_done=True)
    reports.report_flags_run(now=at(due + dt.timedelta(days=2)))
    report.refresh_from_db()
    assert report.flag == "red" and report.status == Report.Status.RESOLVED


def test_the_flag_job_runs_a_fixed_number_of_queries(world) -> None:
    def run_with(n: int) -> int:
        Report.objects.all().delete()
        for _ in range(n):
            register(world, now=at(D(2026, 9, 21)), tried_on=D(2026, 9, 21))
        Report.objects.update(flag="")
        with CaptureQueriesContext(connection) as queries:
            reports.report_flags_run(now=at(D(2026, 11, 2)))
        assert Report.objects.filter(flag="red").count() == n
        return len(queries)

    assert run_with(2) == run_with(12)


def test_the_system_check_refuses_a_city_or_district_hall_without_the_window(world) -> None:
    assert check_report_windows(databases=["default"]) == []
    assert check_report_windows(databases=None) == []  # not asked for the database: nothing read
    Window.objects.filter(hall=world.tianhe, kind=Window.Kind.CANNOT_HANDLE).update(kind=Window.Kind.SPECIALISED)
    errors = check_report_windows(databases=["default"])
    assert [e.id for e in errors] == ["feedback.E001"]
    assert "TH" in errors[0].msg and "第六条" in errors[0].msg
    # A town or street centre needs none.
    world.tianhe.level = "street"
    world.tianhe.save()
    assert check_report_windows(databases=["default"]) == []


def test_the_manage_py_check_with_the_database_reports_it(world) -> None:
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    Window.objects.filter(hall=world.city, kind=Window.Kind.CANNOT_HANDLE).delete()
    with pytest.raises(SystemCheckError, match="feedback.E001"):
        call_command("check", "--database", "default")


def test_categories_are_seeded(db) -> None:
    assert category("missing_policy").name == "缺少政策依据"
    assert {c for c in ("cross_department", "system_fault", "staff_conduct", "other")} <= set(
        __import__("feedback.models", fromlist=["ReportCategory"]).ReportCategory.objects.values_list("code", flat=True)
    )


def test_a_department_without_an_active_chief_at_the_hall_is_refused_and_nothing_is_saved(world) -> None:
    from feedback.selectors_reports import chiefs_at
    from tests.catalog import factories

    social = factories.department(code="GZRS", name="广州市人力资源和社会保障局")
    report = register(world)
    with pytest.raises(reports.ReportError) as refused:
        reports.report_assign(report=report, actor=world.supervisor, departments=[world.police, social])
    assert refused.value.status == 422 and refused.value.field == "departments"
    assert "广州市人力资源和社会保障局在本大厅没有在岗的首席事务代表" in str(refused.value.message)
    assert "广州市公安局" not in str(refused.value.message)
    report.refresh_from_db()
    assert report.status == Report.Status.REGISTERED
    assert not report.assignments.exists() and not report.events.filter(kind="assigned").exists()
    # An inactive account answers nothing either; the market's chief at Tianhe is not the city's.
    world.police_chief.is_active = False
    world.police_chief.save(update_fields=["is_active"])
    assert chiefs_at(world.city.pk, [world.police.pk, world.market.pk, social.pk]) == {
        world.market.pk: ["market-chief"]
    }
    with pytest.raises(reports.ReportError):
        reports.report_assign(report=report, actor=world.supervisor, departments=[world.police])
    reports.report_assign(report=report, actor=world.supervisor, departments=[world.market])
    assert list(report.assignments.values_list("department__code", flat=True)) == ["GZSCJG"]


def test_the_registered_chief_secondment_decides_who_answers(world) -> None:
    from feedback.selectors_reports import chiefs_at
    from staffing.models import Secondment
    from tests.staffing.factories import seconded

    # Staffing records somebody else as the police's chief at the city centre: the police chief's
    # profile and role alone no longer make them the one who answers.
    seconded("police-chief-2", hall=world.city, department=world.police, role=Secondment.Role.CHIEF)
    assert chiefs_at(world.city.pk, [world.police.pk]) == {world.police.pk: ["police-chief-2"]}
    assert chiefs_at(world.tianhe.pk, [world.police.pk]) == {}
    report = register(world, online=True, hall=world.tianhe)
    from servicehall import roles
    from tests.servicehall.factories import staff_user

    tianhe_supervisor = staff_user("tianhe-supervisor", role=roles.SUPERVISOR, hall_=world.tianhe)
    with pytest.raises(reports.ReportError) as refused:
        reports.report_assign(report=report, actor=tianhe_supervisor, departments=[world.police])
    assert refused.value.code == "no_chief"


def test_each_assigned_department_answers_its_part_and_the_last_answer_resolves(world) -> None:
    report = register(world)
    t = at(D(2026, 3, 4))
    reports.report_assign(report=report, actor=world.supervisor, departments=[world.police, world.market], now=t)
    reports.report_resolve(
        report=report, actor=world.police_chief, resolution="已出具户籍证明。", matter_done=True, now=t
    )
    report.refresh_from_db()
    assert report.status == Report.Status.ASSIGNED and report.resolution == "" and report.resolved_at is None
    answers = {a.department.code: a for a in report.assignments.select_related("department")}
    assert answers["GZGA"].answer == "已出具户籍证明。" and answers["GZGA"].answered_by == world.police_chief
    assert not answers["GZSCJG"].answered
    # The police answered already: its chief may not answer again, nor close the report.
    with pytest.raises(reports.ReportError) as refused:
        reports.report_resolve(report=report, actor=world.police_chief, resolution="再答复。", matter_done=True)
    assert refused.value.status == 409 and "本部门已答复" in str(refused.value.message)
    assert reports.allowed_steps(world.police_chief, report) == set()
    assert "resolve" in reports.allowed_steps(world.market_chief, report)
    later = at(D(2026, 3, 5))
    reports.report_resolve(
        report=report, actor=world.market_chief, resolution="营业执照需本人到场，已预约。", matter_done=False, now=later
    )
    report.refresh_from_db()
    assert report.status == Report.Status.RESOLVED and report.resolved_at == later
    assert report.resolution == "广州市公安局：已出具户籍证明。\n广州市市场监督管理局：营业执照需本人到场，已预约。"
    # Done only if every department's part is done.
    assert report.matter_done is False and report.resolved_by == world.market_chief
    assert list(report.events.values_list("kind", flat=True)) == [
        "registered",
        "assigned",
        "answered",
        "answered",
        "resolved",
    ]


def test_a_supervisor_closes_a_report_a_department_has_not_answered(world) -> None:
    report = register(world)
    reports.report_assign(report=report, actor=world.supervisor, departments=[world.police, world.market])
    reports.report_resolve(report=report, actor=world.police_chief, resolution="已出具证明。", matter_done=True)
    report.refresh_from_db()
    assert reports.resolve_role(world.supervisor, report) == "supervisor"
    with pytest.raises(reports.ReportError) as refused:
        reports.report_resolve(report=report, actor=world.supervisor, resolution="", matter_done=None)
    assert set(refused.value.errors) == {"resolution", "matter_done"}
    reports.report_resolve(report=report, actor=world.supervisor, resolution="经协调已办成。", matter_done=True)
    report.refresh_from_db()
    assert report.status == Report.Status.RESOLVED and report.resolution == "经协调已办成。"
    assert report.events.get(kind="resolved").data == {
        "matter_done": True,
        "by": "supervisor",
        "unanswered": ["GZSCJG"],
    }
    # The market's chief comes too late: the report is resolved.
    with pytest.raises(reports.ReportError) as refused:
        reports.report_resolve(report=report, actor=world.market_chief, resolution="已办理。", matter_done=True)
    assert refused.value.status == 409


def test_a_report_sent_back_is_answered_again_by_every_department(world) -> None:
    report = register(world)
    reports.report_assign(report=report, actor=world.supervisor, departments=[world.police])
    reports.report_resolve(report=report, actor=world.police_chief, resolution="已答复。", matter_done=False)
    reports.report_reopen(report=report, actor=world.supervisor, reason="事项仍未办成。")
    assignment = report.assignments.get()
    assert (assignment.answer, assignment.matter_done, assignment.answered_at) == ("", None, None)
    assert report.events.filter(kind="answered").count() == 1  # the first round's answer stays in the history
    reports.report_resolve(report=report, actor=world.police_chief, resolution="已协调办成。", matter_done=True)
    report.refresh_from_db()
    assert report.status == Report.Status.RESOLVED and report.resolution == "已协调办成。"
