"""Report references raced with real threads on PostgreSQL: 32 registrations at the same moment get
32 distinct consecutive references; a refused one gives its number back; two supervisors assigning
the same department at once leave one assignment."""

from __future__ import annotations

import pytest

from feedback import reports
from feedback.models_reports import Report, ReportAssignment, ReportSequence
from servicehall import roles
from tests.cases.factories import D, at
from tests.concurrency import in_threads
from tests.feedback.reports_world import register, report_world
from tests.markers import needs_postgres
from tests.servicehall.factories import staff_user

pytestmark = [pytest.mark.postgres, needs_postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_registrations_get_distinct_consecutive_references_and_refusals_leave_no_gap() -> None:
    world = report_world()

    def work(k: int) -> str:
        try:
            return register(world, problem="" if k % 4 == 0 else "窗口说系统故障，今天办不了。").number
        except reports.ReportError:
            return ""

    numbers = [n for n in in_threads(32, work) if n]
    assert len(numbers) == 24 and len(set(numbers)) == 24
    assert sorted(numbers) == [f"BC20260302{n:04d}" for n in range(1, 25)]
    assert ReportSequence.objects.get(day=D(2026, 3, 2)).last == 24


def test_two_supervisors_assigning_the_same_department_at_once_leave_one_assignment() -> None:
    world = report_world()
    report = register(world)
    supervisors = [staff_user(f"sup{k}", role=roles.SUPERVISOR, hall_=world.city) for k in range(8)]

    def assign(k: int) -> bool:
        try:
            reports.report_assign(
                report=report, actor=supervisors[k], departments=[world.police], now=at(D(2026, 3, 3))
            )
        except reports.ReportError:
            return False
        return True

    assert sum(in_threads(8, assign)) == 1
    assert ReportAssignment.objects.filter(report=report).count() == 1
    assert Report.objects.get().events.filter(kind="assigned").count() == 1


def test_the_same_online_report_sent_eight_times_at_once_is_registered_once(settings) -> None:
    settings.THROTTLE_REPORT_IP = "1000/hour"
    world = report_world()

    def send(k: int) -> str:
        try:
            return register(world, online=True, problem="自助机打印证明提示系统繁忙，没有办成。").number
        except reports.ReportError as exc:
            assert exc.code == "duplicate" and exc.status == 409
            return ""

    assert len([n for n in in_threads(8, send) if n]) == 1
    assert Report.objects.count() == 1


def test_one_form_submitted_eight_times_at_once_registers_one_report(settings) -> None:
    from feedback import form_tokens

    settings.THROTTLE_REPORT_IP = "1000/hour"
    world = report_world()
    token = form_tokens.issue()

    def send(k: int) -> str:
        # Even edited between the clicks (different content): one form, one report.
        return register(
            world, online=True, problem=f"自助机打印证明提示系统繁忙，没有办成（{k}）。", submission_key=token
        ).number

    assert len(set(in_threads(8, send))) == 1
    assert Report.objects.count() == 1
    assert ReportSequence.objects.get().last == 1
