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
